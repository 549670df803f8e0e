// Tests test/support/guard_page.hpp, which the parser tests of every layer rely on.
#include "test/support/guard_page.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/utf8.hpp"
#include "test/support/dies_in_child.hpp"

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
    CHECK_FALSE(sluice::test::dies_in_child([&] {
        volatile std::uint8_t last = g.data()[g.size() - 1];
        (void)last;
    }));
    CHECK(sluice::test::dies_in_child([&] {
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
