#include "app/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using sluice::json::ParseError;
using sluice::json::Writer;
namespace json = sluice::json;

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

ParseError error_of(std::string_view text) { return json::parse(text).error; }

}  // namespace

TEST_SUITE("app") {

// ---- writer -------------------------------------------------------------------------------

TEST_CASE("RFC 8259 7: quotation mark, reverse solidus and control characters are escaped") {
  CHECK(quoted("plain") == "\"plain\"");
  CHECK(quoted("a\"b") == R"("a\"b")");
  CHECK(quoted("a\\b") == R"("a\\b")");
  CHECK(quoted("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(quoted(std::string_view("\0", 1)) == R"("\u0000")");
  CHECK(quoted("\x01\x1f") == R"("\u0001\u001f")");
  // U+007F and '/' need no escape.
  CHECK(quoted("\x7f/") == "\"\x7f/\"");
}

TEST_CASE("RFC 8259 7: every control character U+0000..U+001F is written escaped and reads back") {
  for (int c = 0; c < 0x20; ++c) {
    const std::string in(1, static_cast<char>(c));
    const std::string out = quoted(in);
    CHECK(out.size() > 3);
    for (char ch : out) CHECK(static_cast<unsigned char>(ch) >= 0x20);
    auto r = json::parse(out);
    REQUIRE(r);
    CHECK(r.value.as_string() == in);
  }
}

TEST_CASE("RFC 8259 8.1: valid UTF-8 passes through unescaped") {
  const std::string s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E";  // é € 𝄞
  CHECK(quoted(s) == "\"" + s + "\"");
}

TEST_CASE("RFC 8259 8.1: invalid UTF-8 is replaced by U+FFFD per maximal subpart") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(quoted("a\xFF" "b") == "\"a" + fffd + "b\"");             // never a lead byte
  CHECK(quoted("\xC0\xAF") == "\"" + fffd + fffd + "\"");           // overlong: two subparts
  CHECK(quoted("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");  // surrogate U+D800
  CHECK(quoted("\xE2\x82") == "\"" + fffd + "\"");                  // truncated: one subpart
  CHECK(quoted("\xE2\x82x") == "\"" + fffd + "x\"");
  CHECK(quoted("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  CHECK(quoted("\x80") == "\"" + fffd + "\"");                      // lone continuation
  // The output of the writer is always accepted by the strict reader.
  CHECK(json::parse(quoted("\xC3\x28\xFF\xE2\x82")));
}

TEST_CASE("RFC 8259 6: numbers are finite; non-finite doubles are written as null") {
  Writer w;
  w.begin_array()
      .value(0)
      .value(-17)
      .value(std::int64_t{-9223372036854775807 - 1})
      .value(std::uint64_t{18446744073709551615u})
      .value(0.5)
      .value(1e21)
      .value(std::numeric_limits<double>::infinity())
      .value(std::nan(""))
      .end_array();
  CHECK(w.complete());
  CHECK(w.str() == "[0,-17,-9223372036854775808,18446744073709551615,0.5,1e+21,null,null]");
  auto r = json::parse(w.str());
  REQUIRE(r);
  CHECK(r.value.array()[4].as_number() == 0.5);
}

TEST_CASE("RFC 8259 6: doubles are written in a form that reads back equal") {
  for (double d : {0.1, 1.0 / 3.0, 123.456, -2.5e-300, 1.7976931348623157e308, 5e-324}) {
    Writer w;
    w.value(d);
    auto r = json::parse(w.str());
    REQUIRE(r);
    CHECK(r.value.as_number() == d);
  }
}

TEST_CASE("RFC 8259 4 and 5: nested objects and arrays with separators") {
  Writer w;
  w.begin_object()
      .field("type", "chat")
      .field("ok", true)
      .key("list")
      .begin_array()
      .value(1)
      .begin_object()
      .end_object()
      .begin_array()
      .end_array()
      .null()
      .end_array()
      .key("obj")
      .begin_object()
      .field("k\"ey", "v\n")
      .end_object()
      .end_object();
  CHECK(w.complete());
  CHECK(w.str() == R"({"type":"chat","ok":true,"list":[1,{},[],null],"obj":{"k\"ey":"v\n"}})");
  auto r = json::parse(w.str());
  REQUIRE(r);
  CHECK(r.value.find("obj")->string_at("k\"ey") == "v\n");
  const std::string text = w.take();
  CHECK(w.str().empty());
  CHECK_FALSE(w.complete());
  CHECK(text.front() == '{');
}

TEST_CASE("json writer: raw() embeds another writer's value") {
  Writer inner;
  inner.begin_array().value(1).value(2).end_array();
  Writer outer;
  outer.begin_object().key("a").raw(inner.str()).field("b", 3).end_object();
  CHECK(outer.str() == R"({"a":[1,2],"b":3})");
}

// ---- reader: RFC 8259 examples ------------------------------------------------------------

TEST_CASE("RFC 8259 13: the example object parses with its values") {
  const char* text = R"({
      "Image": {
          "Width":  800,
          "Height": 600,
          "Title":  "View from 15th Floor",
          "Thumbnail": {
              "Url":    "http://www.example.com/image/481989943",
              "Height": 125,
              "Width":  100
          },
          "Animated" : false,
          "IDs": [116, 943, 234, 38793]
        }
    })";
  auto r = json::parse(text);
  REQUIRE(r);
  const auto* image = r.value.find("Image");
  REQUIRE(image != nullptr);
  CHECK(image->number_at("Width") == 800);
  CHECK(image->string_at("Title") == "View from 15th Floor");
  CHECK(image->find("Thumbnail")->string_at("Url") == "http://www.example.com/image/481989943");
  CHECK(image->find("Animated")->is_bool());
  CHECK_FALSE(image->find("Animated")->as_bool(true));
  REQUIRE(image->find("IDs")->size() == 4);
  CHECK(image->find("IDs")->array()[3].as_int() == 38793);
}

