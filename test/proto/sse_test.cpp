// Server-Sent Events (WHATWG HTML §9.2): SseParser rules and the spec's own examples,
// table-driven, each case fed whole, at every split point and one byte at a time (each
// piece placed just before a PROT_NONE page); the encoder byte for byte; round trips.
#include "proto/sse_parser.hpp"
#include "proto/sse_encoder.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "test/support/escaped.hpp"
#include "test/support/guard_page.hpp"

using namespace sluice::proto;
using sluice::test::escaped;
using sluice::test::GuardedBytes;

namespace {


struct SseCase {
    std::string rule;
    std::string input;
    // Every result in order: "<type|data|id>" per event, "retry=N", "error=<name>";
    // then "last=<last event ID string>".
    std::string expect;
    std::size_t storage = 4096;
    SseParserLimits limits{};
};

// Feeds c.input cut at `cuts` (ascending offsets); each piece guarded.
std::string parse_in_pieces(const SseCase& c, const std::vector<std::size_t>& cuts) {
    std::vector<char> storage(c.storage);
    SseParser parser(storage, c.limits);
    std::string out;
    std::size_t from = 0;
    auto feed = [&](std::size_t to) -> bool {
        GuardedBytes piece(std::string_view(c.input).substr(from, to - from));
        std::span<const std::uint8_t> rest = piece.span();
        from = to;
        for (;;) {
            SseResult r = parser.parse(rest);
            switch (r.status) {
                case SseStatus::event:
                    out += "<" + escaped(r.event.type) + "|" + escaped(r.event.data) + "|" +
                           escaped(r.event.last_event_id) + ">";
                    break;
                case SseStatus::retry: out += "retry=" + std::to_string(r.retry_ms); break;
                case SseStatus::error: out += "error=" + std::string(sse_error_name(r.error)); return false;
                case SseStatus::need_more:
                    if (r.consumed != rest.size()) out += "need_more without consuming everything";
                    return true;
            }
            if (r.consumed == 0 || r.consumed > rest.size()) {
                out += "bad consumed";
                return false;
            }
            rest = rest.subspan(r.consumed);
        }
    };
    bool going = true;
    for (std::size_t cut : cuts) {
        if (going) going = feed(cut);
    }
    if (going) feed(c.input.size());
    return out + " last=" + escaped(parser.last_event_id());
}

void run_table(const std::vector<SseCase>& cases) {
    for (const SseCase& c : cases) {
        INFO(c.rule);
        const std::string whole = parse_in_pieces(c, {});
        CHECK(whole == c.expect);
        for (std::size_t k = 1; k < c.input.size(); ++k) {
            const std::string got = parse_in_pieces(c, {k});
            if (got != whole) {
                INFO("split at " << k);
                CHECK(got == whole);
                break;
            }
        }
        std::vector<std::size_t> every;
        for (std::size_t k = 1; k < c.input.size(); ++k) every.push_back(k);
        CHECK(parse_in_pieces(c, every) == whole);
    }
}

std::string with_nul(std::string s) {
    for (char& c : s) {
        if (c == '@') c = '\0';
    }
    return s;
}

}  // namespace

