// test/support/test_options.hpp — command-line options of our own for the doctest binaries.
//
// test/main.cpp knows no layer: a test file registers an option from a static initializer,
// and main() consumes `--NAME=VALUE` before doctest sees the arguments. So a binary that
// does not link that test file (make unit L="core") neither knows nor needs the option.
//
//   --reactor-backend=epoll|io_uring|kqueue|automatic   (test/net/reactor_backend_test.cpp)
//       every Reactor of the run, app/'s included, uses that backend; when it cannot be
//       opened here the run prints one "[sluice] skipped: ..." line and runs nothing.
#pragma once

#include <string_view>

namespace sluice::test {

// What an option asks of the run once applied.
enum class OptionResult { run, skip, bad_value };

// Registers `--<name>=VALUE`; `apply` gets VALUE. Call from a static initializer (the
// registry is built before main()). Defined in test/main.cpp.
bool register_option(std::string_view name, OptionResult (*apply)(std::string_view value));

}  // namespace sluice::test
