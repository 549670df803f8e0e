#include "proto/ws_deflate.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "proto/ws_receiver.hpp"
#include "proto/ws_session.hpp"
#include "test/support/deflate_samples.hpp"
#include "test/support/python_zlib.hpp"

using namespace sluice::proto;
using sluice::test::Bytes;

namespace {

std::vector<HttpHeader> ext(std::initializer_list<std::string_view> values) {
    std::vector<HttpHeader> h;
    h.push_back({"Host", "example.com"});
    for (const auto v : values) h.push_back({"Sec-WebSocket-Extensions", v});
    return h;
}

std::string answer_for(std::initializer_list<std::string_view> values, const DeflateSettings& s) {
    DeflateAgreement a;
    if (!choose_deflate(ext(values), s, a)) return "declined";
    char out[128];
    const std::size_t n = write_deflate_answer(a, out);
    return std::string(out, n);
}

const DeflateSettings kOn{.enabled = true};

Bytes decompressed(WsDeflate& codec, const Bytes& payload, WsDeflateStatus expect = WsDeflateStatus::ok,
                   std::size_t limit = 1 << 20) {
    Bytes out(limit);
    const auto r = codec.decompress(payload, out);
    CHECK(r.status == expect);
    out.resize(r.size);
    return out;
}

Bytes compressed(WsDeflate& codec, const Bytes& message) {
    Bytes out(codec.compress_bound(message.size()));
    const auto r = codec.compress(message, out);
    REQUIRE(r.status == WsDeflateStatus::ok);
    out.resize(r.size);
    return out;
}

const Bytes kHello = {'H', 'e', 'l', 'l', 'o'};

}  // namespace

