// RESP (the Redis serialization protocol specification): parse_resp table-driven over every
// type, the spec's examples, each malformed case and each limit; every case also at every
// prefix (the parser is stateless, so a prefix is a split point: it must ask for more, or
// fail exactly as the whole does). Inputs sit just before a PROT_NONE page. The command
// encoder byte for byte and in binary-safe round trips through the parser.
#include "proto/resp_parser.hpp"
#include "proto/resp_encoder.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "test/support/escaped.hpp"
#include "test/support/guard_page.hpp"

using namespace sluice::proto;
using sluice::test::escaped;
using sluice::test::GuardedBytes;

namespace {


// One value and its subtree, e.g. *2[$foo :7]; advances i past the subtree.
std::string describe(const std::vector<RespValue>& v, std::size_t& i) {
    const RespValue& x = v[i];
    const std::size_t end = i + x.size;
    ++i;
    switch (x.type) {
        case RespType::simple_string: return "+" + escaped(x.text);
        case RespType::error: return "-" + escaped(x.text);
        case RespType::integer: return ":" + std::to_string(x.integer);
        case RespType::bulk_string: return "$" + escaped(x.text);
        case RespType::null_bulk: return "$nil";
        case RespType::null_array: return "*nil";
        case RespType::array:
        case RespType::push: {
            std::string out = (x.type == RespType::push ? ">" : "*") + std::to_string(x.integer) + "[";
            for (std::int64_t k = 0; k < x.integer; ++k) {
                if (k > 0) out += " ";
                out += describe(v, i);
            }
            if (i != end) out += " !size";
            return out + "]";
        }
    }
    return "?";
}

std::string parse(std::string_view input, const RespLimits& limits = {}, std::size_t storage = 64) {
    GuardedBytes bytes(input);
    std::vector<RespValue> values(storage);
    const RespResult r = parse_resp(bytes.span(), values, limits);
    switch (r.status) {
        case RespStatus::done: {
            values.resize(r.values);
            std::size_t i = 0;
            std::string tree = describe(values, i);
            if (i != r.values) tree += " !values";
            return tree + " consumed=" + std::to_string(r.consumed);
        }
        case RespStatus::need_more: return "need_more at_least=" + std::to_string(r.at_least);
        case RespStatus::error: return std::string(resp_error_name(r.error));
    }
    return "?";
}

struct RespCase {
    std::string rule;
    std::string input;
    std::string expect;
    RespLimits limits{};
    std::size_t storage = 64;
};

void run_table(const std::vector<RespCase>& cases) {
    for (const RespCase& c : cases) {
        INFO(c.rule);
        const std::string whole = parse(c.input, c.limits, c.storage);
        CHECK(whole == c.expect);
        const bool done = whole.find(" consumed=") != std::string::npos;
        std::size_t promised = 0;  // the largest at_least so far: shorter prefixes must need more
        for (std::size_t k = 0; k < c.input.size(); ++k) {
            const std::string got = parse(std::string_view(c.input).substr(0, k), c.limits, c.storage);
            // A prefix asks for more (never for fewer bytes than it has, never past a byte
            // that would end the reply or fail it), or is the same as the whole.
            const bool more = got.rfind("need_more at_least=", 0) == 0;
            bool ok = more || (got == whole && k >= promised);
            if (more) {
                const std::size_t at_least = std::stoul(got.substr(19));
                ok = at_least > k && (!done || at_least <= c.input.size());
                promised = std::max(promised, at_least);
            }
            if (!ok) {
                INFO("prefix of " << k << " bytes: " << got);
                CHECK(ok);
                break;
            }
        }
    }
}

std::string nul(std::string s) {
    for (char& c : s) {
        if (c == '@') c = '\0';
    }
    return s;
}

}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RESP: every type, and the specification's examples") {
    run_table({
        {"Simple strings: +OK", "+OK\r\n", "+OK consumed=5"},
        {"Simple strings: empty", "+\r\n", "+ consumed=3"},
        {"Simple errors: the spec's -Error message", "-Error message\r\n", "-Error message consumed=16"},
        {"Simple errors: -WRONGTYPE", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
         "-WRONGTYPE Operation against a key holding the wrong kind of value consumed=68"},
        {"Integers: :0", ":0\r\n", ":0 consumed=4"},
        {"Integers: :1000", ":1000\r\n", ":1000 consumed=7"},
        {"Integers: a minus sign", ":-42\r\n", ":-42 consumed=6"},
        {"Integers: a plus sign (the grammar allows it)", ":+42\r\n", ":42 consumed=6"},
        {"Integers: leading zeros (1*DIGIT)", ":007\r\n", ":7 consumed=6"},
        {"Integers: the largest signed 64-bit", ":9223372036854775807\r\n", ":9223372036854775807 consumed=22"},
        {"Integers: the smallest signed 64-bit", ":-9223372036854775808\r\n", ":-9223372036854775808 consumed=23"},
        {"Bulk strings: $5 hello", "$5\r\nhello\r\n", "$hello consumed=11"},
        {"Bulk strings: the empty string $0", "$0\r\n\r\n", "$ consumed=6"},
        {"Bulk strings: binary-safe (CR, LF, NUL inside)", nul("$6\r\n\r\n@\n\r@\r\n"), "$\\r\\n\\0\\n\\r\\0 consumed=12"},
        {"Bulk strings: a bulk that looks like a reply", "$5\r\n+OK\r\n\r\n", "$+OK\\r\\n consumed=11"},
        {"Null bulk strings: $-1", "$-1\r\n", "$nil consumed=5"},
        {"Arrays: the empty array", "*0\r\n", "*0[] consumed=4"},
        {"Null arrays: *-1", "*-1\r\n", "*nil consumed=5"},
        {"Arrays: foo bar", "*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n", "*2[$foo $bar] consumed=22"},
        {"Arrays: three integers", "*3\r\n:1\r\n:2\r\n:3\r\n", "*3[:1 :2 :3] consumed=16"},
        {"Arrays: mixed types", "*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n$5\r\nhello\r\n", "*5[:1 :2 :3 :4 $hello] consumed=31"},
        {"Arrays: nested", "*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
         "*2[*3[:1 :2 :3] *2[+Hello -World]] consumed=40"},
        {"Null elements in arrays", "*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n", "*3[$hello $nil $world] consumed=31"},
        {"Arrays: empty and null arrays as elements", "*3\r\n*0\r\n*-1\r\n*1\r\n*0\r\n", "*3[*0[] *nil *1[*0[]]] consumed=21"},
        {"Pub/Sub: a subscribe confirmation", "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
         "*3[$subscribe $news :1] consumed=33"},
        {"Pub/Sub: a message", "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$11\r\nhello world\r\n",
         "*3[$message $news $hello world] consumed=45"},
        {"Pub/Sub: a pmessage", "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
         "*4[$pmessage $n* $news $hi] consumed=44"},
        {"RESP3 pushes: a pub/sub message under HELLO 3", ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
         ">3[$message $news $hi] consumed=35"},
        {"RESP3 pushes: inside an array", "*1\r\n>1\r\n:1\r\n", "*1[>1[:1]] consumed=12"},
        {"One reply at a time: the next one is not consumed", "+OK\r\n:1\r\n", "+OK consumed=5"},
        {"One reply at a time: after an array", "*1\r\n:1\r\n*0\r\n", "*1[:1] consumed=8"},
        {"Incomplete: need_more names the byte where the bulk's CR must be", "$5\r\nhel", "need_more at_least=10"},
        {"Incomplete: an empty input", "", "need_more at_least=1"},
    });
}

