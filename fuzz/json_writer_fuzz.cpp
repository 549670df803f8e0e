// fuzz/json_writer_fuzz.cpp — the JSON writer (app/json.hpp) driven call by call: every
// overload (strings of any bytes, bool, double including non-finite, int64, uint64, int,
// unsigned, null, raw, field), in any order the writer's contract allows.
// fuzz-links: app/json.cpp
//
// Input: a stream of operations, one byte each (then its operands): the harness keeps its own
// model of where the writer is (top level, array, object before a key, object before a value)
// and turns each byte into one call that is legal there. At the end it closes what is open.
// Asserted:
//   - the writer is complete() exactly when the top-level value has been closed;
//   - its text parses (RFC 8259), and reads back as the model: each string equal when it was
//     valid UTF-8, else valid UTF-8 with U+FFFD where bytes were not (§8.1: the writer never
//     emits ill-formed UTF-8); doubles to the same value and sign of zero, non-finite as null;
//     integers to the nearest double; raw texts as they parse alone; members in order;
//   - Value::find / string_at / number_at answer the member of a name (names are kept
//     distinct: the reader refuses duplicates).
#include "app/json.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.hpp"
#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

// What the harness wrote, to compare with what the text parses to.
struct Node {
    enum class Kind { null, boolean, number, string, array, object, raw } kind = Kind::null;
    bool boolean = false;
    double number = 0;
    std::string text;  // a string's bytes as given, or a raw JSON text
    std::vector<Node> children;
    std::vector<std::string> names;  // an object's member names, one per child
};

// The operand reader: bytes from the input, zeros once it is exhausted.
struct Bytes {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    bool empty() const { return at >= size; }
    std::uint8_t byte() { return at < size ? data[at++] : 0; }
    std::string string() {  // [length] [bytes]
        const std::size_t n = std::min<std::size_t>(byte() % 24, size - std::min(at, size));
        std::string s(reinterpret_cast<const char*>(data + at), n);
        at += n;
        return s;
    }
    template <class T>
    T scalar() {
        std::uint8_t raw[sizeof(T)] = {};
        for (auto& b : raw) b = byte();
        T v;
        std::memcpy(&v, raw, sizeof v);
        return v;
    }
};

constexpr std::string_view kRawTexts[] = {"0", "-1.5e3", "\"r\\u00e9\"", "[]", "{}", "[1,{\"a\":null}]", "true"};