TEST_CASE("RFC 7692 §5.1, §7.1: offers, declines and answers (server)") {
    struct Case {
        std::initializer_list<std::string_view> lines;
        const char* answer;
    };
    const Case cases[] = {
        {{"permessage-deflate"}, "permessage-deflate"},
        {{"permessage-deflate; client_max_window_bits"}, "permessage-deflate"},
        {{"permessage-deflate; server_no_context_takeover"}, "permessage-deflate; server_no_context_takeover"},
        {{"permessage-deflate; client_no_context_takeover"}, "permessage-deflate; client_no_context_takeover"},
        {{"permessage-deflate; server_max_window_bits=10"}, "permessage-deflate; server_max_window_bits=10"},
        {{"permessage-deflate; client_max_window_bits=9"}, "permessage-deflate; client_max_window_bits=9"},
        {{"permessage-deflate; server_max_window_bits=\"12\""}, "permessage-deflate; server_max_window_bits=12"},
        {{"permessage-deflate; server_max_window_bits=\"1\\2\""}, "permessage-deflate; server_max_window_bits=12"},
        {{"PerMessage-Deflate ;Client_Max_Window_Bits"}, "permessage-deflate"},
        // §7.1: each of these makes the offer invalid: declined.
        {{"permessage-deflate; server_max_window_bits"}, "declined"},        // value required
        {{"permessage-deflate; server_max_window_bits=7"}, "declined"},      // 8..15
        {{"permessage-deflate; server_max_window_bits=16"}, "declined"},
        {{"permessage-deflate; client_max_window_bits=x"}, "declined"},
        {{"permessage-deflate; server_no_context_takeover=1"}, "declined"},  // no value allowed
        {{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, "declined"},
        {{"permessage-deflate; client_max_window_bits; client_max_window_bits=10"}, "declined"},
        {{"permessage-deflate; mystery"}, "declined"},                       // unknown parameter
        {{"permessage-deflate; server_max_window_bits=\"10"}, "declined"},   // unterminated quote
        {{"permessage-deflate;"}, "declined"},
        {{"x-webkit-deflate-frame"}, "declined"},
        // Several offers, the order being the client's preference: the first valid one wins.
        {{"permessage-deflate; bogus, permessage-deflate; client_no_context_takeover"},
         "permessage-deflate; client_no_context_takeover"},
        {{"foo; a=\"x,y\", permessage-deflate; server_max_window_bits=11, permessage-deflate"},
         "permessage-deflate; server_max_window_bits=11"},
        {{"permessage-deflate; server_max_window_bits=3", "permessage-deflate; server_max_window_bits=9"},
         "permessage-deflate; server_max_window_bits=9"},
        {{"foo", "permessage-deflate"}, "permessage-deflate"},
    };
    for (const Case& c : cases) {
        CAPTURE(*c.lines.begin());
        CHECK(answer_for(c.lines, kOn) == c.answer);
    }
    CHECK(answer_for({"permessage-deflate"}, DeflateSettings{}) == "declined");  // off
}

TEST_CASE("RFC 7692 §7.1.1, §7.1.2: the server's own settings shape the answer") {
    DeflateSettings s = kOn;
    s.server_no_context_takeover = true;
    s.client_no_context_takeover = true;
    s.server_max_window_bits = 12;
    CHECK(answer_for({"permessage-deflate; client_max_window_bits"}, s) ==
          "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12");
    CHECK(answer_for({"permessage-deflate; server_max_window_bits=9"}, s) ==
          "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9");
    // §7.1.2.2: a smaller client window can only be asked of a client that offered the parameter.
    DeflateSettings small = kOn;
    small.client_max_window_bits = 10;
    CHECK(answer_for({"permessage-deflate"}, small) == "declined");
    CHECK(answer_for({"permessage-deflate, permessage-deflate; client_max_window_bits"}, small) ==
          "permessage-deflate; client_max_window_bits=10");
    CHECK(answer_for({"permessage-deflate; client_max_window_bits=8"}, small) ==
          "permessage-deflate; client_max_window_bits=8");
}

TEST_CASE("RFC 7692 §7.1.1.x, §7.1.2.x: the client's offer and its check of the answer") {
    char buffer[128];
    DeflateOffer offer;
    CHECK(std::string(buffer, write_deflate_offer(offer, buffer)) == "permessage-deflate; client_max_window_bits");
    offer.server_no_context_takeover = true;
    offer.server_max_window_bits = 10;
    offer.client_max_window_bits_value = 12;
    CHECK(std::string(buffer, write_deflate_offer(offer, buffer)) ==
          "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12");
    CHECK(write_deflate_offer(offer, std::span<char>(buffer, 10)) == 0);

    struct Case {
        std::initializer_list<std::string_view> lines;
        DeflateAnswerCheck verdict;
    };
    const Case cases[] = {
        {{"permessage-deflate; server_no_context_takeover; server_max_window_bits=10"}, DeflateAnswerCheck::accepted},
        {{"permessage-deflate; server_no_context_takeover; server_max_window_bits=8; client_max_window_bits=9"},
         DeflateAnswerCheck::accepted},
        {{}, DeflateAnswerCheck::not_accepted},
        {{"permessage-deflate; server_no_context_takeover; server_max_window_bits=11"},
         DeflateAnswerCheck::server_window_too_large},
        {{"permessage-deflate; server_no_context_takeover"}, DeflateAnswerCheck::server_window_too_large},
        {{"permessage-deflate; server_max_window_bits=10"}, DeflateAnswerCheck::missing_server_no_context_takeover},
        {{"permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=13"},
         DeflateAnswerCheck::client_window_too_large},
        {{"permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits"},
         DeflateAnswerCheck::malformed},
        {{"permessage-deflate; server_no_context_takeover; server_max_window_bits=10; foo"},
         DeflateAnswerCheck::malformed},
        {{"permessage-deflate; server_no_context_takeover; server_max_window_bits=10", "permessage-deflate"},
         DeflateAnswerCheck::more_than_one},
        {{"x-other"}, DeflateAnswerCheck::unknown_extension},
    };
    for (const Case& c : cases) {
        CAPTURE(c.lines.size() > 0 ? *c.lines.begin() : std::string_view("(none)"));
        DeflateAgreement a;
        CHECK(check_deflate_answer(ext(c.lines), offer, a) == c.verdict);
    }
    DeflateAgreement a;
    REQUIRE(check_deflate_answer(ext({"permessage-deflate; server_no_context_takeover; server_max_window_bits=9"}),
                                 offer, a) == DeflateAnswerCheck::accepted);
    CHECK(a.server_no_context_takeover);
    CHECK(a.server_max_window_bits == 9);
    CHECK(a.client_max_window_bits == 12);  // what we offered to use
    // §7.1.2.2: client_max_window_bits in an answer to an offer without it.
    DeflateOffer plain;
    plain.client_max_window_bits = false;
    CHECK(check_deflate_answer(ext({"permessage-deflate; client_max_window_bits=10"}), plain, a) ==
          DeflateAnswerCheck::unexpected_client_window);
}

TEST_CASE("RFC 7692 §7.2.3.1-§7.2.3.6: the RFC's example payloads") {
    const DeflateAgreement takeover;
    WsDeflate server(Role::server, takeover);
    CHECK(decompressed(server, {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}) == kHello);  // §7.2.3.1
    CHECK(decompressed(server, {0xf2, 0x00, 0x11, 0x00, 0x00}) == kHello);              // §7.2.3.2
    CHECK(decompressed(server, {0x00, 0x05, 0x00, 0xfa, 0xff, 'H', 'e', 'l', 'l', 'o', 0x00}) == kHello);  // §7.2.3.3
    CHECK(decompressed(server, {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}) == kHello);  // §7.2.3.4 BFINAL
    CHECK(decompressed(server, {0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}) ==
          kHello);                                      // §7.2.3.5
    CHECK(decompressed(server, {0x00}).empty());         // §7.2.3.6
    // Without the shared window (the client resets per message), §7.2.3.2 cannot be read.
    DeflateAgreement no_takeover;
    no_takeover.client_no_context_takeover = true;
    WsDeflate fresh(Role::server, no_takeover);
    CHECK(decompressed(fresh, {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}) == kHello);
    Bytes out(16);
    const auto r = fresh.decompress(Bytes{0xf2, 0x00, 0x11, 0x00, 0x00}, out);
    CHECK(r.status == WsDeflateStatus::corrupt);
    CHECK(r.inflate_error == sluice::core::InflateError::distance_too_far);
    CHECK(ws_error_of(r.status) == WsError::invalid_compressed_data);
    CHECK(close_code(WsError::invalid_compressed_data) == 1007);
    // §7.2.1: ours for "Hello" is the RFC's, trailer removed.
    WsDeflate client(Role::client, takeover);
    CHECK(compressed(client, kHello) == Bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    CHECK(compressed(client, {}) == Bytes{0x00});
}

TEST_CASE("RFC 7692 §7.2: messages both ways, with and without context takeover, every window") {
    for (std::uint8_t bits = 8; bits <= 15; ++bits) {
        for (const bool takeover : {true, false}) {
            DeflateAgreement a;
            a.server_max_window_bits = bits;
            a.client_max_window_bits = static_cast<std::uint8_t>(23 - bits);
            a.server_no_context_takeover = !takeover;
            a.client_no_context_takeover = !takeover;
            WsDeflate server(Role::server, a, sluice::core::DeflateLevel::fast);
            WsDeflate client(Role::client, a);
            for (unsigned i = 0; i < 50; ++i) {
                CAPTURE(bits);
                CAPTURE(takeover);
                CAPTURE(i);
                const Bytes up = sluice::test::json_message(i);
                const Bytes down = i % 7 == 0 ? sluice::test::mixed_text(3000 + i, i) : sluice::test::market_message(i);
                REQUIRE(decompressed(server, compressed(client, up)) == up);
                REQUIRE(decompressed(client, compressed(server, down)) == down);
            }
        }
    }
}

TEST_CASE("RFC 7692 §7.2.2 + RFC 6455 §10.4: the inflated size is bounded; bad data is named") {
    WsDeflate sender(Role::client, DeflateAgreement{});
    const Bytes big(100000, 'a');
    const Bytes z = compressed(sender, big);
    CHECK(z.size() < 1000);
    WsDeflate server(Role::server, DeflateAgreement{});
    Bytes out(65536 + 8, 0x55);
    const auto r = server.decompress(z, std::span<std::uint8_t>(out).first(65536));
    CHECK(r.status == WsDeflateStatus::too_big);
    CHECK(r.size == 65536);
    CHECK(out[65536] == 0x55);
    CHECK(ws_error_of(r.status) == WsError::message_too_large);
    // An exact fit is fine.
    WsDeflate exact(Role::server, DeflateAgreement{});
    CHECK(decompressed(exact, z, WsDeflateStatus::ok, big.size()) == big);
    // A payload that stops inside a block (a stored block of 100 bytes, 1 sent); invalid DEFLATE.
    WsDeflate s2(Role::server, DeflateAgreement{});
    decompressed(s2, {0x00, 100, 0x00, 155, 0xff, 'H'}, WsDeflateStatus::truncated);
    decompressed(s2, {0xff, 0xff, 0xff}, WsDeflateStatus::corrupt);
}

TEST_CASE("RFC 7692 §7.2 interop: a zlib sender with context takeover (Python's zlib)") {
    std::vector<Bytes> messages;
    for (unsigned i = 0; i < 5; ++i) messages.push_back(sluice::test::json_message(i));
    Bytes packed;
    for (const auto& m : messages) {
        packed.insert(packed.end(), m.begin(), m.end());
        packed.push_back('\n');
    }
    const std::string script =
        "import sys, zlib\n"
        "c = zlib.compressobj(6, zlib.DEFLATED, -15)\n"
        "for line in open(sys.argv[1], \"rb\").read().split(b\"\\n\")[:-1]:\n"
        "    z = (c.compress(line) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]\n"
        "    sys.stdout.buffer.write(len(z).to_bytes(2, \"little\") + z)\n";
    const auto out = sluice::test::run_python(script, packed);
    REQUIRE(out.has_value());
    WsDeflate server(Role::server, DeflateAgreement{});
    std::size_t pos = 0;
    for (const auto& m : messages) {
        REQUIRE(pos + 2 <= out->size());
        const std::size_t n = (*out)[pos] | (std::size_t{(*out)[pos + 1]} << 8);
        const Bytes z(out->begin() + static_cast<std::ptrdiff_t>(pos + 2),
                      out->begin() + static_cast<std::ptrdiff_t>(pos + 2 + n));
        pos += 2 + n;
        CHECK(decompressed(server, z) == m);
    }
}

TEST_CASE("RFC 7692 §6.1: RSV1 only on the first frame of a data message") {
    CHECK(check_rsv1(true, Opcode::text, true) == WsError::none);
    CHECK(check_rsv1(true, Opcode::binary, true) == WsError::none);
    CHECK(check_rsv1(true, Opcode::continuation, true) == WsError::compressed_bit_misplaced);
    CHECK(check_rsv1(true, Opcode::ping, true) == WsError::compressed_bit_misplaced);
    CHECK(check_rsv1(false, Opcode::text, true) == WsError::reserved_bits);
    CHECK(check_rsv1(false, Opcode::text, false) == WsError::none);
    CHECK(close_code(WsError::compressed_bit_misplaced) == 1002);
    std::uint8_t header[14];
    encode_frame_header(header, Opcode::text, true, 5);
    mark_compressed(header);
    CHECK(header[0] == 0xC1);
}

namespace {

// A masked client frame (key 0) with the given first byte.
Bytes frame(std::uint8_t b0, const Bytes& payload) {
    Bytes f = {b0, static_cast<std::uint8_t>(0x80 | payload.size()), 0, 0, 0, 0};
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

struct Event {
    WsEventKind kind;
    WsError error;
    std::uint16_t code;
    bool compressed;
    Opcode opcode;
    Bytes payload;  // copied at once: the event's view lasts until the next call
};

// Events of `in` fed whole or byte by byte.
std::vector<Event> events(const Bytes& in, bool deflate, bool bytewise) {
    WsLimits limits;
    limits.permessage_deflate = deflate;
    WsReceiver r(Role::server, limits);
    std::vector<Event> out;
    Bytes copy = in;
    std::span<std::uint8_t> rest(copy);
    while (!rest.empty()) {
        const WsEvent ev = r.next(rest.first(bytewise ? 1 : rest.size()));
        rest = rest.subspan(ev.consumed);
        if (ev.kind == WsEventKind::need_more) continue;
        if (ev.kind == WsEventKind::stopped) break;
        out.push_back({ev.kind, ev.error, ev.code, ev.compressed, ev.opcode, Bytes(ev.payload.begin(), ev.payload.end())});
        if (ev.kind == WsEventKind::fail) break;
    }
    return out;
}

}  // namespace

TEST_CASE("RFC 7692 §6.1: the receiver accepts RSV1 only when negotiated, only where allowed") {
    const Bytes hello = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};  // not UTF-8: must not be checked
    for (const bool bytewise : {false, true}) {
        CAPTURE(bytewise);
        auto ev = events(frame(0xC1, hello), true, bytewise);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].kind == WsEventKind::message);
        CHECK(ev[0].compressed);
        CHECK(ev[0].opcode == Opcode::text);
        CHECK(ev[0].payload == hello);
        // Fragmented: RSV1 on the first frame only.
        Bytes two = frame(0x41, {0xf2, 0x48, 0xcd});
        const Bytes tail = frame(0x80, {0xc9, 0xc9, 0x07, 0x00});
        two.insert(two.end(), tail.begin(), tail.end());
        ev = events(two, true, bytewise);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].compressed);
        CHECK(ev[0].payload.size() == 7);
        // An uncompressed text message is still UTF-8 checked.
        ev = events(frame(0x81, hello), true, bytewise);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].error == WsError::invalid_utf8);
        // RSV1 on a continuation or a control frame: 1002.
        Bytes bad = frame(0x01, {'a'});
        const Bytes cont = frame(0xC0, {'b'});
        bad.insert(bad.end(), cont.begin(), cont.end());
        ev = events(bad, true, bytewise);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].error == WsError::compressed_bit_misplaced);
        CHECK(ev[0].code == 1002);
        ev = events(frame(0xC9, {}), true, bytewise);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].error == WsError::compressed_bit_misplaced);
        // Not negotiated: RSV1 is a reserved bit; RSV2 stays reserved when negotiated.
        ev = events(frame(0xC1, hello), false, bytewise);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].error == WsError::reserved_bits);
        ev = events(frame(0xA1, {'a'}), true, bytewise);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].error == WsError::reserved_bits);
    }
}