TEST_CASE("RESP: malformed input, one named error each") {
    run_table({
        {"RESP protocol description: an unknown type byte", "?x\r\n", "unknown_type"},
        {"RESP protocol description: a RESP3 type we do not read (null)", "_\r\n", "unknown_type"},
        {"RESP protocol description: a RESP3 map", "%1\r\n+a\r\n+b\r\n", "unknown_type"},
        {"RESP protocol description: an empty line", "\r\n", "unknown_type"},
        {"RESP protocol description: an inline command is not a reply", "PING\r\n", "unknown_type"},
        {"CRLF terminator: a bare LF", "+OK\n", "bare_lf"},
        {"CRLF terminator: CR then not LF", "+OK\rX\n", "bad_line_end"},
        {"CRLF terminator: a bare LF in a length line", "$3\nfoo\r\n", "bare_lf"},
        {"CRLF terminator: an element's bare LF", "*2\r\n:1\r\n:2\n", "bare_lf"},
        {"Integers: empty", ":\r\n", "bad_integer"},
        {"Integers: a sign alone", ":-\r\n", "bad_integer"},
        {"Integers: two signs", ":+-1\r\n", "bad_integer"},
        {"Integers: a letter", ":12a\r\n", "bad_integer"},
        {"Integers: a space", ": 1\r\n", "bad_integer"},
        {"Integers: a decimal point", ":1.5\r\n", "bad_integer"},
        {"Integers: one above INT64_MAX", ":9223372036854775808\r\n", "integer_out_of_range"},
        {"Integers: one below INT64_MIN", ":-9223372036854775809\r\n", "integer_out_of_range"},
        {"Integers: many digits", ":" + std::string(40, '9') + "\r\n", "integer_out_of_range"},
        {"Bulk strings: no length", "$\r\n", "bad_length"},
        {"Bulk strings: a plus sign", "$+1\r\nx\r\n", "bad_length"},
        {"Bulk strings: a leading zero", "$01\r\nx\r\n", "bad_length"},
        {"Bulk strings: minus zero", "$-0\r\n", "bad_length"},
        {"Bulk strings: a letter", "$1x\r\n", "bad_length"},
        {"Bulk strings: a sign alone", "$-\r\n", "bad_length"},
        {"Null bulk strings: -2 is not null", "$-2\r\n", "negative_length"},
        {"Null bulk strings: -10", "$-10\r\n", "negative_length"},
        {"Arrays: -2", "*-2\r\n", "negative_length"},
        {"Arrays: a space", "* 1\r\n:1\r\n", "bad_length"},
        {"Arrays: a leading zero", "*01\r\n:1\r\n", "bad_length"},
        {"RESP3 pushes: no null push", ">-1\r\n", "null_push"},
        {"Bulk strings: longer than its length", "$3\r\nabcd\r\n", "bad_bulk_end"},
        {"Bulk strings: shorter than its length", "$3\r\nab\r\n", "bad_bulk_end"},
        {"Bulk strings: LF CR after the data", "$3\r\nabc\n\r", "bad_bulk_end"},
        {"Bulk strings: CR CR after the data", "$3\r\nabc\r\r", "bad_bulk_end"},
        {"Bulk strings: an empty bulk without its CRLF", "$0\r\nx", "bad_bulk_end"},
        {"Bulk strings: the wrong byte where the CR must be fails at once (fuzz: at_least past it)",
         nul("*2\r\n$7\r\nPUBLISH\r\n$7\r\n@\r\n\xff\n\r\r\n"), "bad_bulk_end"},
        {"Arrays: a bad element fails the reply", "*2\r\n:1\r\n:x\r\n", "bad_integer"},
        {"Arrays: too few elements need more", "*3\r\n:1\r\n:2\r\n", "need_more at_least=13"},
    });
}

