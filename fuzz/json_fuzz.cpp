// fuzz/json_fuzz.cpp — the JSON reader (app/json.hpp, RFC 8259), and the writer it pairs with.
// fuzz-links: app/json.cpp
//
// Input: [max_depth byte] [text]. json::parse reads the whole text at once (it is not
// incremental: a request body is complete before it is read). Asserted:
//   - parse never throws; an error names a rule and an offset within the text;
//   - an accepted text is valid UTF-8 (§8.1) and nests no deeper than max_depth;
//   - what was accepted, written back by json::Writer, parses to the same tree (numbers to
//     the same double, sign of zero included; members in order), and writing that tree
//     again gives the same text: the writer's output is a fixed point;
//   - as_int() is exact: the double it returns equals the number.
#include "app/json.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/utf8.hpp"
#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

void write(const json::Value& v, json::Writer& w) {
    switch (v.type()) {
        case json::Type::null: w.null(); break;
        case json::Type::boolean: w.value(v.as_bool()); break;
        case json::Type::number: w.value(v.as_number()); break;
        case json::Type::string: w.value(v.as_string()); break;
        case json::Type::array:
            w.begin_array();
            for (const json::Value& item : v.array()) write(item, w);
            w.end_array();
            break;
        case json::Type::object:
            w.begin_object();
            for (const auto& [name, member] : v.object()) {
                w.key(name);
                write(member, w);
            }
            w.end_object();
            break;
    }
}

bool same(const json::Value& a, const json::Value& b) {
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case json::Type::null: return true;
        case json::Type::boolean: return a.as_bool() == b.as_bool();
        case json::Type::number:
            return a.as_number() == b.as_number() && std::signbit(a.as_number()) == std::signbit(b.as_number());
        case json::Type::string: return a.as_string() == b.as_string();
        case json::Type::array:
            if (a.size() != b.size()) return false;
            for (std::size_t i = 0; i < a.size(); ++i)
                if (!same(a.array()[i], b.array()[i])) return false;
            return true;
        case json::Type::object:
            if (a.size() != b.size()) return false;
            for (std::size_t i = 0; i < a.size(); ++i)
                if (a.object()[i].first != b.object()[i].first || !same(a.object()[i].second, b.object()[i].second))
                    return false;
            return true;
    }
    return false;
}

// Nesting of arrays and objects (a scalar is 0), and the as_int() check on every number.
std::size_t depth_of(const json::Value& v) {
    if (v.is_number()) {
        if (const auto i = v.as_int()) SLUICE_FUZZ_CHECK(static_cast<double>(*i) == v.as_number());
    }
    std::size_t deepest = 0;
    if (v.is_array())
        for (const json::Value& item : v.array()) deepest = std::max(deepest, depth_of(item));
    if (v.is_object())
        for (const auto& member : v.object()) deepest = std::max(deepest, depth_of(member.second));
    return v.is_array() || v.is_object() ? deepest + 1 : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const json::ParseOptions options{.max_depth = data[0] % 80u};
    // An exact-size copy: the reader must read nothing past the text.
    std::unique_ptr<char[]> copy(new char[size - 1]);
    for (std::size_t i = 1; i < size; ++i) copy[i - 1] = static_cast<char>(data[i]);
    const std::string_view text(copy.get(), size - 1);

    const json::ParseResult r = json::parse(text, options);
    if (!r) {
        SLUICE_FUZZ_CHECK(r.offset <= text.size());
        SLUICE_FUZZ_CHECK(!json::to_string(r.error).empty());
        return 0;
    }
    SLUICE_FUZZ_CHECK(core::is_valid_utf8(std::span<const std::uint8_t>(data + 1, size - 1)));
    SLUICE_FUZZ_CHECK(depth_of(r.value) <= options.max_depth);

    json::Writer w;
    write(r.value, w);
    SLUICE_FUZZ_CHECK(w.complete());
    const std::string written = w.take();
    const json::ParseResult again = json::parse(written, options);
    if (!again) std::fprintf(stderr, "written: %s\nerror %s at %zu\n", written.c_str(),
                             std::string(json::to_string(again.error)).c_str(), again.offset);
    SLUICE_FUZZ_CHECK(again && same(r.value, again.value));
    write(again.value, w);
    SLUICE_FUZZ_CHECK(w.take() == written);
    return 0;
}