TEST_SUITE("proto") {

TEST_CASE("WHATWG HTML §9.2: the spec's own example streams") {
    run_table({
        {"§9.2.1: two messages, the second of two lines",
         "data: This is the first message.\n\ndata: This is the second message, it\ndata: has two lines.\n\n"
         "data: This is the third message.\n\n",
         "<message|This is the first message.|><message|This is the second message, it\\nhas two lines.|>"
         "<message|This is the third message.|> last="},
        {"§9.2.1: two event types, add and remove",
         "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
         "<add|73857293|><remove|2153|><add|113411|> last="},
        {"§9.2.6: YHOO +2 10, once followed by a blank line", "data: YHOO\ndata: +2\ndata: 10\n\n",
         "<message|YHOO\\n+2\\n10|> last="},
        {"§9.2.6: four blocks: a comment, id 1, an id reset, a leading space kept",
         ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
         "<message|first event|1><message|second event|><message| third event|> last="},
        {"§9.2.6: 'data' alone fires an empty event; two fire one LF; an unfinished block is dropped",
         "data\n\ndata\ndata\n\ndata:", "<message||><message|\\n|> last="},
        {"§9.2.6: two identical events: the space after the colon is ignored if present",
         "data:test\n\ndata: test\n\n", "<message|test|><message|test|> last="},
    });
}

TEST_CASE("WHATWG HTML §9.2.5: line ends, BOM, comments, field syntax") {
    run_table({
        {"§9.2.5: CRLF ends lines", "data: a\r\ndata: b\r\n\r\n", "<message|a\\nb|> last="},
        {"§9.2.5: CR alone ends lines", "data: a\rdata: b\r\r", "<message|a\\nb|> last="},
        {"§9.2.5: mixed line ends", "data: a\rdata: b\ndata: c\r\n\n", "<message|a\\nb\\nc|> last="},
        {"§9.2.5: CR then CRLF is a line end then an empty line", "data: a\r\r\ndata: b\r\n\r\n",
         "<message|a|><message|b|> last="},
        {"§9.2.5: LF then CRLF: the CRLF is one empty line", "data: a\n\r\ndata: b\n\n",
         "<message|a|><message|b|> last="},
        {"§9.2.5: LF CR is two line ends", "data: a\n\r", "<message|a|> last="},
        {"§9.2.5: one BOM at the stream start is skipped", "\xEF\xBB\xBF" "data: x\n\n", "<message|x|> last="},
        {"§9.2.5: a second BOM is part of the field name (an unknown field)",
         "\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\ndata: y\n\n", "<message|y|> last="},
        {"§9.2.5: a BOM after the start is an ordinary byte", "data: a\n\n\xEF\xBB\xBF" "data: b\n\n",
         "<message|a|> last="},
        {"§9.2.5: a BOM prefix is not a BOM: its bytes start the field name", "\xEF\xBB" "data: x\n\ndata: y\n\n",
         "<message|y|> last="},
        {"§9.2.5: a BOM prefix then a line end is an ignored field", "\xEF\ndata: y\n\n", "<message|y|> last="},
        {"§9.2.5: the BOM's bytes inside a value pass through", "data: \xEF\xBB\xBF\n\n",
         "<message|\xEF\xBB\xBF|> last="},
        {"§9.2.6: a line starting with a colon is a comment", ": hi\ndata: x\n:\n\n", "<message|x|> last="},
        {"§9.2.6: a comment line does not dispatch", ": only a comment\n", " last="},
        {"§9.2.6: only one leading space is removed", "data:  two\n\n", "<message| two|> last="},
        {"§9.2.6: a tab is not removed", "data:\tx\n\n", "<message|\tx|> last="},
        {"§9.2.6: the value runs to the line end, colons included", "data: a: b:c\n\n", "<message|a: b:c|> last="},
        {"§9.2.6: a field with no colon has an empty value", "data\n\n", "<message||> last="},
        {"§9.2.6: 'event' with no colon sets an empty type: 'message'", "event: x\nevent\ndata: a\n\n",
         "<message|a|> last="},
        {"§9.2.6: 'event:' with an empty value, then data", "event:\ndata: a\n\n", "<message|a|> last="},
        {"§9.2.6: field names are case-sensitive", "Data: x\n\nDATA: y\n\n", " last="},
        {"§9.2.6: unknown fields are ignored", "foo: bar\ndataa: x\ndat: y\nretryy: 1\ndata: z\n\n",
         "<message|z|> last="},
        {"§9.2.6: a long unknown field name is ignored",
         std::string(5000, 'x') + ": " + std::string(5000, 'y') + "\ndata: z\n\n", "<message|z|> last="},
        {"§9.2.6: a space before the colon makes another field name", "data : x\n\n", " last="},
        {"§9.2.6: NUL in data passes through", with_nul("data: a@b\n\n"), "<message|a\\0b|> last="},
    });
}

TEST_CASE("WHATWG HTML §9.2.6: fields and dispatch") {
    run_table({
        {"§9.2.6 data: value and LF appended; dispatch removes the final LF", "data: a\ndata:\n\n",
         "<message|a\\n|> last="},
        {"§9.2.6 event: the type buffer takes the value", "event: tick\ndata: 1\n\n", "<tick|1|> last="},
        {"§9.2.6 event: the last event field wins", "event: a\nevent: b\ndata: 1\n\n", "<b|1|> last="},
        {"§9.2.6 dispatch step 5: the type is cleared after an event", "event: x\ndata: a\n\ndata: b\n\n",
         "<x|a|><message|b|> last="},
        {"§9.2.6 dispatch step 2: an empty data buffer clears the type too", "event: x\n\ndata: b\n\n",
         "<message|b|> last="},
        {"§9.2.6 id: the buffer persists across events", "id: 7\ndata: a\n\ndata: b\n\n", "<message|a|7><message|b|7> last=7"},
        {"§9.2.6 id: an empty id resets it", "id: 7\ndata: a\n\nid\ndata: b\n\nid:\ndata: c\n\n",
         "<message|a|7><message|b|><message|c|> last="},
        {"§9.2.6 id: an id containing NUL is ignored", with_nul("id: 1\ndata: a\n\nid: 2@3\ndata: b\n\n"),
         "<message|a|1><message|b|1> last=1"},
        {"§9.2.6 id: an id that is only NUL is ignored", with_nul("id: 1\nid: @\ndata: a\n\n"), "<message|a|1> last=1"},
        {"§9.2.6 id: the last id field of a block wins", "id: 1\nid: 2\ndata: a\n\n", "<message|a|2> last=2"},
        {"§9.2.6 dispatch step 1: an empty block still sets the last event ID", "id: 5\n\n", " last=5"},
        {"§9.2.6 dispatch step 1: an id without the empty line is not yet the last event ID", "id: 5\ndata: x\n",
         " last="},
        {"§9.2.6 id: one leading space removed, the rest kept", "id:  x y\ndata: a\n\n", "<message|a| x y> last= x y"},
        {"§9.2.6 retry: all ASCII digits set the reconnection time", "retry: 3000\n", "retry=3000 last="},
        {"§9.2.6 retry: reported at once, the event after it", "retry: 10\ndata: a\n\n", "retry=10<message|a|> last="},
        {"§9.2.6 retry: zero", "retry:0\n", "retry=0 last="},
        {"§9.2.6 retry: the largest 64-bit value", "retry: 18446744073709551615\n", "retry=18446744073709551615 last="},
        {"§9.2.6 retry: one more overflows and is ignored (our choice)", "retry: 18446744073709551616\n", " last="},
        {"§9.2.6 retry: a non-digit makes the field ignored", "retry: 10a\nretry: -1\nretry: 1.5\nretry:  5\n", " last="},
        {"§9.2.6 retry: an empty value is ignored (our choice)", "retry:\nretry\n", " last="},
        {"§9.2.6 retry: a retry line does not make an event", "retry: 5\n\n", "retry=5 last="},
        {"§9.2.6: the end of the stream does not dispatch", "data: x\n", " last="},
        {"§9.2.6: blank lines alone dispatch nothing", "\n\n\r\n\r", " last="},
    });
}

TEST_CASE("WHATWG HTML §9.2.6: bounds on the stored values (named errors)") {
    // 3 id slots of 4 + a type slot of 3 = 15 bytes; 16 bytes of storage leave 1 data byte.
    const SseParserLimits small{.max_id = 4, .max_event_type = 3};
    run_table({
        {"the data buffer exactly full (value + LF)", "data: abcd\n\n", "<message|abcd|> last=", 20, small},
        {"one data byte over", "data: abcde\n", "error=event_too_large last=", 20, small},
        {"the LF after a full buffer is over", "data: abcde\n\n", "error=event_too_large last=", 20, small},
        {"data lines add up", "data: ab\ndata: cd\n\n", "error=event_too_large last=", 20, small},
        {"the buffer is emptied by each event", "data: abcd\n\ndata: efgh\n\n", "<message|abcd|><message|efgh|> last=",
         20, small},
        {"an id at max_id", "id: 1234\ndata: a\n\n", "<message|a|1234> last=1234", 20, small},
        {"an id over max_id", "id: 12345\n", "error=id_too_long last=", 20, small},
        {"an event type at max_event_type", "event: abc\ndata: a\n\n", "<abc|a|> last=", 20, small},
        {"an event type over max_event_type", "event: abcd\n", "error=event_type_too_long last=", 20, small},
        {"an error is sticky", "data: abcdefgh\n\ndata: a\n\n", "error=event_too_large last=", 20, small},
        {"storage that cannot hold the slots", "data: a\n\n", "error=storage_too_small last=", 14, small},
        {"no data room: an empty data field is already over", "data\n\n", "error=event_too_large last=", 15, small},
        {"comments and unknown fields are never stored", ": " + std::string(100, 'c') + "\nxx: " +
         std::string(100, 'y') + "\n\n", " last=", 15, small},
    });
}

TEST_CASE("WHATWG HTML §9.2.6: a multi-event stream at every pair of split points") {
    const SseCase c{"every pair of cuts",
                    "\xEF\xBB\xBFid: 1\r\nevent: a\r\ndata: x\r\ndata:\r\n\r\n: ka\rretry: 7\rdata: y\r\r"
                    "id\ndata:  z\n\n",
                    "<a|x\\n|1>retry=7<message|y|1><message| z|> last="};
    CHECK(parse_in_pieces(c, {}) == c.expect);
    for (std::size_t a = 1; a < c.input.size(); ++a) {
        for (std::size_t b = a + 1; b < c.input.size(); ++b) {
            const std::string got = parse_in_pieces(c, {a, b});
            if (got != c.expect) {
                INFO("cuts " << a << " " << b);
                REQUIRE(got == c.expect);
            }
        }
    }
}

TEST_CASE("SseParser::reset: a new stream keeps only the last event ID string") {
    std::vector<char> storage(1024);
    SseParser parser(storage);
    const std::string first = "id: 9\ndata: a\n\nevent: x\nid: 10\ndata: partial";
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(first.data()), first.size());
    SseResult r = parser.parse(bytes);
    REQUIRE(r.status == SseStatus::event);
    CHECK(parser.parse(bytes.subspan(r.consumed)).status == SseStatus::need_more);
    CHECK(parser.last_event_id() == "9");
    parser.reset();
    CHECK(parser.last_event_id() == "9");
    const std::string second = "\xEF\xBB\xBF" "data: b\n\n";
    r = parser.parse({reinterpret_cast<const std::uint8_t*>(second.data()), second.size()});
    REQUIRE(r.status == SseStatus::event);
    CHECK(r.event.type == "message");  // the unfinished block's type is gone
    CHECK(r.event.data == "b");        // the BOM was skipped again, the partial data dropped
    CHECK(r.event.last_event_id.empty());  // §9.2.6: the new stream's ID buffer started empty
}

