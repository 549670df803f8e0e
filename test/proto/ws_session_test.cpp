#include "proto/ws_session.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "test/support/guard_page.hpp"

namespace {

using namespace sluice::proto;
using Bytes = std::vector<std::uint8_t>;
using Key = std::array<std::uint8_t, 4>;

constexpr Key kKey = {0x37, 0xfa, 0x21, 0x3d};

std::string text_of(std::span<const std::uint8_t> b) { return std::string(b.begin(), b.end()); }
Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Records every hook call as one line, and every byte sent.
struct Recorder {
    std::vector<std::string> events;
    Bytes sent;
    std::size_t fed = 0;       // bytes given to feed() so far (set by the driver)
    std::size_t fail_at = 0;   // `fed` when on_fail ran
    std::size_t close_at = 0;  // `fed` when on_close ran
    Key mask = {0x11, 0x22, 0x33, 0x44};
    const WsReceiver* receiver = nullptr;  // to watch the assembly buffer
    std::size_t max_assembly_seen = 0;

    void on_message(Opcode op, std::span<const std::uint8_t> b) {
        events.push_back((op == Opcode::text ? "text:" : "binary:") + text_of(b));
        note_memory();
    }
    void on_ping(std::span<const std::uint8_t> b) { events.push_back("ping:" + text_of(b)); }
    void on_pong(std::span<const std::uint8_t> b) { events.push_back("pong:" + text_of(b)); }
    void on_close(std::uint16_t code, std::string_view reason) {
        events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
        close_at = fed;
    }
    void on_fail(std::uint16_t code) {
        events.push_back("fail:" + std::to_string(code));
        fail_at = fed;
    }
    void send(std::span<const std::uint8_t> b) { sent.insert(sent.end(), b.begin(), b.end()); }
    Key next_mask() { return mask; }
    void note_memory() {
        if (receiver != nullptr && receiver->assembly_capacity() > max_assembly_seen)
            max_assembly_seen = receiver->assembly_capacity();
    }
};

// A frame as a peer would send it. Masked with kKey when `masked` (client to server).
Bytes frame(Opcode op, std::string_view payload, bool fin = true, bool masked = true, std::uint8_t rsv = 0) {
    Bytes out(kMaxFrameHeader);
    const std::size_t h = encode_frame_header(out.data(), op, fin, payload.size(), masked ? &kKey : nullptr);
    out.resize(h);
    out[0] = static_cast<std::uint8_t>(out[0] | (rsv << 4));
    const std::size_t at = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    if (masked) unmask(std::span<std::uint8_t>(out.data() + at, payload.size()), kKey, 0);
    return out;
}
Bytes close_frame(std::uint16_t code, std::string_view reason = {}, bool masked = true) {
    std::string body;
    body.push_back(static_cast<char>(code >> 8));
    body.push_back(static_cast<char>(code & 0xFF));
    body += reason;
    return frame(Opcode::close, body, true, masked);
}
Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
// What our side sends: unmasked for a server.
Bytes server_frame(Opcode op, std::string_view payload) { return frame(op, payload, true, false); }
Bytes server_close(std::uint16_t code, std::string_view reason = {}) {
    return close_frame(code, reason, false);
}
// A close frame masked with `key` (what a client session sends).
Bytes masked_close(std::uint16_t code, std::string_view reason, const Key& key) {
    Bytes out = close_frame(code, reason, false);
    const std::size_t body = out.size() - 2;
    REQUIRE(body <= 125);
    Bytes masked(kMaxFrameHeader);
    masked.resize(encode_frame_header(masked.data(), Opcode::close, true, body, &key));
    const std::size_t at = masked.size();
    masked.insert(masked.end(), out.begin() + 2, out.end());
    unmask(std::span<std::uint8_t>(masked.data() + at, body), key, 0);
    return masked;
}

struct Outcome {
    std::vector<std::string> events;
    Bytes sent;
    WsState state;
    std::size_t fail_at;
    std::size_t max_assembly;
};

// Feeds `input` in the chunks given by `cuts` (ascending split points). Each chunk is its own
// block, freed after its feed(): small inputs sit right before a PROT_NONE page
// (test/support/guard_page.hpp), large ones in an exact-size heap block, so a read past a
// chunk, or a pointer kept into it, crashes the test (ASan).
Outcome run(Role role, const WsLimits& limits, const Bytes& input, const std::vector<std::size_t>& cuts) {
    Recorder rec;
    WsSession<Recorder> session(role, limits, rec);
    rec.receiver = &session.receiver();
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : input.size();
        Bytes chunk(input.begin() + static_cast<std::ptrdiff_t>(from),
                    input.begin() + static_cast<std::ptrdiff_t>(to));
        rec.fed = to;
        std::size_t used = 0;
        if (input.size() <= 4096) {
            sluice::test::GuardedBytes guarded{std::span<const std::uint8_t>(chunk)};
            REQUIRE(guarded.ok());
            used = session.feed(std::span<std::uint8_t>(guarded.mutable_data(), guarded.size()));
        } else {
            used = session.feed(chunk);
        }
        rec.note_memory();
        CHECK(used <= chunk.size());
        if (session.state() == WsState::open || session.state() == WsState::closing) {
            if (!session.close_received()) CHECK(used == chunk.size());  // consumes all while reading
        }
        from = to;
    }
    return {rec.events, rec.sent, session.state(), rec.fail_at, rec.max_assembly_seen};
}

