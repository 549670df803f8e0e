// JSON (RFC 8259): a small writer and a small strict reader, our own.
//
// The demo speaks JSON; nothing in sluice builds JSON by string formatting. Both halves
// live in namespace sluice::json and allocate freely (app/ is not on the frame hot path).
//
// Writer decisions (RFC 8259 leaves these to the implementation):
//   - Strings are escaped per RFC 8259 section 7: '"' and '\' with a backslash, the short
//     forms \b \f \n \r \t, every other control character U+0000..U+001F as \u00XX.
//     U+007F and all non-ASCII code points are written as their UTF-8 bytes, unescaped.
//   - Invalid UTF-8 in a string is REPLACED by U+FFFD, one per maximal invalid subpart
//     (the Unicode "substitution of maximal subparts" practice), so the output is always
//     valid UTF-8 (section 8.1 requires it) and a writer call never fails.
//   - Numbers must be finite (section 6: Infinity and NaN are not permitted). A
//     non-finite double is written as `null`, as JavaScript's JSON.stringify does.
//     Integers are written exactly; doubles in the shortest form that reads back equal.
//   - Structure is the caller's job: misuse (a value where a key is due, end_array
//     closing an object) is caught by assert() in debug builds.
//
// Reader decisions (section 9 lets a parser set limits and choose behaviour):
//   - Strict RFC 8259 grammar: no comments, no trailing commas, no leading zeros, no
//     leading '+', no bare '.5' or '5.', no single quotes, no NaN/Infinity, whitespace only
//     from section 2's four characters, exactly one value (optionally surrounded by
//     whitespace) in the whole text.
//   - Nesting deeper than ParseOptions::max_depth (default 64) is rejected: too_deep.
//   - Duplicate names in one object are REJECTED (duplicate_key): section 4 says names
//     "SHOULD be unique" and that behaviour with duplicates is unpredictable, so we refuse.
//   - \u escapes: a high surrogate must be followed by \u and a low surrogate, forming
//     one code point (section 7); a lone surrogate of either kind is rejected.
//   - Unescaped control characters (< U+0020) inside strings are rejected (section 7).
//   - The text must be valid UTF-8 (section 8.1): invalid bytes are rejected.
//   - Numbers are held as double. A number that overflows a double (1e400) is rejected
//     (number_out_of_range) rather than turned into infinity (section 6 allows limits).
//   - Errors are values: parse() never throws and reports the byte offset of the error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::json {

// ---- writer -------------------------------------------------------------------------

// Builds one JSON text into a string it owns. Calls chain:
//   Writer w; w.begin_object().key("type").value("chat").key("n").value(3).end_object();
//   std::string text = w.take();
// Owns its output string; take() moves it out and resets the writer.
class Writer {
 public:
  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view name);   // inside an object, before each value

  Writer& value(std::string_view text);  // a string, escaped (section 7)
  Writer& value(const char* text) { return value(std::string_view(text)); }
  Writer& value(const std::string& text) { return value(std::string_view(text)); }
  Writer& value(bool b);
  Writer& value(double number);          // non-finite -> null
  Writer& value(std::int64_t number);
  Writer& value(std::uint64_t number);
  Writer& value(int number) { return value(static_cast<std::int64_t>(number)); }
  Writer& value(unsigned number) { return value(static_cast<std::uint64_t>(number)); }
  Writer& null();
  // Inserts an already-serialised JSON value verbatim (for a value that came out of
  // another Writer). The caller vouches that it is valid JSON.
  Writer& raw(std::string_view json_text);

  // Shorthand for key(name).value(v).
  template <class T>
  Writer& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  const std::string& str() const noexcept { return out_; }
  std::string take();
  // True once exactly one complete top-level value has been written.
  bool complete() const noexcept { return stack_.empty() && wrote_top_; }

 private:
  void before_value();
  enum class Frame : std::uint8_t { object_expect_key, object_expect_value, array_first, array_next };
  std::string out_;
  std::vector<Frame> stack_;
  bool wrote_top_ = false;
};

// Appends `text` as a JSON string literal (quotes included) to `out`, escaped per
// section 7, invalid UTF-8 replaced by U+FFFD. The building block of Writer::value.
void append_string(std::string& out, std::string_view text);

