// The one doctest main for every unit and integration test in test/. It applies the options
// that test files registered (test/support/test_options.hpp), then runs doctest with the rest.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "test/support/test_options.hpp"

namespace sluice::test {
namespace {
struct Option {
    std::string_view name;
    OptionResult (*apply)(std::string_view value);
};
std::vector<Option>& options() {
    static std::vector<Option> registered;  // built by static initializers, read by main()
    return registered;
}
}  // namespace

bool register_option(std::string_view name, OptionResult (*apply)(std::string_view value)) {
    options().push_back({name, apply});
    return true;
}
}  // namespace sluice::test

int main(int argc, char** argv) {
    std::vector<char*> rest;
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg = argv[i];
        bool consumed = false;
        for (const auto& option : sluice::test::options()) {
            const std::string prefix = "--" + std::string(option.name) + "=";
            if (i == 0 || arg.substr(0, prefix.size()) != prefix) continue;
            consumed = true;
            switch (option.apply(arg.substr(prefix.size()))) {
                case sluice::test::OptionResult::run: break;
                case sluice::test::OptionResult::skip: return 0;
                case sluice::test::OptionResult::bad_value:
                    std::fprintf(stderr, "bad value in %s\n", argv[i]);
                    return 2;
            }
        }
        if (!consumed) rest.push_back(argv[i]);
    }
    doctest::Context context(static_cast<int>(rest.size()), rest.data());
    return context.run();
}