TEST_CASE("RFC 8259 13: the example array of objects parses") {
  const char* text = R"([
        {
           "precision": "zip",
           "Latitude":  37.7668,
           "Longitude": -122.3959,
           "Address":   "",
           "City":      "SAN FRANCISCO",
           "State":     "CA",
           "Zip":       "94107",
           "Country":   "US"
        },
        {
           "precision": "zip",
           "Latitude":  37.371991,
           "Longitude": -122.026020,
           "Address":   "",
           "City":      "SUNNYVALE",
           "State":     "CA",
           "Zip":       "94085",
           "Country":   "US"
        }
      ])";
  auto r = json::parse(text);
  REQUIRE(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value.array()[1].number_at("Longitude") == doctest::Approx(-122.026020));
  CHECK(r.value.array()[0].string_at("Address") == "");
}

TEST_CASE("RFC 8259 13: scalars are JSON texts on their own") {
  CHECK(json::parse("\"Hello world!\"").value.as_string() == "Hello world!");
  CHECK(json::parse("42").value.as_int() == 42);
  CHECK(json::parse("true").value.as_bool());
  CHECK(json::parse(" null ").value.is_null());
  CHECK(json::parse(" \t\r\n[ ] \n").value.is_array());
}

TEST_CASE("RFC 8259 6: number grammar accepts the valid forms") {
  CHECK(json::parse("-0").value.as_number() == 0);
  CHECK(std::signbit(json::parse("-0").value.as_number()));
  CHECK(json::parse("0.5").value.as_number() == 0.5);
  CHECK(json::parse("1E3").value.as_number() == 1000);
  CHECK(json::parse("1e+3").value.as_number() == 1000);
  CHECK(json::parse("25e-1").value.as_number() == 2.5);
  CHECK(json::parse("-12.5e0").value.as_number() == -12.5);
  CHECK(json::parse("1e-400").value.as_number() == 0);  // underflow rounds to zero
  CHECK(json::parse("9007199254740993").value.is_number());
  CHECK(json::parse("1.5").value.as_int() == std::nullopt);
  CHECK(json::parse("1e19").value.as_int() == std::nullopt);
}

TEST_CASE("RFC 8259 7: escapes decode, including a surrogate pair (the G clef example)") {
  CHECK(json::parse(R"("\"\\\/\b\f\n\r\t")").value.as_string() == "\"\\/\b\f\n\r\t");
  CHECK(json::parse(R"("\u005C")").value.as_string() == "\\");
  CHECK(json::parse(R"("\u00e9\u20AC")").value.as_string() == "\xC3\xA9\xE2\x82\xAC");
  CHECK(json::parse(R"("\uD834\uDD1E")").value.as_string() == "\xF0\x9D\x84\x9E");
  CHECK(json::parse(R"("\u0000")").value.as_string() == std::string_view("\0", 1));
  CHECK(json::parse("\"caf\xC3\xA9\"").value.as_string() == "caf\xC3\xA9");
}

// ---- reader: rejections -------------------------------------------------------------------