bool valid_utf8(std::string_view s) {
    return core::is_valid_utf8(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

void check_string(std::string_view written, std::string_view read) {
    if (valid_utf8(written)) {
        SLUICE_FUZZ_CHECK(read == written);
    } else {
        SLUICE_FUZZ_CHECK(valid_utf8(read) && read.find("\xEF\xBF\xBD") != std::string_view::npos);
    }
}

bool same(const json::Value& a, const json::Value& b) {  // two parsed trees
    if (a.type() != b.type() || a.size() != b.size()) return false;
    if (a.is_number()) return a.as_number() == b.as_number() && std::signbit(a.as_number()) == std::signbit(b.as_number());
    if (a.is_string()) return a.as_string() == b.as_string();
    if (a.is_bool()) return a.as_bool() == b.as_bool();
    for (std::size_t i = 0; i < a.array().size(); ++i)
        if (!same(a.array()[i], b.array()[i])) return false;
    for (std::size_t i = 0; i < a.object().size(); ++i)
        if (a.object()[i].first != b.object()[i].first || !same(a.object()[i].second, b.object()[i].second)) return false;
    return true;
}

void check(const Node& n, const json::Value& v) {
    switch (n.kind) {
        case Node::Kind::null: SLUICE_FUZZ_CHECK(v.is_null()); break;
        case Node::Kind::boolean: SLUICE_FUZZ_CHECK(v.is_bool() && v.as_bool() == n.boolean); break;
        case Node::Kind::number:
            if (!std::isfinite(n.number)) {
                SLUICE_FUZZ_CHECK(v.is_null());
            } else {
                SLUICE_FUZZ_CHECK(v.is_number() && v.as_number() == n.number &&
                                  std::signbit(v.as_number()) == std::signbit(n.number));
            }
            break;
        case Node::Kind::string:
            SLUICE_FUZZ_CHECK(v.is_string());
            check_string(n.text, v.as_string());
            break;
        case Node::Kind::raw: {
            const json::ParseResult alone = json::parse(n.text);
            SLUICE_FUZZ_CHECK(alone && same(alone.value, v));
            break;
        }
        case Node::Kind::array:
            SLUICE_FUZZ_CHECK(v.is_array() && v.size() == n.children.size());
            for (std::size_t i = 0; i < n.children.size(); ++i) check(n.children[i], v.array()[i]);
            break;
        case Node::Kind::object:
            SLUICE_FUZZ_CHECK(v.is_object() && v.size() == n.children.size());
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                const auto& [name, member] = v.object()[i];
                check_string(n.names[i], name);
                check(n.children[i], member);
                // find answers the first member of that name; the typed lookups agree with it.
                const json::Value* first = v.find(name);
                std::size_t j = 0;
                while (v.object()[j].first != name) ++j;
                SLUICE_FUZZ_CHECK(first == &v.object()[j].second);
                SLUICE_FUZZ_CHECK(v.string_at(name).has_value() == first->is_string());
                SLUICE_FUZZ_CHECK(v.number_at(name).has_value() == first->is_number());
            }
            SLUICE_FUZZ_CHECK(v.find("\xFF") == nullptr);  // the writer never emits that byte
            break;
    }
}

constexpr std::size_t kMaxDepth = 32;

// The name as the writer spells it (a scratch writer's string value).
std::string written_name(std::string_view name) {
    json::Writer scratch;
    scratch.value(name);
    return scratch.take();
}

bool distinct_name(const Node& object, std::string_view name) {
    const std::string spelled = written_name(name);
    for (const std::string& other : object.names)
        if (written_name(other) == spelled) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes in{data, size};
    json::Writer w;
    Node root;
    // The open containers, innermost last; `awaiting_value`: an object's key was written.
    std::vector<Node*> open;
    bool awaiting_value = false;
    bool top_written = false;

    // The slot the next value goes into: the root, an array's new element, an object's member.
    auto slot = [&]() -> Node& {
        if (open.empty()) return root;
        Node& parent = *open.back();
        if (parent.kind == Node::Kind::array) parent.children.emplace_back();
        awaiting_value = false;
        return parent.children.back();
    };
    auto write_scalar = [&](std::uint8_t op) {
        Node& n = slot();
        switch (op % 10) {
            case 0:  // the std::string overload for odd ops, string_view for even
                n.kind = Node::Kind::string;
                n.text = in.string();
                if (op & 0x10) w.value(n.text); else w.value(std::string_view(n.text));
                break;
            case 1: n.kind = Node::Kind::boolean; n.boolean = (in.byte() & 1) != 0; w.value(n.boolean); break;
            case 2: n.kind = Node::Kind::number; n.number = in.scalar<double>(); w.value(n.number); break;
            case 3: {
                const auto i = in.scalar<std::int64_t>();
                n.kind = Node::Kind::number; n.number = static_cast<double>(i); w.value(i);
                break;
            }
            case 4: {
                const auto u = in.scalar<std::uint64_t>();
                n.kind = Node::Kind::number; n.number = static_cast<double>(u); w.value(u);
                break;
            }
            case 5: {
                const auto i = in.scalar<int>();
                n.kind = Node::Kind::number; n.number = i; w.value(i);
                break;
            }
            case 6: {
                const auto u = in.scalar<unsigned>();
                n.kind = Node::Kind::number; n.number = u; w.value(u);
                break;
            }
            case 7: n.kind = Node::Kind::null; w.null(); break;
            case 8: n.kind = Node::Kind::raw; n.text = kRawTexts[in.byte() % std::size(kRawTexts)]; w.raw(n.text); break;
            default: {  // a C string: stops at its first NUL
                n.kind = Node::Kind::string;
                n.text = in.string();
                n.text = n.text.substr(0, std::strlen(n.text.c_str()));
                w.value(n.text.c_str());
                break;
            }
        }
    };

    while (!in.empty() && !(top_written && open.empty())) {
        const std::uint8_t op = in.byte();
        Node* parent = open.empty() ? nullptr : open.back();
        if (parent != nullptr && parent->kind == Node::Kind::object && !awaiting_value) {
            // Before a key: a key, a field (key and value at once), or the object's end.
            std::string name = in.string();
            // The reader refuses a duplicate name (app/json.hpp), so the names stay distinct as
            // written: after the writer's own repair of ill-formed UTF-8.
            if (op % 4 != 0 && !distinct_name(*parent, name)) continue;
            if (op % 4 == 0) {
                w.end_object();
                open.pop_back();
            } else if (op % 4 == 1) {
                Node member;
                member.kind = Node::Kind::number;
                member.number = op;
                parent->children.push_back(member);
                parent->names.push_back(name);
                w.field(name, static_cast<int>(op));
            } else {
                parent->children.emplace_back();
                parent->names.push_back(name);
                w.key(name);
                awaiting_value = true;
            }
            continue;
        }
        top_written = true;
        if (op % 16 == 10 && open.size() < kMaxDepth) {
            Node& n = slot();
            n.kind = Node::Kind::array;
            w.begin_array();
            open.push_back(&n);
        } else if (op % 16 == 11 && open.size() < kMaxDepth) {
            Node& n = slot();
            n.kind = Node::Kind::object;
            w.begin_object();
            open.push_back(&n);
        } else if (op % 16 == 12 && parent != nullptr && parent->kind == Node::Kind::array) {
            w.end_array();
            open.pop_back();
        } else {
            write_scalar(op);
        }
        SLUICE_FUZZ_CHECK(w.complete() == open.empty());
    }
    // Close what is open (an object's pending value first).
    if (!top_written) {
        SLUICE_FUZZ_CHECK(!w.complete());
        return 0;
    }
    while (!open.empty()) {
        if (awaiting_value) write_scalar(7);
        if (open.back()->kind == Node::Kind::array) w.end_array(); else w.end_object();
        open.pop_back();
    }
    SLUICE_FUZZ_CHECK(w.complete());
    const std::string text = w.take();
    SLUICE_FUZZ_CHECK(!w.complete() && w.str().empty());  // take() resets the writer
    const json::ParseResult r = json::parse(text, json::ParseOptions{.max_depth = kMaxDepth + 2});
    if (!r) std::fprintf(stderr, "written: %s\nerror %s at %zu\n", text.c_str(),
                         std::string(json::to_string(r.error)).c_str(), r.offset);
    SLUICE_FUZZ_CHECK(r);
    check(root, r.value);
    return 0;
}