TEST_CASE("RESP: limits, as settings with named errors") {
    const RespLimits small{.max_bulk_length = 10, .max_array_length = 3, .max_depth = 2, .max_line = 5};
    run_table({
        {"max_line: a simple string of exactly 5 bytes", "+12345\r\n", "+12345 consumed=8", small},
        {"max_line: 6 bytes, refused at the sixth", "+123456\r\n", "line_too_long", small},
        {"max_line: refused before any CRLF arrives", "-" + std::string(100, 'e'), "line_too_long", small},
        {"max_line: an integer line", ":-123456\r\n", "line_too_long", small},
        {"max_bulk_length: exactly 10", "$10\r\n0123456789\r\n", "$0123456789 consumed=17", small},
        {"max_bulk_length: 11, refused from the header", "$11\r\n", "bulk_too_long", small},
        {"max_bulk_length: a line of 5 digits is read, then refused", "$99999\r\n", "bulk_too_long", small},
        {"max_line: applies to length lines", "$100000\r\n", "line_too_long", small},
        {"max_array_length: exactly 3", "*3\r\n:1\r\n:2\r\n:3\r\n", "*3[:1 :2 :3] consumed=16", small},
        {"max_array_length: 4, refused from the header", "*4\r\n", "array_too_long", small},
        {"max_array_length: applies to pushes", ">4\r\n", "array_too_long", small},
        {"max_depth: two levels", "*1\r\n*1\r\n:1\r\n", "*1[*1[:1]] consumed=12", small},
        {"max_depth: three levels", "*1\r\n*1\r\n*1\r\n:1\r\n", "too_deep", small},
        {"max_depth: an empty array is a level", "*1\r\n*1\r\n*0\r\n", "too_deep", small},
        {"max_depth: a null array is not", "*1\r\n*1\r\n*-1\r\n", "*1[*1[*nil]] consumed=13", small},
        {"storage: exactly 3 values", "*2\r\n:1\r\n:2\r\n", "*2[:1 :2] consumed=12", {}, 3},
        {"storage: a fourth value", "*3\r\n:1\r\n:2\r\n:3\r\n", "too_many_values", {}, 3},
        {"storage: none at all", "+OK\r\n", "too_many_values", {}, 0},
    });
    const RespLimits defaults;
    run_table({
        {"max_bulk_length: a length beyond 64 bits saturates and is refused", "$" + std::string(30, '9') + "\r\n",
         "bulk_too_long", defaults},
        {"max_array_length: a huge count", "*" + std::string(30, '9') + "\r\n", "array_too_long", defaults},
    });
    std::string deep;
    for (int i = 0; i < 33; ++i) deep += "*1\r\n";
    deep += ":1\r\n";
    const RespLimits unbounded{.max_depth = 1000};  // clamped to 32
    CHECK(parse(deep, unbounded) == "too_deep");
    CHECK(parse(deep.substr(4), unbounded).find(" consumed=") != std::string::npos);
}

