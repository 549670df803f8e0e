#include "app/json.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <system_error>

namespace sluice::json {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the UTF-8 sequence at p (at least 1). `valid` is false when the bytes are
// not a well-formed sequence; the returned length is then the maximal invalid subpart.
std::size_t utf8_sequence(const unsigned char* p, std::size_t n, bool& valid) {
  const unsigned char b0 = p[0];
  valid = false;
  if (b0 < 0x80) {
    valid = true;
    return 1;
  }
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 1;
  }
  std::size_t i = 1;
  for (; i < need; ++i) {
    if (i >= n) return i;
    const unsigned char b = p[i];
    const unsigned char l = i == 1 ? lo : 0x80;
    const unsigned char h = i == 1 ? hi : 0xBF;
    if (b < l || b > h) return i;
  }
  valid = true;
  return need;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// ---- writer -------------------------------------------------------------------------

void append_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  out.reserve(out.size() + n + 2);
  while (i < n) {
    // Copy the run of bytes that need no escape in one append.
    std::size_t run = i;
    while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\') ++run;
    if (run > i) {
      out.append(text.data() + i, run - i);
      i = run;
      if (i == n) break;
    }
    const unsigned char c = p[i];
    if (c >= 0x80) {
      bool valid = false;
      const std::size_t len = utf8_sequence(p + i, n - i, valid);
      if (valid) {
        out.append(text.data() + i, len);
      } else {
        out.append(kReplacement);
      }
      i += len;
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void Writer::before_value() {
  if (stack_.empty()) {
    assert(!wrote_top_ && "a JSON text holds one value");
    wrote_top_ = true;
    return;
  }
  Frame& f = stack_.back();
  switch (f) {
    case Frame::object_expect_value: f = Frame::object_expect_key; break;
    case Frame::array_first: f = Frame::array_next; break;
    case Frame::array_next: out_.push_back(','); break;
    case Frame::object_expect_key: assert(false && "key() is due before a value in an object"); break;
  }
}

Writer& Writer::begin_object() {
  before_value();
  out_.push_back('{');
  stack_.push_back(Frame::object_expect_key);
  return *this;
}

Writer& Writer::end_object() {
  assert(!stack_.empty() && stack_.back() == Frame::object_expect_key);
  stack_.pop_back();
  out_.push_back('}');
  return *this;
}

Writer& Writer::begin_array() {
  before_value();
  out_.push_back('[');
  stack_.push_back(Frame::array_first);
  return *this;
}

Writer& Writer::end_array() {
  assert(!stack_.empty() && (stack_.back() == Frame::array_first || stack_.back() == Frame::array_next));
  stack_.pop_back();
  out_.push_back(']');
  return *this;
}

Writer& Writer::key(std::string_view name) {
  assert(!stack_.empty() && stack_.back() == Frame::object_expect_key);
  if (out_.back() != '{') out_.push_back(',');
  append_string(out_, name);
  out_.push_back(':');
  stack_.back() = Frame::object_expect_value;
  return *this;
}

Writer& Writer::value(std::string_view text) {
  before_value();
  append_string(out_, text);
  return *this;
}

Writer& Writer::value(bool b) {
  before_value();
  out_.append(b ? "true" : "false");
  return *this;
}

Writer& Writer::value(double number) {
  before_value();
  if (!std::isfinite(number)) {
    out_.append("null");
    return *this;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, number);
  out_.append(buf, r.ptr);
  return *this;
}

namespace {
// Decimal digits of any integer (20 digits and a sign fit in 24 bytes).
template <class Integer>
void append_integer(std::string& out, Integer number) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, number);
  out.append(buf, r.ptr);
}
}  // namespace

Writer& Writer::value(std::int64_t number) {
  before_value();
  append_integer(out_, number);
  return *this;
}

Writer& Writer::value(std::uint64_t number) {
  before_value();
  append_integer(out_, number);
  return *this;
}

Writer& Writer::null() {
  before_value();
  out_.append("null");
  return *this;
}

Writer& Writer::raw(std::string_view json_text) {
  before_value();
  out_.append(json_text);
  return *this;
}

std::string Writer::take() {
  std::string s = std::move(out_);
  out_.clear();
  stack_.clear();
  wrote_top_ = false;
  return s;
}

// ---- values ---------------------------------------------------------------------------

std::optional<std::int64_t> Value::as_int() const noexcept {
  if (!is_number()) return std::nullopt;
  // 2^63 is exactly representable; anything >= it does not fit.
  if (!(number_ >= -9223372036854775808.0 && number_ < 9223372036854775808.0)) return std::nullopt;
  const auto i = static_cast<std::int64_t>(number_);
  if (static_cast<double>(i) != number_) return std::nullopt;
  return i;
}

const Value::Array& Value::array() const noexcept {
  static const Array kEmpty;
  return is_array() ? array_ : kEmpty;
}

const Value::Object& Value::object() const noexcept {
  static const Object kEmpty;
  return is_object() ? object_ : kEmpty;
}

const Value* Value::find(std::string_view name) const noexcept {
  if (!is_object()) return nullptr;
  for (const auto& m : object_) {
    if (m.first == name) return &m.second;
  }
  return nullptr;
}

std::optional<std::string_view> Value::string_at(std::string_view name) const noexcept {
  const Value* v = find(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->as_string();
}

std::optional<double> Value::number_at(std::string_view name) const noexcept {
  const Value* v = find(name);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->as_number();
}

Value Value::make_bool(bool b) {
  Value v;
  v.type_ = Type::boolean;
  v.boolean_ = b;
  return v;
}

Value Value::make_number(double n) {
  Value v;
  v.type_ = Type::number;
  v.number_ = n;
  return v;
}

Value Value::make_string(std::string s) {
  Value v;
  v.type_ = Type::string;
  v.string_ = std::move(s);
  return v;
}

Value Value::make_array(Array a) {
  Value v;
  v.type_ = Type::array;
  v.array_ = std::move(a);
  return v;
}

Value Value::make_object(Object o) {
  Value v;
  v.type_ = Type::object;
  v.object_ = std::move(o);
  return v;
}

// ---- reader -----------------------------------------------------------------------------

std::string_view to_string(ParseError e) noexcept {
  switch (e) {
    case ParseError::none: return "none";
    case ParseError::empty_input: return "empty_input";
    case ParseError::unexpected_end: return "unexpected_end";
    case ParseError::unexpected_character: return "unexpected_character";
    case ParseError::trailing_characters: return "trailing_characters";
    case ParseError::trailing_comma: return "trailing_comma";
    case ParseError::bad_literal: return "bad_literal";
    case ParseError::leading_zero: return "leading_zero";
    case ParseError::bad_number: return "bad_number";
    case ParseError::number_out_of_range: return "number_out_of_range";
    case ParseError::control_in_string: return "control_in_string";
    case ParseError::bad_escape: return "bad_escape";
    case ParseError::lone_surrogate: return "lone_surrogate";
    case ParseError::invalid_utf8: return "invalid_utf8";
    case ParseError::missing_colon: return "missing_colon";
    case ParseError::key_not_string: return "key_not_string";
    case ParseError::duplicate_key: return "duplicate_key";
    case ParseError::too_deep: return "too_deep";
  }
  return "unknown";
}

namespace {

// Recursive descent over the whole text; depth is bounded by ParseOptions::max_depth,
// so the native stack is bounded too.
class Parser {
 public:
  Parser(std::string_view text, ParseOptions options) : s_(text), options_(options) {}

  ParseResult run() {
    ParseResult r;
    skip_ws();
    if (pos_ == s_.size()) return fail(r, ParseError::empty_input);
    if (!parse_value(r.value, 0)) return fail(r, error_);
    skip_ws();
    if (pos_ != s_.size()) return fail(r, ParseError::trailing_characters);
    return r;
  }

 private:
  ParseResult& fail(ParseResult& r, ParseError e) {
    r.value = Value();
    r.error = e;
    r.offset = pos_;
    return r;
  }

  bool error(ParseError e) {
    error_ = e;
    return false;
  }

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }

  // Section 2: insignificant whitespace is space, tab, line feed, carriage return.
  void skip_ws() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool parse_value(Value& out, std::size_t depth) {
    if (at_end()) return error(ParseError::unexpected_end);
    switch (peek()) {
      case '{': return parse_object(out, depth + 1);
      case '[': return parse_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!parse_string(s)) return false;
        out = Value::make_string(std::move(s));
        return true;
      }
      case 't': return parse_literal("true", Value::make_bool(true), out);
      case 'f': return parse_literal("false", Value::make_bool(false), out);
      case 'n': return parse_literal("null", Value::make_null(), out);
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return parse_number(out);
        return error(ParseError::unexpected_character);
    }
  }