TEST_CASE("SSE encoder: events byte for byte, and sse_encoded_size matches") {
    struct Case {
        std::string rule;
        SseMessage message;
        std::string expect;
    };
    const std::vector<Case> cases = {
        {"data only", {.data = "hello"}, "data: hello\n\n"},
        {"every field, in the order id, event, retry, data",
         {.data = "x", .event = "add", .id = "1", .retry_ms = 3000}, "id: 1\nevent: add\nretry: 3000\ndata: x\n\n"},
        {"§9.2.5: LF splits data lines", {.data = "a\nb"}, "data: a\ndata: b\n\n"},
        {"§9.2.5: CRLF splits data lines", {.data = "a\r\nb"}, "data: a\ndata: b\n\n"},
        {"§9.2.5: CR splits data lines", {.data = "a\rb"}, "data: a\ndata: b\n\n"},
        {"CR CR is two breaks", {.data = "a\r\rb"}, "data: a\ndata\ndata: b\n\n"},
        {"a trailing break makes a last empty line", {.data = "a\n"}, "data: a\ndata\n\n"},
        {"empty data is one empty data field (an event with empty data)", {.data = ""}, "data\n\n"},
        {"only breaks", {.data = "\r\n\n"}, "data\ndata\ndata\n\n"},
        {"a leading space survives: 'data: ' then the space", {.data = " x"}, "data:  x\n\n"},
        {"an empty id resets the client's last event ID", {.data = "x", .id = ""}, "id\ndata: x\n\n"},
        {"an empty event name is no event field", {.data = "x", .event = ""}, "data: x\n\n"},
        {"retry 0", {.data = "x", .retry_ms = 0}, "retry: 0\ndata: x\n\n"},
        {"retry at its largest", {.data = "x", .retry_ms = 4294967295u}, "retry: 4294967295\ndata: x\n\n"},
    };
    for (const Case& c : cases) {
        INFO(c.rule);
        const SseEncodeResult size = sse_encoded_size(c.message);
        CHECK(size.error == SseEncodeError::none);
        CHECK(size.size == c.expect.size());
        std::vector<std::uint8_t> out(size.size);
        const SseEncodeResult r = encode_sse(c.message, out);
        CHECK(r.error == SseEncodeError::none);
        CHECK(r.size == c.expect.size());
        CHECK(std::string(out.begin(), out.end()) == c.expect);
    }
}