// ---- reader -------------------------------------------------------------------------

enum class Type : std::uint8_t { null, boolean, number, string, array, object };

// A parsed JSON value. Owns its children (strings, arrays, objects) by value.
// Objects keep their members in document order.
class Value {
 public:
  using Array = std::vector<Value>;
  using Member = std::pair<std::string, Value>;
  using Object = std::vector<Member>;

  Value() = default;
  Type type() const noexcept { return type_; }
  bool is_null() const noexcept { return type_ == Type::null; }
  bool is_bool() const noexcept { return type_ == Type::boolean; }
  bool is_number() const noexcept { return type_ == Type::number; }
  bool is_string() const noexcept { return type_ == Type::string; }
  bool is_array() const noexcept { return type_ == Type::array; }
  bool is_object() const noexcept { return type_ == Type::object; }

  // Typed reads: the value, or the fallback when the type differs.
  bool as_bool(bool fallback = false) const noexcept { return is_bool() ? boolean_ : fallback; }
  double as_number(double fallback = 0) const noexcept { return is_number() ? number_ : fallback; }
  std::string_view as_string(std::string_view fallback = {}) const noexcept {
    return is_string() ? std::string_view(string_) : fallback;
  }
  // The number as an integer when it is one exactly and in range; nullopt otherwise.
  std::optional<std::int64_t> as_int() const noexcept;

  const Array& array() const noexcept;    // empty unless is_array()
  const Object& object() const noexcept;  // empty unless is_object()
  std::size_t size() const noexcept { return is_array() ? array_.size() : is_object() ? object_.size() : 0; }

  // Member lookup in an object (nullptr if absent or not an object). Linear: objects in
  // the demo have a handful of members.
  const Value* find(std::string_view name) const noexcept;
  // Convenience: the member's string, or nullopt when absent or not a string.
  std::optional<std::string_view> string_at(std::string_view name) const noexcept;
  std::optional<double> number_at(std::string_view name) const noexcept;

  static Value make_null() { return Value(); }
  static Value make_bool(bool b);
  static Value make_number(double n);
  static Value make_string(std::string s);
  static Value make_array(Array a);
  static Value make_object(Object o);

 private:
  Type type_ = Type::null;
  bool boolean_ = false;
  double number_ = 0;
  std::string string_;
  Array array_;
  Object object_;
};

// One named error per rule, each with the RFC 8259 section it enforces.
enum class ParseError : std::uint8_t {
  none = 0,
  empty_input,           // section 2: a JSON text is one value
  unexpected_end,        // the text ends inside a value
  unexpected_character,  // section 2/3: not the start of a value or a structural character
  trailing_characters,   // section 2: only whitespace may follow the value
  trailing_comma,        // section 4/5: `[1,]`, `{"a":1,}`
  bad_literal,           // section 3: only `true`, `false`, `null` (lowercase)
  leading_zero,          // section 6: `01` is not a number
  bad_number,            // section 6: `-`, `1.`, `.5`, `1e`, `+1`
  number_out_of_range,   // section 9: overflows a double
  control_in_string,     // section 7: U+0000..U+001F must be escaped
  bad_escape,            // section 7: only \" \\ \/ \b \f \n \r \t \uXXXX
  lone_surrogate,        // section 7/8.2: a \uD800..\uDFFF not in a valid pair
  invalid_utf8,          // section 8.1: the text must be UTF-8
  missing_colon,         // section 4: name-separator between name and value
  key_not_string,        // section 4: names are strings
  duplicate_key,         // section 4: names SHOULD be unique; we require it
  too_deep,              // section 9: nesting limit
};

// A short stable name for the error ("trailing_comma"), for logs and error replies.
std::string_view to_string(ParseError e) noexcept;

struct ParseOptions {
  std::size_t max_depth = 64;  // arrays + objects nested; 0 allows only scalars
};

struct ParseResult {
  Value value;                            // meaningful only when error == none
  ParseError error = ParseError::none;
  std::size_t offset = 0;                 // byte offset where the error was found
  explicit operator bool() const noexcept { return error == ParseError::none; }
};

// Parses one complete JSON text. Never throws; allocates the Value tree.
ParseResult parse(std::string_view text, ParseOptions options = {});

}  // namespace sluice::json