TEST_CASE("RESP: a growing buffer, read one reply at a time") {
    const std::string stream = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
                               "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n";
    std::string buffer;
    std::vector<std::string> replies;
    std::vector<RespValue> values(16);
    for (char c : stream) {  // one byte per read, as the slowest network would
        buffer += c;
        for (;;) {
            const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(buffer.data()), buffer.size());
            const RespResult r = parse_resp(bytes, values);
            REQUIRE(r.status != RespStatus::error);
            if (r.status == RespStatus::need_more) {
                CHECK(r.consumed == 0);
                CHECK(r.at_least > buffer.size());
                break;
            }
            std::vector<RespValue> tree(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(r.values));
            std::size_t i = 0;
            replies.push_back(describe(tree, i));
            buffer.erase(0, r.consumed);  // the broker drops what it consumed
        }
    }
    CHECK(buffer.empty());
    REQUIRE(replies.size() == 2);
    CHECK(replies[0] == "*3[$subscribe $news :1]");
    CHECK(replies[1] == "*3[$message $news $hello]");
}

TEST_CASE("RESP: values[i + size] skips a subtree") {
    const std::string in = "*3\r\n*2\r\n:1\r\n*1\r\n:2\r\n$1\r\nx\r\n:3\r\n";
    std::vector<RespValue> values(16);
    const RespResult r = parse_resp({reinterpret_cast<const std::uint8_t*>(in.data()), in.size()}, values);
    REQUIRE(r.status == RespStatus::done);
    REQUIRE(r.values == 7);
    CHECK(values[0].size == 7);
    CHECK(values[1].size == 4);  // *2 [ :1 *1 [ :2 ] ]
    CHECK(values[1 + values[1].size].type == RespType::bulk_string);
    CHECK(values[5].text == "x");
    CHECK(values[6].integer == 3);
    CHECK(resp_error_name(RespError::too_deep) == "too_deep");
}