struct Expect {
    std::vector<std::string> events;
    Bytes sent;
    WsState state;
};

// The same input whole, at every split point into two, and byte by byte: same outcome.
void check_all_splits(Role role, const WsLimits& limits, const Bytes& input, const Expect& expect) {
    auto same = [&](const Outcome& o, const char* how, std::size_t at) {
        INFO("fed " << how << " " << at);
        CHECK(o.events == expect.events);
        CHECK(o.sent == expect.sent);
        CHECK(o.state == expect.state);
    };
    same(run(role, limits, input, {}), "whole", 0);
    for (std::size_t cut = 1; cut < input.size(); ++cut)
        same(run(role, limits, input, {cut}), "split at", cut);
    std::vector<std::size_t> every;
    for (std::size_t cut = 1; cut < input.size(); ++cut) every.push_back(cut);
    same(run(role, limits, input, every), "byte by byte", 0);
}
void check_all_splits(const Bytes& input, const Expect& expect) {
    check_all_splits(Role::server, WsLimits{}, input, expect);
}

// A peer breaking a rule: the server fails with `code`, sending a close frame with it.
void check_fails(const Bytes& input, std::uint16_t code, WsError error, std::vector<std::string> before = {},
                 const WsLimits& limits = {}, Role role = Role::server) {
    before.push_back("fail:" + std::to_string(code));
    Bytes sent;
    for (const std::string& e : before) {
        if (e.rfind("ping:", 0) == 0) {
            const Bytes pong = server_frame(Opcode::pong, e.substr(5));
            sent.insert(sent.end(), pong.begin(), pong.end());
        }
    }
    const Bytes close = role == Role::server ? server_close(code, ws_error_name(error))
                                             : close_frame(code, ws_error_name(error), true);
    if (role == Role::server) sent.insert(sent.end(), close.begin(), close.end());
    if (role == Role::server) {
        check_all_splits(role, limits, input, {before, sent, WsState::failed});
    } else {
        const Outcome o = run(role, limits, input, {});
        CHECK(o.events == before);
        CHECK(o.state == WsState::failed);
    }
    Recorder rec;
    WsSession<Recorder> s(role, limits, rec);
    Bytes copy = input;
    s.feed(copy);
    CHECK(s.error() == error);
}

// Byte by byte: the failure happens exactly when byte number `at` (1-based) is fed.
void check_fails_at(const Bytes& input, std::size_t at, std::uint16_t code, const WsLimits& limits = {}) {
    std::vector<std::size_t> every;
    for (std::size_t cut = 1; cut < input.size(); ++cut) every.push_back(cut);
    const Outcome o = run(Role::server, limits, input, every);
    REQUIRE(!o.events.empty());
    CHECK(o.events.back() == "fail:" + std::to_string(code));
    CHECK(o.fail_at == at);
}

}  // namespace

