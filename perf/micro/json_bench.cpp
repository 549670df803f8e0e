// Benchmarks of app/json.hpp: the Writer building a market tick, the reader parsing it,
// and string escaping (RFC 8259 §7) of 4 KiB.
//
// "json/write/tick": one op = a fresh Writer, the tick object (18 members: strings,
// doubles, integers, a bool), take() of the ~300-byte text (allocation included, as in
// the demo, which builds one Writer per message). "json/parse/tick": one op = parse() of
// that text into a Value tree (allocation included). "json/escape/*": one op =
// append_string() of a 4 KiB string into a string whose capacity is kept between ops.
// GB/s counts the JSON text (write, parse) or the unescaped input (escape).
//
// Every benchmark checks its result once before the timed loop and aborts on a wrong one.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "app/json.hpp"
#include "perf/micro/bench.hpp"

namespace {

using namespace std::string_view_literals;
using sluice::bench::do_not_optimize;
namespace json = sluice::json;

struct Tick {
    std::string_view symbol = "EURUSD";
    std::string_view exchange = "LMAX-LD4";
    std::string_view currency = "USD";
    double price = 1.08423;
    double bid = 1.08421;
    double ask = 1.08425;
    double high = 1.08811;
    double low = 1.08302;
    double open = 1.0855;
    double change = -0.00127;
    double change_pct = -0.117;
    std::int64_t bid_size = 1500000;
    std::int64_t ask_size = 2250000;
    std::int64_t volume = 184467230;
    std::int64_t timestamp = 1719912345123;  // ms since the epoch
    std::uint64_t sequence = 9876543210;
    bool halted = false;
};

std::string write_tick(const Tick& t) {
    json::Writer w;
    w.begin_object()
        .field("type", "tick")
        .field("symbol", t.symbol)
        .field("exchange", t.exchange)
        .field("currency", t.currency)
        .field("price", t.price)
        .field("bid", t.bid)
        .field("ask", t.ask)
        .field("high", t.high)
        .field("low", t.low)
        .field("open", t.open)
        .field("change", t.change)
        .field("change_pct", t.change_pct)
        .field("bid_size", t.bid_size)
        .field("ask_size", t.ask_size)
        .field("volume", t.volume)
        .field("timestamp", t.timestamp)
        .field("sequence", t.sequence)
        .field("halted", t.halted)
        .end_object();
    return w.take();
}

// What write_tick must produce for the default Tick, byte for byte.
constexpr std::string_view kTickJson =
    R"({"type":"tick","symbol":"EURUSD","exchange":"LMAX-LD4","currency":"USD",)"
    R"("price":1.08423,"bid":1.08421,"ask":1.08425,"high":1.08811,"low":1.08302,"open":1.0855,)"
    R"("change":-0.00127,"change_pct":-0.117,"bid_size":1500000,"ask_size":2250000,)"
    R"("volume":184467230,"timestamp":1719912345123,"sequence":9876543210,"halted":false})";

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "json_bench: %s\n", what);
    std::abort();
}

// The parsed tick holds every member of the default Tick with its value.
void check_tick(const json::ParseResult& r) {
    const Tick t;
    const json::Value& v = r.value;
    const auto int_at = [&](std::string_view name) {
        const json::Value* m = v.find(name);
        return m != nullptr ? m->as_int() : std::nullopt;
    };
    const json::Value* halted = v.find("halted");
    if (!r || !v.is_object() || v.size() != 18 || v.string_at("type") != "tick" ||
        v.string_at("symbol") != t.symbol || v.string_at("exchange") != t.exchange ||
        v.string_at("currency") != t.currency || v.number_at("price") != t.price ||
        v.number_at("bid") != t.bid || v.number_at("ask") != t.ask || v.number_at("high") != t.high ||
        v.number_at("low") != t.low || v.number_at("open") != t.open || v.number_at("change") != t.change ||
        v.number_at("change_pct") != t.change_pct || int_at("bid_size") != t.bid_size ||
        int_at("ask_size") != t.ask_size || int_at("volume") != t.volume || int_at("timestamp") != t.timestamp ||
        int_at("sequence") != static_cast<std::int64_t>(t.sequence) || halted == nullptr || !halted->is_bool() ||
        halted->as_bool(true) != t.halted)
        fail("parsed tick differs from the written one");
}

// 4096 bytes of `sample` repeated (whole samples, then 'x' padding: valid UTF-8).
std::string repeat_4k(std::string_view sample) {
    std::string s;
    while (s.size() + sample.size() <= 4096) s += sample;
    s.resize(4096, 'x');
    return s;
}

// A log line quoted into JSON: quotes, backslashes, tabs, newlines, a CR, C0 controls
// written as \u00XX (ESC of a colour code, BEL, NUL), and a few two-byte letters.
// (A literal with an embedded NUL: the "sv" suffix keeps its full length.)
constexpr std::string_view kEscapeSample =
    "2024-07-02T09:12:25Z \x1b[33mWARN\x1b[0m\tpath=\"C:\\Users\\zoë\\data.csv\" msg=\"naïve \"quote\"\"\r\n"
    "\tcol1\tcol2\x07\x00" "end\n"sv;

// escape_loop: append_string of `text` into a kept buffer; checks the round trip first.
void escape_loop(sluice::bench::State& state, const std::string& text) {
    std::string out;
    json::append_string(out, text);
    const json::ParseResult back = json::parse(out);
    if (!back || back.value.as_string() != text) fail("escaped string does not read back equal");
    for (auto _ : state) {
        out.clear();
        json::append_string(out, text);
        do_not_optimize(out.data());
        sluice::bench::clobber_memory();
    }
}

}  // namespace

SLUICE_BENCH("json/write/tick-300B", kTickJson.size()) {
    const Tick t;
    if (write_tick(t) != kTickJson) fail("Writer's tick differs from the expected text");
    for (auto _ : state) {
        std::string s = write_tick(t);
        do_not_optimize(s.data());
        sluice::bench::clobber_memory();
    }
}

SLUICE_BENCH("json/parse/tick-300B", kTickJson.size()) {
    check_tick(json::parse(kTickJson));
    for (auto _ : state) {
        json::ParseResult r = json::parse(kTickJson);
        do_not_optimize(r);
        sluice::bench::clobber_memory();
    }
}

SLUICE_BENCH("json/escape/4KiB quotes+controls", 4096) {
    const std::string text = repeat_4k(kEscapeSample);
    if (text.find('\0') == std::string::npos || text.find('"') == std::string::npos)
        fail("escape input lacks the characters it is meant to test");
    escape_loop(state, text);
}

SLUICE_BENCH("json/escape/4KiB plain ASCII", 4096) {
    escape_loop(state, repeat_4k("The quick brown fox jumps over the lazy dog; id=42 text=hello. "));
}