TEST_CASE("RESP command encoder: byte for byte") {
    auto encode = [](std::vector<std::string_view> args) {
        std::string out(resp_command_size(args), '#');
        const std::size_t n = encode_resp_command(args, {reinterpret_cast<std::uint8_t*>(out.data()), out.size()});
        CHECK(n == out.size());
        return out;
    };
    CHECK(encode({"PING"}) == "*1\r\n$4\r\nPING\r\n");
    CHECK(encode({"LLEN", "mylist"}) == "*2\r\n$4\r\nLLEN\r\n$6\r\nmylist\r\n");
    CHECK(encode({"SUBSCRIBE", "news"}) == "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n");
    CHECK(encode({"SET", "k", ""}) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    CHECK(encode({"PUBLISH", "c", "0123456789"}) == "*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$10\r\n0123456789\r\n");
    const std::vector<std::string_view> twelve(12, "a");
    CHECK(encode(twelve).substr(0, 5) == "*12\r\n");
    CHECK(resp_command_size({}) == 0);
    std::uint8_t byte = '#';
    CHECK(encode_resp_command({}, {&byte, 1}) == 0);
    const std::vector<std::string_view> ping = {"PING"};
    std::vector<std::uint8_t> small(resp_command_size(ping) - 1, '#');
    CHECK(encode_resp_command(ping, small) == 0);
    CHECK(small == std::vector<std::uint8_t>(small.size(), '#'));
}

TEST_CASE("RESP command encoder -> parser: binary-safe round trips") {
    std::vector<std::string> payloads = {"", "\r\n", "\r", "\n", nul("@"), "$3\r\nfoo\r\n", "*1\r\n", "+OK\r\n",
                                         "a\r\nb\r\n\r\n", std::string(1000, '\r')};
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    payloads.push_back(all);
    for (const std::string& p : payloads) {
        INFO("payload " << escaped(p));
        const std::vector<std::string_view> args = {"PUBLISH", p, p};
        std::string wire(resp_command_size(args), '\0');
        REQUIRE(encode_resp_command(args, {reinterpret_cast<std::uint8_t*>(wire.data()), wire.size()}) == wire.size());
        std::vector<RespValue> values(8);
        GuardedBytes bytes(wire);
        const RespResult r = parse_resp(bytes.span(), values);
        REQUIRE(r.status == RespStatus::done);
        CHECK(r.consumed == wire.size());
        REQUIRE(r.values == 4);
        CHECK(values[0].type == RespType::array);
        CHECK(values[0].integer == 3);
        for (std::size_t i = 1; i < 4; ++i) {
            CHECK(values[i].type == RespType::bulk_string);
            CHECK(values[i].text == args[i - 1]);
        }
        // Every prefix needs more, and says how much at least.
        for (std::size_t k = 0; k < wire.size(); ++k) {
            GuardedBytes prefix(std::string_view(wire).substr(0, k));
            const RespResult q = parse_resp(prefix.span(), values);
            CHECK(q.status == RespStatus::need_more);
            CHECK(q.at_least > k);
            CHECK(q.at_least <= wire.size());
        }
    }
}

}  // TEST_SUITE