TEST_CASE("RFC 8259 2: the text is exactly one value") {
  CHECK(error_of("") == ParseError::empty_input);
  CHECK(error_of("   ") == ParseError::empty_input);
  CHECK(error_of("1 2") == ParseError::trailing_characters);
  CHECK(error_of("{} x") == ParseError::trailing_characters);
  CHECK(error_of("\xC2\xA0" "1") == ParseError::unexpected_character);  // NBSP is not whitespace
  CHECK(error_of("\f1") == ParseError::unexpected_character);          // nor is form feed
}

TEST_CASE("RFC 8259 4/5: trailing commas are rejected") {
  CHECK(error_of("[1,]") == ParseError::trailing_comma);
  CHECK(error_of("[1, ]") == ParseError::trailing_comma);
  CHECK(error_of(R"({"a":1,})") == ParseError::trailing_comma);
  CHECK(error_of("[,1]") == ParseError::unexpected_character);
  CHECK(error_of("[1,,2]") == ParseError::unexpected_character);
  CHECK(error_of("[1 2]") == ParseError::unexpected_character);
}

TEST_CASE("RFC 8259 2: comments are not JSON") {
  CHECK_FALSE(json::parse("// c\n1"));
  CHECK_FALSE(json::parse("/* c */ 1"));
  CHECK_FALSE(json::parse("[1 /* c */]"));
  CHECK_FALSE(json::parse("1 # c"));
}

TEST_CASE("RFC 8259 6: leading zeros and malformed numbers are rejected") {
  CHECK(error_of("01") == ParseError::leading_zero);
  CHECK(error_of("-01") == ParseError::leading_zero);
  CHECK(error_of("00") == ParseError::leading_zero);
  CHECK(error_of("+1") == ParseError::unexpected_character);
  CHECK(error_of(".5") == ParseError::unexpected_character);
  CHECK(error_of("1.") == ParseError::unexpected_end);
  CHECK(error_of("[1.]") == ParseError::bad_number);
  CHECK(error_of("1.e3") == ParseError::bad_number);
  CHECK(error_of("1e") == ParseError::unexpected_end);
  CHECK(error_of("[1e]") == ParseError::bad_number);
  CHECK(error_of("-") == ParseError::unexpected_end);
  CHECK(error_of("-a") == ParseError::bad_number);
  CHECK(error_of("0x10") == ParseError::trailing_characters);
  CHECK(error_of("NaN") == ParseError::unexpected_character);
  CHECK(error_of("Infinity") == ParseError::unexpected_character);
  CHECK(error_of("-Infinity") == ParseError::bad_number);
  CHECK(error_of("1e400") == ParseError::number_out_of_range);
  CHECK(error_of("-1e400") == ParseError::number_out_of_range);
  CHECK(error_of(std::string(400, '9')) == ParseError::number_out_of_range);
}

TEST_CASE("RFC 8259 3: literals are lowercase true, false, null") {
  CHECK(error_of("True") == ParseError::unexpected_character);
  CHECK(error_of("nul") == ParseError::unexpected_end);
  CHECK(error_of("nulx") == ParseError::bad_literal);
  CHECK(error_of("truex") == ParseError::trailing_characters);
  CHECK(error_of("fals e") == ParseError::bad_literal);
}

TEST_CASE("RFC 8259 7: strings reject raw control characters, bad escapes and single quotes") {
  CHECK(error_of("\"a\nb\"") == ParseError::control_in_string);
  CHECK(error_of(std::string("\"a\0b\"", 5)) == ParseError::control_in_string);
  CHECK(error_of("\"\x1f\"") == ParseError::control_in_string);
  CHECK(error_of(R"("\x41")") == ParseError::bad_escape);
  CHECK(error_of(R"("\a")") == ParseError::bad_escape);
  CHECK(error_of(R"("\u12G4")") == ParseError::bad_escape);
  CHECK(error_of(R"("\U0041")") == ParseError::bad_escape);
  CHECK(error_of("'a'") == ParseError::unexpected_character);
  CHECK(error_of("\"abc") == ParseError::unexpected_end);
  CHECK(json::parse("\"\x7f\"").value.as_string() == "\x7f");  // DEL is not a control here
}

TEST_CASE("RFC 8259 7/8.2: lone surrogates in \\u escapes are rejected") {
  CHECK(error_of(R"("\uD834")") == ParseError::lone_surrogate);
  CHECK(error_of(R"("\uD834x")") == ParseError::lone_surrogate);
  CHECK(error_of(R"("\uDD1E")") == ParseError::lone_surrogate);
  CHECK(error_of(R"("\uD834\uD834")") == ParseError::lone_surrogate);
  CHECK(error_of(R"("\uD834\u0041")") == ParseError::lone_surrogate);
  CHECK(error_of(R"("\uD834\n")") == ParseError::lone_surrogate);
  CHECK(error_of(R"("\uDD1E\uD834")") == ParseError::lone_surrogate);
}

