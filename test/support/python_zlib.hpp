// test/support/python_zlib.hpp — Python's standard-library zlib as an outside DEFLATE peer.
//
// The interop tests run `python3` (on the test machine; test/setup.sh installs it) with a
// short script: the input goes through a temporary file, the output comes back on stdout.
// zlib is never linked: it is another program, as a WebSocket peer would be.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

// Runs `script` with sys.argv[1] = a file holding `input`, plus `args`; returns its stdout,
// or nullopt if python3 failed (exit status not 0).
inline std::optional<std::vector<std::uint8_t>> run_python(const std::string& script,
                                                          const std::vector<std::uint8_t>& input,
                                                          const std::string& args = "") {
    char path[] = "/tmp/sluice-pyzlib-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return std::nullopt;
    std::size_t done = 0;
    while (done < input.size()) {
        const ssize_t n = write(fd, input.data() + done, input.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    close(fd);
    const std::string command = "python3 -c '" + script + "' " + path + " " + args;
    FILE* pipe = popen(command.c_str(), "r");
    std::vector<std::uint8_t> out;
    if (pipe != nullptr) {
        std::uint8_t buffer[65536];
        std::size_t n = 0;
        while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.insert(out.end(), buffer, buffer + n);
    }
    const int status = pipe != nullptr ? pclose(pipe) : -1;
    unlink(path);
    if (status != 0) return std::nullopt;
    return out;
}

// zlib.compressobj(level, DEFLATED, -window_bits) over `input`, then a sync flush: a raw
// DEFLATE stream ending in 00 00 ff ff (as a permessage-deflate sender produces, before
// it strips those four bytes).
inline std::optional<std::vector<std::uint8_t>> python_deflate(const std::vector<std::uint8_t>& input,
                                                              int window_bits, int level = 6) {
    const std::string script =
        "import sys, zlib\n"
        "data = open(sys.argv[1], \"rb\").read()\n"
        "c = zlib.compressobj(int(sys.argv[3]), zlib.DEFLATED, -int(sys.argv[2]))\n"
        "sys.stdout.buffer.write(c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))\n";
    return run_python(script, input, std::to_string(window_bits) + " " + std::to_string(level));
}

// One python3 run for many streams: each of `inputs` through python_deflate's steps at
// each (window_bits, level) of `settings`; the result is indexed [setting][input].
inline std::optional<std::vector<std::vector<std::vector<std::uint8_t>>>> python_deflate_many(
    const std::vector<std::vector<std::uint8_t>>& inputs, const std::vector<std::pair<int, int>>& settings) {
    std::vector<std::uint8_t> packed;
    auto put32 = [&](std::size_t n) {
        for (int i = 0; i < 4; ++i) packed.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
    };
    for (const auto& in : inputs) {
        put32(in.size());
        packed.insert(packed.end(), in.begin(), in.end());
    }
    std::string args;
    for (const auto& [bits, level] : settings) args += std::to_string(bits) + ":" + std::to_string(level) + " ";
    const std::string script =
        "import sys, zlib, struct\n"
        "raw = open(sys.argv[1], \"rb\").read()\n"
        "items = []\n"
        "i = 0\n"
        "while i < len(raw):\n"
        "    n = struct.unpack_from(\"<I\", raw, i)[0]\n"
        "    items.append(raw[i + 4:i + 4 + n])\n"
        "    i += 4 + n\n"
        "out = sys.stdout.buffer\n"
        "for arg in sys.argv[2:]:\n"
        "    bits, level = map(int, arg.split(\":\"))\n"
        "    for data in items:\n"
        "        c = zlib.compressobj(level, zlib.DEFLATED, -bits)\n"
        "        z = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)\n"
        "        out.write(struct.pack(\"<I\", len(z)) + z)\n";
    const auto out = run_python(script, packed, args);
    if (!out) return std::nullopt;
    std::vector<std::vector<std::vector<std::uint8_t>>> result(settings.size());
    std::size_t pos = 0;
    for (auto& per_setting : result) {
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            if (pos + 4 > out->size()) return std::nullopt;
            std::size_t n = 0;
            for (int i = 0; i < 4; ++i) n |= std::size_t{(*out)[pos + static_cast<std::size_t>(i)]} << (8 * i);
            pos += 4;
            if (pos + n > out->size()) return std::nullopt;
            per_setting.emplace_back(out->begin() + static_cast<std::ptrdiff_t>(pos),
                                     out->begin() + static_cast<std::ptrdiff_t>(pos + n));
            pos += n;
        }
    }
    return result;
}

// zlib.decompressobj(wbits=-15) over `input`; nullopt if zlib reports an error.
inline std::optional<std::vector<std::uint8_t>> python_inflate(const std::vector<std::uint8_t>& input) {
    const std::string script =
        "import sys, zlib\n"
        "d = zlib.decompressobj(wbits=-15)\n"
        "sys.stdout.buffer.write(d.decompress(open(sys.argv[1], \"rb\").read()))\n";
    return run_python(script, input);
}

}  // namespace sluice::test