  bool parse_literal(std::string_view word, Value v, Value& out) {
    const std::string_view rest = s_.substr(pos_, word.size());
    if (rest != word) {
      if (word.substr(0, rest.size()) == rest) {
        pos_ += rest.size();
        return error(ParseError::unexpected_end);
      }
      return error(ParseError::bad_literal);
    }
    pos_ += word.size();
    out = std::move(v);
    return true;
  }

  // Section 6: number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT )
  bool parse_number(Value& out) {
    const std::size_t start = pos_;
    auto digit = [&] { return !at_end() && peek() >= '0' && peek() <= '9'; };
    if (peek() == '-') ++pos_;
    if (at_end()) return error(ParseError::unexpected_end);
    if (!digit()) return error(ParseError::bad_number);
    std::size_t int_digits = 0;  // significant integer digits, for the underflow check
    if (peek() == '0') {
      ++pos_;
      if (digit()) return error(ParseError::leading_zero);
    } else {
      while (digit()) {
        ++pos_;
        ++int_digits;
      }
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (at_end()) return error(ParseError::unexpected_end);
      if (!digit()) return error(ParseError::bad_number);
      while (digit()) ++pos_;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (at_end()) return error(ParseError::unexpected_end);
      if (!digit()) return error(ParseError::bad_number);
      while (digit()) ++pos_;
    }
    double d = 0;
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    const auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Too small for a double rounds to zero (allowed); too large is rejected.
      if (looks_tiny(std::string_view(first, static_cast<std::size_t>(last - first)), int_digits)) {
        d = *first == '-' ? -0.0 : 0.0;
      } else {
        pos_ = start;
        return error(ParseError::number_out_of_range);
      }
    } else if (r.ec != std::errc() || r.ptr != last) {
      pos_ = start;
      return error(ParseError::bad_number);
    }
    out = Value::make_number(d);
    return true;
  }

  // An out-of-range number is an underflow (rounds to zero) when its exponent is negative,
  // or when it has no exponent and no significant integer digit (0.000...1).
  static bool looks_tiny(std::string_view num, std::size_t int_digits) {
    const std::size_t e = num.find_first_of("eE");
    if (e == std::string_view::npos) return int_digits == 0;
    return e + 1 < num.size() && num[e + 1] == '-';
  }

  bool hex4(std::uint32_t& v) {
    v = 0;
    for (int i = 0; i < 4; ++i) {
      if (at_end()) return error(ParseError::unexpected_end);
      const char c = peek();
      std::uint32_t d = 0;
      if (c >= '0' && c <= '9') {
        d = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return error(ParseError::bad_escape);
      }
      v = v * 16 + d;
      ++pos_;
    }
    return true;
  }

  // Section 7: string = quotation-mark *char quotation-mark
  bool parse_string(std::string& out) {
    ++pos_;  // the opening quote
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    while (true) {
      if (at_end()) return error(ParseError::unexpected_end);
      const unsigned char c = p[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return error(ParseError::control_in_string);
      if (c == '\\') {
        if (!parse_escape(out)) return false;
        continue;
      }
      if (c >= 0x80) {
        bool valid = false;
        const std::size_t len = utf8_sequence(p + pos_, s_.size() - pos_, valid);
        if (!valid) {
          // A sequence cut short by the end of the text is "unexpected end" only when
          // what is there is a valid prefix; anything else is invalid UTF-8.
          if (pos_ + len == s_.size()) return error(ParseError::unexpected_end);
          return error(ParseError::invalid_utf8);
        }
        out.append(s_.data() + pos_, len);
        pos_ += len;
        continue;
      }
      out.push_back(static_cast<char>(c));
      ++pos_;
    }
  }

  bool parse_escape(std::string& out) {
    ++pos_;  // the backslash
    if (at_end()) return error(ParseError::unexpected_end);
    const char e = peek();
    ++pos_;
    switch (e) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': break;
      default:
        --pos_;
        return error(ParseError::bad_escape);
    }
    const std::size_t escape_start = pos_ - 2;
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      pos_ = escape_start;
      return error(ParseError::lone_surrogate);
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      // Section 7: a code point above the BMP is a UTF-16 surrogate pair, \uD834\uDD1E.
      if (s_.size() - pos_ >= 2 && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
        pos_ += 2;
        std::uint32_t low = 0;
        if (!hex4(low)) return false;
        if (low < 0xDC00 || low > 0xDFFF) {
          pos_ = escape_start;
          return error(ParseError::lone_surrogate);
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else {
        if (s_.size() - pos_ < 2 && (at_end() || peek() == '\\')) return error(ParseError::unexpected_end);
        pos_ = escape_start;
        return error(ParseError::lone_surrogate);
      }
    }
    append_utf8(out, cp);
    return true;
  }

  // Where a container's elements stand after '[' / '{' or after an element: another
  // element follows, the container closed, or the input is in error (already recorded).
  enum class Step : std::uint8_t { element, closed, failed };

  Step step_error(ParseError e) {
    error(e);
    return Step::failed;
  }

  // After the opening bracket: an immediate `close` is an empty container.
  Step first_step(char close) {
    skip_ws();
    if (at_end()) return step_error(ParseError::unexpected_end);
    if (peek() != close) return Step::element;
    ++pos_;
    return Step::closed;
  }

  // Section 2 value-separator: after an element, `close` or a comma and another element
  // (a comma right before `close` is a trailing comma).
  Step next_step(char close) {
    skip_ws();
    if (at_end()) return step_error(ParseError::unexpected_end);
    if (peek() == close) {
      ++pos_;
      return Step::closed;
    }
    if (peek() != ',') return step_error(ParseError::unexpected_character);
    ++pos_;
    skip_ws();
    if (at_end()) return step_error(ParseError::unexpected_end);
    if (peek() == close) return step_error(ParseError::trailing_comma);
    return Step::element;
  }

  // Section 5: array = begin-array [ value *( value-separator value ) ] end-array
  bool parse_array(Value& out, std::size_t depth) {
    if (depth > options_.max_depth) return error(ParseError::too_deep);
    ++pos_;
    Value::Array items;
    for (Step step = first_step(']'); step != Step::closed; step = next_step(']')) {
      if (step == Step::failed) return false;
      items.emplace_back();
      if (!parse_value(items.back(), depth)) return false;
    }
    out = Value::make_array(std::move(items));
    return true;
  }

  // Section 4: object = begin-object [ member *( value-separator member ) ] end-object
  bool parse_object(Value& out, std::size_t depth) {
    if (depth > options_.max_depth) return error(ParseError::too_deep);
    ++pos_;
    Value::Object members;
    std::set<std::string, std::less<>> names;  // O(log n) duplicate check per member
    for (Step step = first_step('}'); step != Step::closed; step = next_step('}')) {
      if (step == Step::failed) return false;
      if (peek() != '"') return error(ParseError::key_not_string);
      const std::size_t key_pos = pos_;
      std::string name;
      if (!parse_string(name)) return false;
      if (!names.insert(name).second) {
        pos_ = key_pos;
        return error(ParseError::duplicate_key);
      }
      skip_ws();
      if (at_end()) return error(ParseError::unexpected_end);
      if (peek() != ':') return error(ParseError::missing_colon);
      ++pos_;
      skip_ws();
      members.emplace_back(std::move(name), Value());
      if (!parse_value(members.back().second, depth)) return false;
    }
    out = Value::make_object(std::move(members));
    return true;
  }

  std::string_view s_;
  ParseOptions options_;
  std::size_t pos_ = 0;
  ParseError error_ = ParseError::none;
};

}  // namespace

ParseResult parse(std::string_view text, ParseOptions options) {
  return Parser(text, options).run();
}

}  // namespace sluice::json