TEST_CASE("RFC 8259 8.1: invalid UTF-8 in the text is rejected") {
  CHECK(error_of("\"\xFF\"") == ParseError::invalid_utf8);
  CHECK(error_of("\"\xC0\xAF\"") == ParseError::invalid_utf8);      // overlong '/'
  CHECK(error_of("\"\xED\xA0\x80\"") == ParseError::invalid_utf8);  // encoded surrogate
  CHECK(error_of("\"\xF4\x90\x80\x80\"") == ParseError::invalid_utf8);
  CHECK(error_of("\"\xE2\x82\"") == ParseError::invalid_utf8);      // truncated, then a quote
  CHECK(error_of("\"\xE2\x82") == ParseError::unexpected_end);      // truncated at the end
}

TEST_CASE("RFC 8259 4: object members need string names, a colon, and unique names") {
  CHECK(error_of("{a:1}") == ParseError::key_not_string);
  CHECK(error_of("{1:1}") == ParseError::key_not_string);
  CHECK(error_of(R"({"a" 1})") == ParseError::missing_colon);
  CHECK(error_of(R"({"a":1 "b":2})") == ParseError::unexpected_character);
  auto dup = json::parse(R"({"a":1,"b":2,"a":3})");
  CHECK(dup.error == ParseError::duplicate_key);
  CHECK(dup.offset == 13);  // points at the second "a"
  // Names equal after unescaping are the same name.
  CHECK(error_of(R"({"a":1,"\u0061":2})") == ParseError::duplicate_key);
  // The same name in different objects is fine.
  CHECK(json::parse(R"({"a":{"a":1},"b":{"a":2}})"));
}

TEST_CASE("RFC 8259 9: nesting deeper than the limit is rejected") {
  auto nest = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  CHECK(json::parse(nest(64)));
  CHECK(error_of(nest(65)) == ParseError::too_deep);
  CHECK(json::parse(nest(3), {.max_depth = 3}));
  CHECK(json::parse(nest(4), {.max_depth = 3}).error == ParseError::too_deep);
  CHECK(json::parse("1", {.max_depth = 0}));
  CHECK(json::parse("{}", {.max_depth = 0}).error == ParseError::too_deep);
  // Deep input fails fast without exhausting the stack.
  CHECK(error_of(std::string(1'000'000, '[')) == ParseError::too_deep);
  std::string objects;
  for (int i = 0; i < 100; ++i) objects += "{\"a\":";
  CHECK(error_of(objects) == ParseError::too_deep);
}

TEST_CASE("RFC 8259 2: every proper prefix of a document is rejected as unexpected_end") {
  const std::string doc = R"({"a":[1,-2.5e3,true,false,null,"x\u00e9\uD834\uDD1E"],"b":{}})";
  REQUIRE(json::parse(doc));
  for (std::size_t n = 0; n < doc.size(); ++n) {
    CAPTURE(n);
    const auto r = json::parse(std::string_view(doc).substr(0, n));
    CHECK_FALSE(r);
    CHECK((r.error == ParseError::unexpected_end || r.error == ParseError::empty_input));
  }
}

TEST_CASE("json reader: an error reports its byte offset and leaves an empty value") {
  auto r = json::parse("[1, 2, x]");
  CHECK(r.error == ParseError::unexpected_character);
  CHECK(r.offset == 7);
  CHECK(r.value.is_null());
  CHECK(json::to_string(ParseError::trailing_comma) == "trailing_comma");
}

TEST_CASE("json reader: typed reads fall back when the type differs") {
  auto r = json::parse(R"({"s":"x","n":1,"arr":[1]})");
  REQUIRE(r);
  CHECK(r.value.string_at("n") == std::nullopt);
  CHECK(r.value.number_at("s") == std::nullopt);
  CHECK(r.value.string_at("missing") == std::nullopt);
  CHECK(r.value.find("arr")->object().empty());
  CHECK(r.value.find("s")->as_number(7) == 7);
  CHECK(r.value.array().empty());
}

TEST_CASE("json: writer output round-trips through the reader for awkward strings") {
  for (std::string s : {std::string("\"\\/"), std::string("\x01\x02\x1f"), std::string("\xF0\x9F\x98\x80 ok"),
                        std::string("</script>"), std::string(1000, 'x')}) {
    Writer w;
    w.begin_object().field("k", s).end_object();
    auto r = json::parse(w.str());
    REQUIRE(r);
    CHECK(r.value.string_at("k") == s);
  }
}

}  // TEST_SUITE