TEST_CASE("SSE encoder: refused ids and event names write nothing") {
    struct Case {
        std::string rule;
        SseMessage message;
        SseEncodeError expect;
    };
    const std::string nul_id("a\0b", 3);
    const std::vector<Case> cases = {
        {"§9.2.5: LF in the id", {.data = "x", .id = "a\nb"}, SseEncodeError::id_has_line_break},
        {"§9.2.5: CR in the id", {.data = "x", .id = "a\r"}, SseEncodeError::id_has_line_break},
        {"§9.2.6: NUL in the id (a client ignores it)", {.data = "x", .id = nul_id}, SseEncodeError::id_has_nul},
        {"§9.2.5: LF in the event name", {.data = "x", .event = "a\nb"}, SseEncodeError::event_has_line_break},
        {"§9.2.5: CR in the event name", {.data = "x", .event = "\ra"}, SseEncodeError::event_has_line_break},
        {"NUL in the event name", {.data = "x", .event = nul_id}, SseEncodeError::event_has_nul},
    };
    for (const Case& c : cases) {
        INFO(c.rule);
        CHECK(sse_encoded_size(c.message).error == c.expect);
        std::vector<std::uint8_t> out(64, '#');
        const SseEncodeResult r = encode_sse(c.message, out);
        CHECK(r.error == c.expect);
        CHECK(r.size == 0);
        CHECK(out == std::vector<std::uint8_t>(64, '#'));
    }
    std::vector<std::uint8_t> small(5, '#');
    const SseEncodeResult r = encode_sse({.data = "hello"}, small);
    CHECK(r.error == SseEncodeError::buffer_too_small);
    CHECK(small == std::vector<std::uint8_t>(5, '#'));
    CHECK(sse_encode_error_name(SseEncodeError::id_has_nul) == "id_has_nul");
}

