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

// zlib.decompressobj(wbits=-15) over `input`; nullopt if zlib reports an error.
inline std::optional<std::vector<std::uint8_t>> python_inflate(const std::vector<std::uint8_t>& input) {
    const std::string script =
        "import sys, zlib\n"
        "d = zlib.decompressobj(wbits=-15)\n"
        "sys.stdout.buffer.write(d.decompress(open(sys.argv[1], \"rb\").read()))\n";
    return run_python(script, input);
}

}  // namespace sluice::test
