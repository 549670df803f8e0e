// test/support/escaped.hpp — bytes made printable for test labels and failure messages.
#pragma once

#include <string>
#include <string_view>

namespace sluice::test {

// CR, LF and NUL written as \r, \n and \0; every other byte as it is.
inline std::string escaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\0') out += "\\0";
        else out += c;
    }
    return out;
}

}  // namespace sluice::test