TEST_CASE("SSE encoder: comments for keep-alives") {
    auto comment = [](std::string_view text) {
        std::vector<std::uint8_t> out(sse_comment_size(text));
        CHECK(encode_sse_comment(text, out) == out.size());
        return std::string(out.begin(), out.end());
    };
    CHECK(comment("heartbeat") == ": heartbeat\n");
    CHECK(comment("") == ":\n");  // never a bare LF: that would dispatch
    CHECK(comment("a\r\nb") == ": a\n: b\n");
    CHECK(comment("a\n") == ": a\n:\n");
    std::vector<std::uint8_t> small(3);
    CHECK(encode_sse_comment("heartbeat", small) == 0);
    // A client sees nothing, whatever the comment holds.
    run_table({{"§9.2.6: comments dispatch nothing, even between fields",
                "data: a\n" + comment("x\ny\r\rz") + "data: b\n\n" + comment(""), "<message|a\\nb|> last="}});
}

TEST_CASE("SSE encoder -> parser round trips (CR, LF, CRLF, empty lines)") {
    const std::vector<std::string> payloads = {
        "", "x", "\n", "\r", "\r\n", "\n\n", "a\nb", "a\r\nb", "a\rb", "a\r\r\nb", "a\n\rb",
        " lead", "  two", "x:y", ": not a comment", "data: inner", "\n\nmiddle\n\n", "tail\r",
        std::string("nul\0byte", 8), "\xEF\xBB\xBF" "bom", std::string(3000, 'z') + "\r\n" + std::string(10, 'w'),
    };
    auto normalized = [](std::string_view s) {  // what §9.2.5/§9.2.6 make of the line breaks
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\r') {
                out += '\n';
                if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
            } else {
                out += s[i];
            }
        }
        return out;
    };
    std::string stream = "\xEF\xBB\xBF";
    std::string expect;
    int n = 0;
    for (const std::string& p : payloads) {
        const std::string id = std::to_string(n++);
        const SseMessage m{.data = p, .event = n % 2 ? "odd" : "", .id = id, .retry_ms = std::nullopt};
        std::vector<std::uint8_t> out(sse_encoded_size(m).size);
        REQUIRE(encode_sse(m, out).error == SseEncodeError::none);
        stream.append(out.begin(), out.end());
        expect += "<" + std::string(n % 2 ? "odd" : "message") + "|" + escaped(normalized(p)) + "|" + id + ">";
        // Each event alone, at every split point.
        run_table({{"round trip of '" + escaped(p) + "'", std::string(out.begin(), out.end()),
                    "<" + std::string(n % 2 ? "odd" : "message") + "|" + escaped(normalized(p)) + "|" + id +
                        "> last=" + id}});
    }
    run_table({{"all of them in one stream", stream, expect + " last=" + std::to_string(n - 1)}});
}

}  // TEST_SUITE