TEST_SUITE("proto") {
    // ---- §5.7 examples and basic framing -------------------------------------------------
    TEST_CASE("RFC 6455 5.7: a masked single-frame text message is delivered") {
        const Bytes in = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
        CHECK(in == frame(Opcode::text, "Hello"));
        check_all_splits(in, {{"text:Hello"}, {}, WsState::open});
    }

    TEST_CASE("RFC 6455 5.7: an unmasked single-frame and a fragmented text message reach a client") {
        const Bytes in = {0x81, 0x05, 'H', 'e', 'l',  'l',  'o', 0x01,
                          0x03, 'H',  'e', 'l', 0x80, 0x02, 'l', 'o'};
        check_all_splits(Role::client, {}, in, {{"text:Hello", "text:Hello"}, {}, WsState::open});
    }

    TEST_CASE("RFC 6455 5.7: a ping is answered with a pong carrying the same payload") {
        check_all_splits(frame(Opcode::ping, "Hello"),
                         {{"ping:Hello"}, server_frame(Opcode::pong, "Hello"), WsState::open});
        check_all_splits(frame(Opcode::ping, ""), {{"ping:"}, server_frame(Opcode::pong, ""), WsState::open});
        const std::string max(125, 'p');
        check_all_splits(frame(Opcode::ping, max),
                         {{"ping:" + max}, server_frame(Opcode::pong, max), WsState::open});
    }

    TEST_CASE("RFC 6455 5.5.3: an unsolicited pong is reported and not answered") {
        check_all_splits(frame(Opcode::pong, "beat"), {{"pong:beat"}, {}, WsState::open});
    }

    TEST_CASE("RFC 6455 5.2: 7-bit, 16-bit and 64-bit lengths, and empty messages") {
        const std::string s125(125, 'a'), s126(126, 'b'), s300(300, 'c');
        const Bytes in = cat({frame(Opcode::text, ""), frame(Opcode::binary, ""), frame(Opcode::binary, s125),
                              frame(Opcode::binary, s126), frame(Opcode::text, s300)});
        check_all_splits(
            in,
            {{"text:", "binary:", "binary:" + s125, "binary:" + s126, "text:" + s300}, {}, WsState::open});
        for (std::size_t n : {65535u, 65536u, 70000u}) {
            const std::string big(n, 'z');
            const Outcome whole = run(Role::server, {}, frame(Opcode::binary, big), {});
            CHECK(whole.events == std::vector<std::string>{"binary:" + big});
            const Outcome split =
                run(Role::server, {}, frame(Opcode::binary, big), {3, 9, 100, 40000, 65540});
            CHECK(split.events == std::vector<std::string>{"binary:" + big});
        }
    }

    TEST_CASE("RFC 6455 5.4: fragments are reassembled, with control frames handled between them") {
        const Bytes in = cat({frame(Opcode::text, "Hel", false), frame(Opcode::ping, "x"),
                              frame(Opcode::continuation, "", false), frame(Opcode::pong, "y"),
                              frame(Opcode::continuation, "lo")});
        check_all_splits(
            in, {{"ping:x", "pong:y", "text:Hello"}, server_frame(Opcode::pong, "x"), WsState::open});
        const Bytes bin = cat({frame(Opcode::binary, "a", false), frame(Opcode::continuation, "b", false),
                               frame(Opcode::continuation, "c")});
        check_all_splits(bin, {{"binary:abc"}, {}, WsState::open});
    }

    // ---- §5.1 masking --------------------------------------------------------------------
    TEST_CASE("RFC 6455 5.1: a server fails on an unmasked client frame (1002)") {
        check_fails(frame(Opcode::text, "Hello", true, false), 1002, WsError::unmasked_client_frame);
        check_fails(cat({frame(Opcode::text, "ok"), frame(Opcode::ping, "", true, false)}), 1002,
                    WsError::unmasked_client_frame, {"text:ok"});
    }

    TEST_CASE("RFC 6455 5.1: a client fails on a masked server frame (1002)") {
        check_fails(frame(Opcode::text, "Hello", true, true), 1002, WsError::masked_server_frame, {}, {},
                    Role::client);
    }

    // ---- §5.2 reserved bits, opcodes, lengths ------------------------------------------------
    TEST_CASE("RFC 6455 5.2: RSV1, RSV2 or RSV3 set without an extension fails (1002)") {
        const std::uint8_t rsvs[] = {1, 2, 4, 7};
        for (std::uint8_t rsv : rsvs) {
            check_fails(frame(Opcode::text, "Hello", true, true, rsv), 1002, WsError::reserved_bits);
            check_fails(frame(Opcode::ping, "", true, true, rsv), 1002, WsError::reserved_bits);
        }
    }

    TEST_CASE("RFC 6455 5.2: reserved opcodes 0x3-0x7 and 0xB-0xF fail (1002)") {
        const std::uint8_t reserved[] = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF};
        for (std::uint8_t op : reserved) {
            check_fails(frame(static_cast<Opcode>(op), "x"), 1002, WsError::reserved_opcode);
            check_fails(cat({frame(Opcode::text, "a", false), frame(static_cast<Opcode>(op), "")}), 1002,
                        WsError::reserved_opcode);
        }
    }

    TEST_CASE("RFC 6455 5.2: a 64-bit length with the top bit set fails (1002), before any payload") {
        Bytes in = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
        check_fails(in, 1002, WsError::length_top_bit_set);
        check_fails_at(in, 10, 1002);  // known at the last length byte
    }

    TEST_CASE("RFC 6455 5.2: a length not in its minimal encoding fails (1002)") {
        check_fails(Bytes{0x82, 0xFE, 0x00, 0x7D, 1, 2, 3, 4}, 1002,
                    WsError::length_not_minimal);  // 125 as 16-bit
        check_fails(Bytes{0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4}, 1002,
                    WsError::length_not_minimal);
        // The smallest of each form is accepted.
        const std::string s126(126, 'q');
        check_all_splits(frame(Opcode::binary, s126), {{"binary:" + s126}, {}, WsState::open});
    }

    // ---- §5.5 control frames -----------------------------------------------------------------
    TEST_CASE("RFC 6455 5.5: a fragmented control frame fails (1002)") {
        check_fails(frame(Opcode::ping, "x", false), 1002, WsError::control_frame_fragmented);
        check_fails(frame(Opcode::pong, "x", false), 1002, WsError::control_frame_fragmented);
        check_fails(frame(Opcode::close, "", false), 1002, WsError::control_frame_fragmented);
    }

    TEST_CASE("RFC 6455 5.5: a control frame payload over 125 bytes fails (1002), before the payload") {
        const std::string s126(126, 'p');
        check_fails(frame(Opcode::ping, s126), 1002, WsError::control_frame_too_long);
        check_fails(frame(Opcode::pong, s126), 1002, WsError::control_frame_too_long);
        check_fails(frame(Opcode::close, "\x03\xe8" + std::string(124, 'r')), 1002,
                    WsError::control_frame_too_long);
        check_fails_at(frame(Opcode::ping, s126), 2, 1002);
    }

    // ---- §5.4 fragmentation ------------------------------------------------------------------
    TEST_CASE("RFC 6455 5.4: a continuation with no message started fails (1002)") {
        check_fails(frame(Opcode::continuation, "x"), 1002, WsError::unexpected_continuation);
        check_fails(cat({frame(Opcode::text, "done"), frame(Opcode::continuation, "x", false)}), 1002,
                    WsError::unexpected_continuation, {"text:done"});
    }

    TEST_CASE("RFC 6455 5.4: a new text or binary frame inside an open message fails (1002)") {
        check_fails(cat({frame(Opcode::text, "a", false), frame(Opcode::text, "b")}), 1002,
                    WsError::data_frame_inside_message);
        check_fails(
            cat({frame(Opcode::binary, "a", false), frame(Opcode::ping, "p"), frame(Opcode::binary, "b")}),
            1002, WsError::data_frame_inside_message, {"ping:p"});
    }

    // ---- §8.1 UTF-8 ---------------------------------------------------------------------------
    TEST_CASE("RFC 6455 8.1: text split inside characters across fragments and reads is delivered") {
        const std::string kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";  // κόσμε
        const Bytes in = cat({frame(Opcode::text, kosme.substr(0, 1), false),
                              frame(Opcode::continuation, kosme.substr(1, 3), false),
                              frame(Opcode::continuation, kosme.substr(4))});
        check_all_splits(in, {{"text:" + kosme}, {}, WsState::open});
        check_all_splits(frame(Opcode::text, "\xf0\x9f\x98\x80"),
                         {{"text:\xf0\x9f\x98\x80"}, {}, WsState::open});
    }

    TEST_CASE("RFC 6455 8.1: invalid UTF-8 in a text message fails (1007)") {
        check_fails(frame(Opcode::text, "\xff"), 1007, WsError::invalid_utf8);
        check_fails(frame(Opcode::text, "\xc0\xaf"), 1007, WsError::invalid_utf8);          // overlong
        check_fails(frame(Opcode::text, "\xed\xa0\x80"), 1007, WsError::invalid_utf8);      // surrogate
        check_fails(frame(Opcode::text, "\xf4\x90\x80\x80"), 1007, WsError::invalid_utf8);  // > U+10FFFF
        // Binary messages are not UTF-8 checked.
        check_all_splits(frame(Opcode::binary, "\xff"), {{"binary:\xff"}, {}, WsState::open});
    }

    TEST_CASE("RFC 6455 8.1: a text message ending inside a character fails (1007) at its last frame") {
        check_fails(frame(Opcode::text, "ab\xce"), 1007, WsError::invalid_utf8);
        check_fails(cat({frame(Opcode::text, "\xe1\xbd", false), frame(Opcode::continuation, "")}), 1007,
                    WsError::invalid_utf8);
    }

    TEST_CASE(
        "RFC 6455 8.1: invalid UTF-8 fails as soon as the bad byte is fed, mid-frame and across fragments") {
        // Frame: 2-byte header + 4-byte key + payload "ab\xff..." — the bad byte is byte 9.
        const Bytes one = frame(Opcode::text, std::string("ab\xff") + std::string(100, 'c'));
        check_fails_at(one, 6 + 3, 1007);
        // The invalid sequence F4 90 split across two fragments: fails on the 0x90, which is
        // the first payload byte of the second fragment (byte 6 + 5 + 6 + 1 = 18).
        const Bytes two = cat({frame(Opcode::text, "abcd\xf4", false),
                               frame(Opcode::continuation, std::string("\x90") + "zzzz")});
        check_fails_at(two, 6 + 5 + 6 + 1, 1007);
        // A ping between the fragments is answered first.
        const Bytes three = cat({frame(Opcode::text, "\xe1", false), frame(Opcode::ping, "p"),
                                 frame(Opcode::continuation, "\x28xx")});
        check_fails(three, 1007, WsError::invalid_utf8, {"ping:p"});
    }

    // ---- §10.4 limits ----------------------------------------------------------------------------
    TEST_CASE("RFC 6455 10.4: a frame over max_frame_size fails (1009) as soon as the header shows it") {
        WsLimits limits;
        limits.max_frame_size = 100;
        limits.max_message_size = 1000;
        check_fails(frame(Opcode::binary, std::string(101, 'x')), 1009, WsError::frame_too_large, {}, limits);
        check_fails_at(frame(Opcode::binary, std::string(101, 'x')), 2, 1009, limits);  // at the 7-bit length
        check_fails_at(frame(Opcode::binary, std::string(300, 'x')), 4, 1009,
                       limits);  // at the 16-bit length
        check_fails_at(frame(Opcode::binary, std::string(70000, 'x')), 10, 1009,
                       limits);  // at the 64-bit length
        check_all_splits(Role::server, limits, frame(Opcode::binary, std::string(100, 'x')),
                         {{"binary:" + std::string(100, 'x')}, {}, WsState::open});
    }

    TEST_CASE(
        "RFC 6455 10.4: a message over max_message_size fails (1009) at the header of the fragment that "
        "exceeds it") {
        WsLimits limits;
        limits.max_frame_size = 100;
        limits.max_message_size = 150;
        const Bytes ok = cat({frame(Opcode::text, std::string(100, 'a'), false),
                              frame(Opcode::continuation, std::string(50, 'b'))});
        check_all_splits(Role::server, limits, ok,
                         {{"text:" + std::string(100, 'a') + std::string(50, 'b')}, {}, WsState::open});
        const Bytes over = cat({frame(Opcode::text, std::string(100, 'a'), false),
                                frame(Opcode::continuation, std::string(51, 'b'))});
        check_fails(over, 1009, WsError::message_too_large, {}, limits);
        check_fails_at(over, 6 + 100 + 2, 1009, limits);  // the second header's length byte
        limits.max_frame_size = 1000;
        check_fails(frame(Opcode::binary, std::string(151, 'x')), 1009, WsError::message_too_large, {},
                    limits);
    }

    // ---- §5.5.1 / §7 close -------------------------------------------------------------------
    TEST_CASE(
        "RFC 6455 5.5.1: the peer's close is echoed with its code and its reason, then the session is "
        "closed") {
        check_all_splits(close_frame(1000, "bye"),
                         {{"close:1000:bye"}, server_close(1000, "bye"), WsState::closed});
        check_all_splits(close_frame(4321), {{"close:4321:"}, server_close(4321), WsState::closed});
        // The longest reason (123 bytes: the 125-byte control payload minus the code) and a
        // multi-byte UTF-8 one come back byte for byte.
        const std::string longest(kMaxCloseReason, 'r');
        check_all_splits(close_frame(1001, longest),
                         {{"close:1001:" + longest}, server_close(1001, longest), WsState::closed});
        const std::string kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
        check_all_splits(close_frame(3000, kosme),
                         {{"close:3000:" + kosme}, server_close(3000, kosme), WsState::closed});
        // After a message and a ping, in one stream.
        check_all_splits(
            cat({frame(Opcode::text, "hi"), frame(Opcode::ping, "p"), close_frame(1000, "done")}),
            {{"text:hi", "ping:p", "close:1000:done"},
             cat({server_frame(Opcode::pong, "p"), server_close(1000, "done")}),
             WsState::closed});
        // A client echoes the server's reason too, masked (§5.1).
        check_all_splits(Role::client, {}, server_close(1000, "bye"),
                         {{"close:1000:bye"}, masked_close(1000, "bye", Recorder{}.mask), WsState::closed});
        // An empty close body: on_close sees 1005 ("no status"), the echo carries 1000.
        check_all_splits(frame(Opcode::close, ""), {{"close:1005:"}, server_close(1000), WsState::closed});
    }

    TEST_CASE("RFC 6455 5.5.1: a close payload of one byte fails (1002)") {
        check_fails(frame(Opcode::close, "\x03"), 1002, WsError::close_payload_one_byte);
        check_fails_at(frame(Opcode::close, "\x03"), 2, 1002);
    }

    TEST_CASE("RFC 6455 7.4: a close code not valid on the wire fails (1002); every valid one is echoed") {
        const std::uint16_t bad[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};
        for (std::uint16_t code : bad) check_fails(close_frame(code), 1002, WsError::invalid_close_code);
        const std::uint16_t good[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                      1010, 1011, 1012, 1013, 1014, 3000, 4999};
        for (std::uint16_t code : good) {
            const Outcome o = run(Role::server, {}, close_frame(code, "r"), {});
            CHECK(o.events == std::vector<std::string>{"close:" + std::to_string(code) + ":r"});
            CHECK(o.sent == server_close(code, "r"));
        }
    }

    TEST_CASE("RFC 6455 5.5.1: a close reason that is not UTF-8 fails (1007)") {
        check_fails(close_frame(1000, "ok\xff"), 1007, WsError::invalid_close_reason_utf8);
        check_fails(close_frame(1000, "\xce"), 1007, WsError::invalid_close_reason_utf8);
        check_all_splits(close_frame(1000, "\xce\xba"),
                         {{"close:1000:\xce\xba"}, server_close(1000, "\xce\xba"), WsState::closed});
    }

    TEST_CASE("RFC 6455 5.5.1: bytes after the peer's close are not read; nothing more is sent") {
        Recorder rec;
        WsSession<Recorder> s(Role::server, {}, rec);
        const Bytes close = close_frame(1001);
        Bytes in =
            cat({frame(Opcode::text, "a"), close, frame(Opcode::text, "after"), frame(Opcode::ping, "p")});
        CHECK(s.feed(in) == frame(Opcode::text, "a").size() + close.size());
        CHECK(rec.events == std::vector<std::string>{"text:a", "close:1001:"});
        CHECK(s.state() == WsState::closed);
        CHECK(s.close_handshake_complete());
        Bytes more = frame(Opcode::text, "x");
        CHECK(s.feed(more) == 0);
        CHECK_FALSE(s.send_message(Opcode::text, "late"));
        CHECK_FALSE(s.send_ping({}));
        CHECK_FALSE(s.send_close(1000, ""));
        CHECK(rec.sent == server_close(1001));
    }

    TEST_CASE(
        "RFC 6455 7.1.2: after our close, data is dropped, pings are still answered (5.5.2), the "
        "peer's close completes it") {
        Recorder rec;
        WsSession<Recorder> s(Role::server, {}, rec);
        REQUIRE(s.send_close(1001, "going"));
        CHECK(s.state() == WsState::closing);
        CHECK(rec.sent == server_close(1001, "going"));
        CHECK_FALSE(s.send_message(Opcode::text, "no"));  // §5.5.1: no data after a close
        CHECK_FALSE(s.send_close(1000, ""));              // only one close
        Bytes in = cat({frame(Opcode::text, "dropped"), frame(Opcode::binary, "x", false),
                        frame(Opcode::ping, "p"), frame(Opcode::continuation, "y"), close_frame(1000)});
        CHECK(s.feed(in) == in.size());
        CHECK(rec.events == std::vector<std::string>{"ping:p", "close:1000:"});
        // §5.5.2: a Pong MUST answer a Ping "unless it already received a Close frame"; §5.5.1
        // forbids only data frames after our close. No second close.
        CHECK(rec.sent == cat({server_close(1001, "going"), server_frame(Opcode::pong, "p")}));
        CHECK(s.state() == WsState::closed);
        CHECK(s.close_sent());
        CHECK(s.close_received());
    }

    TEST_CASE("RFC 6455 7.1.2: the same closing exchange holds at every split point") {
        // A client-initiated message in flight when we close: a partly received message is
        // discarded, the rest of it dropped, and the sequence rules still apply.
        const Bytes in =
            cat({frame(Opcode::text, "dropped"), frame(Opcode::ping, "p"), close_frame(1000, "done")});
        auto drive = [&](const std::vector<std::size_t>& cuts) {
            Recorder rec;
            WsSession<Recorder> s(Role::server, {}, rec);
            s.send_close(1000, "");
            std::size_t from = 0;
            for (std::size_t i = 0; i <= cuts.size(); ++i) {
                const std::size_t to = i < cuts.size() ? cuts[i] : in.size();
                Bytes chunk(in.begin() + static_cast<std::ptrdiff_t>(from),
                            in.begin() + static_cast<std::ptrdiff_t>(to));
                s.feed(chunk);
                from = to;
            }
            CHECK(rec.events == std::vector<std::string>{"ping:p", "close:1000:done"});
            CHECK(rec.sent == cat({server_close(1000), server_frame(Opcode::pong, "p")}));
            CHECK(s.state() == WsState::closed);
        };
        drive({});
        for (std::size_t cut = 1; cut < in.size(); ++cut) drive({cut});
    }

    TEST_CASE("RFC 6455 7.1.7: a protocol error after our close fails without a second close frame") {
        Recorder rec;
        WsSession<Recorder> s(Role::server, {}, rec);
        REQUIRE(s.send_close(1000, ""));
        Bytes in = frame(Opcode::ping, "x", false);
        s.feed(in);
        CHECK(rec.events == std::vector<std::string>{"fail:1002"});
        CHECK(rec.sent == server_close(1000));
        CHECK(s.state() == WsState::failed);
    }

    TEST_CASE("RFC 6455 7.1.7: after a failure nothing is read or sent") {
        Recorder rec;
        WsSession<Recorder> s(Role::server, {}, rec);
        Bytes bad = frame(Opcode::text, "x", true, false);
        s.feed(bad);
        CHECK(s.failed());
        CHECK(s.state() == WsState::failed);
        Bytes more = frame(Opcode::text, "y");
        CHECK(s.feed(more) == 0);
        CHECK_FALSE(s.send_message(Opcode::binary, "z"));
        CHECK_FALSE(s.send_close(1000, ""));
        CHECK(rec.events == std::vector<std::string>{"fail:1002"});
    }

    TEST_CASE("RFC 6455 7.4: send_close validates its code and reason") {
        Recorder rec;
        WsSession<Recorder> s(Role::server, {}, rec);
        CHECK_FALSE(s.send_close(1005, "x"));
        CHECK_FALSE(s.send_close(1006, ""));
        CHECK_FALSE(s.send_close(999, ""));
        CHECK_FALSE(s.send_close(1000, std::string(124, 'a')));
        CHECK_FALSE(s.send_close(1000, "\xff"));
        CHECK(rec.sent.empty());
        CHECK(s.send_close(1005, ""));  // an empty close body
        CHECK(rec.sent == Bytes{0x88, 0x00});
    }

    // ---- sending ---------------------------------------------------------------------------
    TEST_CASE("RFC 6455 5.1: a server sends unmasked frames, a client masked ones that a server reads") {
        Recorder srec;
        WsSession<Recorder> server(Role::server, {}, srec);
        CHECK(server.send_message(Opcode::text, "Hello"));
        CHECK(srec.sent == Bytes{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'});
        CHECK_FALSE(server.send_message(Opcode::ping, "x"));
        CHECK_FALSE(server.send_ping(Bytes(126, 0)));
        CHECK(server.send_ping(bytes_of("hb")));
        CHECK(server.send_pong(bytes_of("hb")));

        Recorder crec;
        crec.mask = kKey;
        WsSession<Recorder> client(Role::client, {}, crec);
        CHECK(client.send_message(Opcode::text, "Hello"));
        CHECK(crec.sent == Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});  // §5.7
    }

    TEST_CASE("RFC 6455 5.4: auto-fragmentation splits outgoing messages into continuation frames") {
        WsLimits limits;
        limits.auto_fragment_size = 4;
        Recorder rec;
        WsSession<Recorder> s(Role::server, limits, rec);
        CHECK(s.send_message(Opcode::text, "abcdefghij"));
        CHECK(rec.sent == cat({frame(Opcode::text, "abcd", false, false),
                               frame(Opcode::continuation, "efgh", false, false),
                               frame(Opcode::continuation, "ij", true, false)}));
        rec.sent.clear();
        CHECK(s.send_message(Opcode::binary, "abcd"));  // at the limit: one frame
        CHECK(rec.sent == frame(Opcode::binary, "abcd", true, false));
    }

    TEST_CASE("RFC 6455 5.3: client frames of every length encoding round-trip through a server session") {
        for (std::size_t n : {0u, 125u, 126u, 255u, 256u, 1000u, 1025u, 65535u, 65536u, 1u << 20}) {
            std::string payload(n, '\0');
            for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
            Recorder crec;
            WsSession<Recorder> client(Role::client, {}, crec);
            REQUIRE(client.send_message(Opcode::binary, payload));
            Recorder srec;
            WsSession<Recorder> server(Role::server, {}, srec);
            CHECK(server.feed(crec.sent) == crec.sent.size());
            REQUIRE(srec.events.size() == 1);
            CHECK(srec.events[0] == "binary:" + payload);
            // And back: the server's unmasked frame reaches the client.
            REQUIRE(server.send_message(Opcode::text, payload));
            CHECK(client.feed(srec.sent) == srec.sent.size());
            REQUIRE(crec.events.size() == 1);
            CHECK(crec.events[0] == "text:" + payload);
        }
    }

    TEST_CASE("RFC 6455 5.3: without a next_mask() hook the client still masks, with changing keys") {
        struct Plain {
            Bytes sent;
            void on_message(Opcode, std::span<const std::uint8_t>) {}
            void on_ping(std::span<const std::uint8_t>) {}
            void on_pong(std::span<const std::uint8_t>) {}
            void on_close(std::uint16_t, std::string_view) {}
            void on_fail(std::uint16_t) {}
            void send(std::span<const std::uint8_t> b) { sent.insert(sent.end(), b.begin(), b.end()); }
        };
        Plain hooks;
        WsSession<Plain> client(Role::client, {}, hooks);
        REQUIRE(client.send_message(Opcode::text, "one"));
        REQUIRE(client.send_message(Opcode::text, "two"));
        REQUIRE(hooks.sent.size() == 2 * (6 + 3));
        CHECK((hooks.sent[1] & 0x80) != 0);
        CHECK(Bytes(hooks.sent.begin() + 2, hooks.sent.begin() + 6) !=
              Bytes(hooks.sent.begin() + 11, hooks.sent.begin() + 15));
        Recorder srec;
        WsSession<Recorder> server(Role::server, {}, srec);
        server.feed(hooks.sent);
        CHECK(srec.events == std::vector<std::string>{"text:one", "text:two"});
    }

    // ---- memory ----------------------------------------------------------------------------
    TEST_CASE(
        "RFC 6455 5.4: messages inside one input need no assembly buffer; split ones free it once "
        "delivered") {
        const std::string big(5000, 'm');
        // Whole frames and a fragmented message with a ping inside, all in one input.
        const Outcome one = run(Role::server, {},
                                cat({frame(Opcode::text, big), frame(Opcode::binary, "a", false),
                                     frame(Opcode::ping, "p"), frame(Opcode::continuation, big)}),
                                {});
        CHECK(one.events.size() == 3);
        CHECK(one.max_assembly == 0);
        // Split across reads: the buffer exists while the message is incomplete, never above
        // what has been announced, and is gone after delivery.
        Recorder rec;
        WsSession<Recorder> s(Role::server, {}, rec);
        rec.receiver = &s.receiver();
        Bytes in = frame(Opcode::binary, big);
        Bytes first(in.begin(), in.begin() + 100);
        Bytes second(in.begin() + 100, in.end());
        s.feed(first);
        CHECK(s.receiver().assembly_capacity() > 0);
        CHECK(s.receiver().assembly_capacity() <= big.size());
        s.feed(second);
        CHECK(rec.events == std::vector<std::string>{"binary:" + big});
        CHECK(rec.max_assembly_seen <= big.size());
        CHECK(s.receiver().assembly_capacity() == 0);
    }

    TEST_CASE("Fuzz contract: random bytes in random splits never crash or exceed the limits") {
        std::uint64_t seed = 0x1234567;
        auto rnd = [&]() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            return seed;
        };
        WsLimits limits;
        limits.max_frame_size = 300;
        limits.max_message_size = 500;
        int runs = 0;
        for (int round = 0; round < 400; ++round) {
            Bytes in;
            // Mostly well-formed frames, with bytes flipped, so the parser goes deep.
            const int frames = static_cast<int>(rnd() % 6) + 1;
            for (int f = 0; f < frames; ++f) {
                static const Opcode ops[] = {Opcode::text, Opcode::binary, Opcode::continuation, Opcode::ping,
                                             Opcode::close};
                const std::string payload(rnd() % 200, static_cast<char>(rnd() % 256));
                Bytes fr = frame(ops[rnd() % 5], payload, rnd() % 3 != 0);
                in.insert(in.end(), fr.begin(), fr.end());
            }
            for (int flips = static_cast<int>(rnd() % 4); flips > 0 && !in.empty(); --flips)
                in[rnd() % in.size()] ^= static_cast<std::uint8_t>(1u << (rnd() % 8));
            std::vector<std::size_t> cuts;
            for (std::size_t at = 1 + rnd() % 50; at < in.size(); at += 1 + rnd() % 50) cuts.push_back(at);
            const Outcome o = run(Role::server, limits, in, cuts);
            CHECK(o.max_assembly <= limits.max_message_size);
            ++runs;
        }
        CHECK(runs == 400);
    }
}
