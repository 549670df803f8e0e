// fuzz/replay_main.cpp — a main() that runs a harness once over every file it is given
// (files, or folders of files), for builds without libFuzzer: make fuzz-coverage links it
// into each harness built with clang's source-based coverage, so the profile counts only
// what the corpus reaches (libFuzzer's own driver would add its mutations and startup).
//   build/fuzz-cov/json_fuzz fuzz/corpus/json_fuzz build/fuzz/corpus-run/json_fuzz
// Prints how many inputs ran; a missing path is an error (a typo must not read as "covered").
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // An exact-size copy, as libFuzzer gives it (an empty input is a valid input).
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[bytes.size() + (bytes.empty() ? 1 : 0)]);
    for (std::size_t i = 0; i < bytes.size(); ++i) copy[i] = static_cast<std::uint8_t>(bytes[i]);
    LLVMFuzzerTestOneInput(copy.get(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t inputs = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path path(argv[i]);
        std::error_code ec;
        if (std::filesystem::is_regular_file(path, ec)) {
            run_file(path);
            ++inputs;
        } else if (std::filesystem::is_directory(path, ec)) {
            for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
                if (!entry.is_regular_file(ec)) continue;
                run_file(entry.path());
                ++inputs;
            }
        } else {
            std::fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
            return 2;
        }
    }
    std::printf("replay: %zu inputs\n", inputs);
    return 0;
}
