// Tests test/support/guard_page.hpp, which the parser tests of every layer rely on.
#include "test/support/guard_page.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "core/utf8.hpp"

namespace {

// Runs `read_past` in a child process; true if the child was killed or failed (it
// exits 0 only if the read did not crash).
template <typename F>
bool crashes(F read_past) {
    const pid_t pid = fork();
    if (pid == 0) {
        // Quiet, and let SIGSEGV kill the child (doctest's and ASan's handlers would report
        // it as a test failure of their own).
        const int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        read_past();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("guard page: the bytes are copied and end exactly at a page boundary") {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{13}, sluice::test::GuardedBytes::page_size(),
                             sluice::test::GuardedBytes::page_size() + 5}) {
        CAPTURE(size);
        std::string input(size, '\0');
        for (std::size_t i = 0; i < size; ++i) input[i] = static_cast<char>('a' + i % 26);
        sluice::test::GuardedBytes g(input);
        REQUIRE(g.ok());
        CHECK(g.size() == size);
        CHECK(g.view() == input);
        const auto end = reinterpret_cast<std::uintptr_t>(g.data() + g.size());
        CHECK(end % sluice::test::GuardedBytes::page_size() == 0);
    }
}

TEST_CASE("guard page: reading one byte past the end crashes, reading the last byte does not") {
    sluice::test::GuardedBytes g(std::string_view("abc"));
    REQUIRE(g.ok());
    CHECK_FALSE(crashes([&] {
        volatile std::uint8_t last = g.data()[g.size() - 1];
        (void)last;
    }));
    CHECK(crashes([&] {
        volatile std::uint8_t past = g.data()[g.size()];
        (void)past;
    }));
}

TEST_CASE("guard page: every UTF-8 path reads nothing past its input") {
    // Inputs ending at the guard, with lengths around every fast path's block size.
    for (std::size_t n = 0; n <= 200; ++n) {
        std::string text(n, 'q');
        if (n >= 3) text.replace(n - 3, 3, "\xe2\x82\xac");
        sluice::test::GuardedBytes g(text);
        REQUIRE(g.ok());
        for (auto fn : {sluice::core::detail::validate_scalar, sluice::core::detail::validate_sse2,
                        sluice::core::detail::validate_avx2}) {
            std::uint32_t state = 0;
            CHECK(fn(state, g.data(), g.size()) == n);
        }
    }
}

}  // TEST_SUITE