namespace {

struct Hooks {
    std::vector<Bytes> plain, compressed, sent;
    int failed = 0;
    void on_message(Opcode, std::span<const std::uint8_t> b) { plain.emplace_back(b.begin(), b.end()); }
    WsError verdict = WsError::none;  // what on_compressed_message answers
    WsError on_compressed_message(Opcode, std::span<const std::uint8_t> b) {
        compressed.emplace_back(b.begin(), b.end());
        return verdict;
    }
    void on_ping(std::span<const std::uint8_t>) {}
    void on_pong(std::span<const std::uint8_t>) {}
    void on_close(std::uint16_t, std::string_view) {}
    void on_fail(std::uint16_t) { ++failed; }
    void send(std::span<const std::uint8_t> b) { sent.emplace_back(b.begin(), b.end()); }
};

}  // namespace

TEST_CASE("RFC 7692 §6: WsSession hands compressed messages over and sends RSV1") {
    Hooks hooks;
    WsLimits limits;
    limits.permessage_deflate = true;
    WsSession<Hooks> session(Role::server, limits, hooks);
    Bytes in = frame(0xC1, {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    session.feed(in);
    REQUIRE(hooks.compressed.size() == 1);
    WsDeflate codec(Role::server, DeflateAgreement{});
    CHECK(decompressed(codec, hooks.compressed[0]) == kHello);
    const Bytes z = compressed(codec, kHello);
    CHECK(session.send_compressed_message(Opcode::text, z));
    REQUIRE(hooks.sent.size() == 1);
    CHECK(hooks.sent[0][0] == 0xC1);  // FIN, RSV1, text
    CHECK(session.send_message(Opcode::text, std::string_view("x")));
    CHECK(hooks.sent[1][0] == 0x81);
    CHECK(hooks.failed == 0);
}

TEST_CASE("RFC 7692 §7.2.2: a compressed message the owner finds broken fails the session with its code") {
    for (const auto& [e, code] : {std::pair{WsError::invalid_compressed_data, 1007}, std::pair{WsError::invalid_utf8, 1007},
                                 std::pair{WsError::message_too_large, 1009}}) {
        Hooks hooks;
        hooks.verdict = e;
        WsLimits limits;
        limits.permessage_deflate = true;
        WsSession<Hooks> session(Role::server, limits, hooks);
        Bytes in = frame(0xC1, {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
        const Bytes more = frame(0x81, {'x'});
        in.insert(in.end(), more.begin(), more.end());
        CHECK(session.feed(in) < in.size());  // the message after the broken one is not read
        CHECK(hooks.compressed.size() == 1);
        CHECK(hooks.plain.empty());
        CHECK(hooks.failed == 1);
        CHECK(session.failed());
        CHECK(session.error() == e);
        REQUIRE(hooks.sent.size() == 1);
        CHECK(hooks.sent[0][0] == 0x88);  // our close
        CHECK(((hooks.sent[0][2] << 8) | hooks.sent[0][3]) == code);
        CHECK_FALSE(session.can_send());
    }
}

namespace {

struct Growing {  // a buffer that doubles up to `limit` (the owner's side of WsOutputGrowth)
    Bytes buffer = Bytes(16);
    std::size_t limit = 0;
    int grown = 0;
    static std::span<std::uint8_t> grow(void* self, std::size_t) noexcept {
        auto& g = *static_cast<Growing*>(self);
        const std::size_t next = std::min(g.buffer.size() * 2, g.limit);
        if (next > g.buffer.size()) {
            g.buffer.resize(next);
            ++g.grown;
        }
        return g.buffer;
    }
};

}  // namespace

TEST_CASE("RFC 7692 §7.2.2: a message inflates into a buffer that grows, up to the owner's limit") {
    Bytes message;
    for (int i = 0; message.size() < 100000; ++i) {
        const std::string line = "{\"seq\":" + std::to_string(i) + ",\"text\":\"hello\"}";
        message.insert(message.end(), line.begin(), line.end());
    }
    for (const bool takeover : {false, true}) {
        DeflateAgreement a;
        a.client_no_context_takeover = !takeover;
        WsDeflate sender(Role::client, a), receiver(Role::server, a);
        for (int round = 0; round < 2; ++round) {  // the second message refers to the first's window
            const Bytes z = compressed(sender, message);
            Growing g;
            g.limit = message.size();
            const auto r = receiver.decompress(z, g.buffer, WsOutputGrowth{&g, &Growing::grow});
            REQUIRE(r.status == WsDeflateStatus::ok);
            CHECK(g.grown > 5);
            CHECK(Bytes(g.buffer.begin(), g.buffer.begin() + static_cast<std::ptrdiff_t>(r.size)) == message);
        }
        const Bytes z = compressed(sender, message);
        Growing small;
        small.limit = message.size() - 1;  // one byte short: 1009
        CHECK(receiver.decompress(z, small.buffer, WsOutputGrowth{&small, &Growing::grow}).status ==
              WsDeflateStatus::too_big);
        CHECK(small.buffer.size() == message.size() - 1);
    }
}
