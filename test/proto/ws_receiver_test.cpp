#include "proto/ws_receiver.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace sluice::proto;
using Bytes = std::vector<std::uint8_t>;

constexpr std::array<std::uint8_t, 4> kKey = {1, 2, 3, 4};

Bytes frame(Opcode op, std::string_view payload, bool fin = true) {
    Bytes out(kMaxFrameHeader);
    out.resize(encode_frame_header(out.data(), op, fin, payload.size(), &kKey));
    const std::size_t at = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    unmask(std::span<std::uint8_t>(out.data() + at, payload.size()), kKey, 0);
    return out;
}
Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
std::string text_of(std::span<const std::uint8_t> b) { return std::string(b.begin(), b.end()); }
bool inside(std::span<const std::uint8_t> view, const Bytes& buffer) {
    return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

// A WsBufferSource that hands out the largest block allowed (the worst case for the memory
// bound), filled with 0xEE so stale bytes would show, and counts what is outstanding.
struct LendingSource {
    std::size_t outstanding = 0;
    std::size_t lent = 0;
    std::size_t largest = 0;
    static std::uint8_t* acquire(void* self, std::size_t min, std::size_t max, std::size_t& capacity) noexcept {
        auto* me = static_cast<LendingSource*>(self);
        CHECK(min <= max);
        auto* p = static_cast<std::uint8_t*>(std::malloc(max));
        if (p == nullptr) return nullptr;
        std::memset(p, 0xEE, max);
        capacity = max;
        ++me->outstanding;
        ++me->lent;
        me->largest = std::max(me->largest, max);
        return p;
    }
    static void release(void* self, std::uint8_t* data, std::size_t) noexcept {
        --static_cast<LendingSource*>(self)->outstanding;
        std::free(data);
    }
    WsBufferSource source_{this, &acquire, &release};
    const WsBufferSource* source() const { return &source_; }
};

}  // namespace

TEST_SUITE("proto") {
    TEST_CASE(
        "RFC 6455 5.3: a message wholly inside the input is delivered as a view into it, unmasked in place") {
        WsReceiver rx(Role::server, {});
        Bytes in = frame(Opcode::text, "Hello");
        const WsEvent ev = rx.next(in);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(ev.consumed == in.size());
        CHECK(text_of(ev.payload) == "Hello");
        CHECK(ev.payload.data() == in.data() + 6);
        CHECK(rx.assembly_capacity() == 0);
        CHECK(rx.next(std::span<std::uint8_t>(in).subspan(ev.consumed)).kind == WsEventKind::need_more);
    }

    TEST_CASE("RFC 6455 5.4: fragments inside one input are compacted in place, not copied out") {
        WsReceiver rx(Role::server, {});
        Bytes in = cat({frame(Opcode::text, "He", false), frame(Opcode::continuation, "ll", false),
                        frame(Opcode::continuation, "o")});
        const WsEvent ev = rx.next(in);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(text_of(ev.payload) == "Hello");
        CHECK(inside(ev.payload, in));
        CHECK(rx.assembly_capacity() == 0);
    }

    TEST_CASE("RFC 6455 5.4: by default nothing points into the input after an event") {
        WsReceiver rx(Role::server, {});
        Bytes in = cat(
            {frame(Opcode::text, "He", false), frame(Opcode::ping, "p"), frame(Opcode::continuation, "llo")});
        WsEvent ev = rx.next(in);
        REQUIRE(ev.kind == WsEventKind::ping);
        CHECK(rx.assembly_capacity() > 0);  // "He" was moved out of the input
        Bytes rest(in.begin() + static_cast<std::ptrdiff_t>(ev.consumed), in.end());
        std::fill(in.begin(), in.end(), 0xEE);  // the caller reuses its buffer
        ev = rx.next(rest);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(text_of(ev.payload) == "Hello");
    }

    TEST_CASE(
        "RFC 6455 5.4: with the input held until need_more, control frames between fragments cost no copy") {
        WsReceiver rx(Role::server, {}, WsInput::held_until_need_more);
        Bytes in = cat(
            {frame(Opcode::text, "He", false), frame(Opcode::ping, "p"), frame(Opcode::continuation, "llo")});
        std::span<std::uint8_t> rest(in);
        WsEvent ev = rx.next(rest);
        REQUIRE(ev.kind == WsEventKind::ping);
        CHECK(rx.assembly_capacity() == 0);
        rest = rest.subspan(ev.consumed);
        ev = rx.next(rest);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(text_of(ev.payload) == "Hello");
        CHECK(inside(ev.payload, in));
        CHECK(rx.assembly_capacity() == 0);
    }

    TEST_CASE(
        "RFC 6455 5.4: a message split across inputs is assembled, and the buffer freed after delivery") {
        WsReceiver rx(Role::server, {});
        const std::string big(10000, 'b');
        Bytes in = cat({frame(Opcode::binary, big.substr(0, 4000), false),
                        frame(Opcode::continuation, big.substr(4000))});
        Bytes a(in.begin(), in.begin() + 3000), b(in.begin() + 3000, in.end());
        CHECK(rx.next(a).kind == WsEventKind::need_more);
        CHECK(rx.message_in_progress());
        CHECK(rx.assembly_capacity() >= 3000 - 14);
        CHECK(rx.assembly_capacity() <= kWsMinAssembly);  // sized by what arrived, not by the header
        const WsEvent ev = rx.next(b);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(text_of(ev.payload) == big);
        CHECK_FALSE(inside(ev.payload, b));
        Bytes none;
        CHECK(rx.next(none).kind == WsEventKind::need_more);
        CHECK(rx.assembly_capacity() == 0);
    }

    TEST_CASE(
        "RFC 6455 5.4, 10.4: a message of N fragments across inputs grows its buffer O(log N) times, "
        "never past max_message_size") {
        // Each fragment in its own input (the worst case: every byte goes through the
        // assembly buffer), then the whole stream cut into odd-sized inputs.
        constexpr std::size_t kFragment = 1300;
        for (const std::size_t count : {2u, 16u, 255u, 1000u}) {
            const std::size_t total = count * kFragment;
            std::string message(total, '\0');
            for (std::size_t i = 0; i < total; ++i) message[i] = static_cast<char>('a' + i % 23);
            std::vector<Bytes> fragments;
            for (std::size_t i = 0; i < count; ++i)
                fragments.push_back(frame(i == 0 ? Opcode::binary : Opcode::continuation,
                                          std::string_view(message).substr(i * kFragment, kFragment),
                                          i + 1 == count));
            // ceil(log2(total / kWsMinAssembly)) doublings after the first allocation, plus
            // one for the step capped at the limit.
            std::size_t log_bound = 1;
            for (std::size_t c = kWsMinAssembly; c < total; c *= 2) ++log_bound;
            log_bound += 1;
            INFO("fragments " << count);
            // max_message_size exactly the message (not a power of two): doubling must stop there.
            WsLimits limits;
            limits.max_message_size = total;

            Bytes stream;  // built first: the receiver unmasks `fragments` in place
            for (const Bytes& f : fragments) stream.insert(stream.end(), f.begin(), f.end());

            WsReceiver rx(Role::server, limits);
            std::size_t held = 0;
            WsEvent ev;
            for (Bytes& f : fragments) {
                ev = rx.next(f);
                held += kFragment;
                CHECK(rx.assembly_capacity() <= limits.max_message_size);
                CHECK(rx.assembly_capacity() <= std::max(kWsMinAssembly, 2 * held));
            }
            REQUIRE(ev.kind == WsEventKind::message);
            CHECK((text_of(ev.payload) == message));
            CHECK(rx.assembly_growths() <= log_bound);
            CHECK(rx.assembly_growths() >= 1);

            WsReceiver cut(Role::server, limits);
            std::size_t messages = 0;
            for (std::size_t at = 0; at < stream.size(); at += 997) {
                Bytes chunk(stream.begin() + static_cast<std::ptrdiff_t>(at),
                            stream.begin() + static_cast<std::ptrdiff_t>(std::min(at + 997, stream.size())));
                std::span<std::uint8_t> rest(chunk);
                for (;;) {
                    const WsEvent e = cut.next(rest);
                    rest = rest.subspan(e.consumed);
                    CHECK(cut.assembly_capacity() <= limits.max_message_size);
                    if (e.kind == WsEventKind::need_more) break;
                    REQUIRE(e.kind == WsEventKind::message);
                    CHECK((text_of(e.payload) == message));
                    ++messages;
                }
            }
            CHECK(messages == 1);
            CHECK(cut.assembly_growths() <= log_bound);
        }
    }

    TEST_CASE(
        "RFC 6455 10.4: the assembly buffer follows the bytes received, not a header's claimed length") {
        for (const bool fin : {false, true}) {
            INFO("fin " << fin);
            WsReceiver rx(Role::server, {});
            const std::string big(1 << 20, 'c');
            Bytes in = frame(Opcode::binary, big, fin);
            const std::size_t header = in.size() - big.size();
            std::span<std::uint8_t> all(in);
            CHECK(rx.next(all.first(header)).kind == WsEventKind::need_more);
            CHECK(rx.assembly_capacity() == 0);  // a header alone allocates nothing
            CHECK(rx.next(all.subspan(header, 10)).kind == WsEventKind::need_more);
            CHECK(rx.assembly_capacity() == kWsMinAssembly);
            std::size_t held = 10;
            for (std::size_t at = header + 10; at < in.size(); at += 50000) {
                const std::size_t n = std::min<std::size_t>(50000, in.size() - at);
                const WsEvent ev = rx.next(all.subspan(at, n));
                held += n;
                CHECK(rx.assembly_capacity() <= std::max(kWsMinAssembly, 2 * held));
                if (at + n == in.size() && fin) {
                    REQUIRE(ev.kind == WsEventKind::message);
                    CHECK(ev.payload.size() == big.size());
                } else {
                    CHECK(ev.kind == WsEventKind::need_more);
                }
            }
            if (fin) CHECK(rx.assembly_growths() <= 10);  // 4 KiB doubling to 1 MiB: 9 steps
        }
    }

    TEST_CASE("RFC 6455 7.1: the receiver sees the peer's close; after it nothing is read") {
        WsReceiver rx(Role::server, {});
        CHECK(rx.state() == WsState::open);
        Bytes in = cat({frame(Opcode::close, "\x03\xe8ok"), frame(Opcode::text, "late")});
        const WsEvent ev = rx.next(in);
        REQUIRE(ev.kind == WsEventKind::close);
        CHECK(ev.code == 1000);
        CHECK(ev.reason == "ok");
        CHECK(ev.consumed == 2 + 4 + 4);
        CHECK(rx.state() == WsState::closing);
        rx.drop_data_frames();   // what the session's echo does; its state is the session's
        CHECK(rx.dropping_data());
        CHECK(rx.state() == WsState::closing);
        const WsEvent after = rx.next(std::span<std::uint8_t>(in).subspan(ev.consumed));
        CHECK(after.kind == WsEventKind::stopped);
        CHECK(after.consumed == 0);
    }

    TEST_CASE("RFC 6455 7.1.7: a failure reports the rule, its code, and stops reading") {
        WsReceiver rx(Role::client, {});
        Bytes in = frame(Opcode::text, "masked");
        const WsEvent ev = rx.next(in);
        REQUIRE(ev.kind == WsEventKind::fail);
        CHECK(ev.error == WsError::masked_server_frame);
        CHECK(ev.code == 1002);
        CHECK(rx.state() == WsState::failed);
        CHECK(rx.next(in).kind == WsEventKind::stopped);
    }

    TEST_CASE("RFC 6455 5.4: a receiver moved mid-message keeps its assembly buffer") {
        WsReceiver rx(Role::server, {});
        Bytes in = frame(Opcode::binary, std::string(100, 'm'));
        Bytes a(in.begin(), in.begin() + 50), b(in.begin() + 50, in.end());
        CHECK(rx.next(a).kind == WsEventKind::need_more);
        WsReceiver moved(std::move(rx));
        const WsEvent ev = moved.next(b);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(text_of(ev.payload) == std::string(100, 'm'));
    }

    TEST_CASE("RFC 6455 10.4: in the final frame, once half the message is here, the buffer is sized to its end at once") {
        const std::string big(10000, 'z');
        WsReceiver rx(Role::server, {});
        Bytes in = frame(Opcode::binary, big);
        Bytes a(in.begin(), in.begin() + 6014), b(in.begin() + 6014, in.end());   // 6000 payload bytes first
        CHECK(rx.next(a).kind == WsEventKind::need_more);
        CHECK(rx.assembly_capacity() == big.size());   // not 6000, then 10000: one growth
        CHECK(rx.assembly_growths() == 1);
        const WsEvent ev = rx.next(b);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(text_of(ev.payload) == big);

        // Less than half here: sized by what arrived, never by the header's claim (§10.4).
        WsLimits limits;
        WsReceiver claim(Role::server, limits);
        Bytes huge = frame(Opcode::binary, std::string(1 << 20, 'q'));
        Bytes head(huge.begin(), huge.begin() + 3000);
        CHECK(claim.next(head).kind == WsEventKind::need_more);
        CHECK(claim.assembly_capacity() <= kWsMinAssembly);
    }

    TEST_CASE("RFC 6455 5.4, 10.4: a lent assembly buffer keeps the memory bound, holds no stale bytes, and goes back") {
        LendingSource lender;
        {
            constexpr std::size_t kFragment = 1300;
            WsLimits limits;
            limits.max_message_size = 200 * kFragment;
            WsReceiver rx(Role::server, limits, WsInput::returned_after_each_event, lender.source());
            for (int round = 0; round < 3; ++round) {
                std::string message(100 * kFragment, '\0');
                for (std::size_t i = 0; i < message.size(); ++i)
                    message[i] = static_cast<char>('a' + (i + static_cast<std::size_t>(round)) % 23);
                std::size_t held = 0;
                WsEvent ev;
                for (std::size_t i = 0; i < 100; ++i) {
                    Bytes f = frame(i == 0 ? Opcode::binary : Opcode::continuation,
                                    std::string_view(message).substr(i * kFragment, kFragment), i == 99);
                    ev = rx.next(f);
                    held += kFragment;
                    CHECK(rx.assembly_capacity() <= std::max(kWsMinAssembly, 2 * held));
                    CHECK(rx.assembly_capacity() <= limits.max_message_size);
                }
                REQUIRE(ev.kind == WsEventKind::message);
                CHECK((text_of(ev.payload) == message));
                Bytes none;
                CHECK(rx.next(none).kind == WsEventKind::need_more);
                CHECK(lender.outstanding == 0);   // given back after delivery
            }
            Bytes partial = frame(Opcode::binary, std::string(5000, 'p'));
            Bytes first(partial.begin(), partial.begin() + 100);
            CHECK(rx.next(first).kind == WsEventKind::need_more);
            CHECK(lender.outstanding == 1);
        }
        CHECK(lender.outstanding == 0);   // given back when the receiver ends mid-message
        CHECK(lender.largest <= 200 * 1300);

        WsReceiver failing(Role::server, {}, WsInput::returned_after_each_event, lender.source());
        Bytes part = frame(Opcode::text, std::string(3000, 't'), false);
        Bytes head(part.begin(), part.begin() + 1000);
        CHECK(failing.next(head).kind == WsEventKind::need_more);
        CHECK(lender.outstanding == 1);
        Bytes rest(part.begin() + 1000, part.end());
        CHECK(failing.next(rest).kind == WsEventKind::need_more);
        Bytes broken = frame(Opcode::text, "x");   // a new data frame while a message is open: 1002
        CHECK(failing.next(broken).kind == WsEventKind::fail);
        CHECK(lender.outstanding == 0);   // given back on failure
    }

    TEST_CASE("RFC 6455 5.3, 8.1: short payloads of every length are unmasked exactly and UTF-8 checked") {
        // Short frames take a fused unmask + ASCII pass; every length around its word and
        // size limits, with ASCII, valid multi-byte and invalid bytes at every position.
        for (std::size_t n = 0; n <= 140; ++n) {
            INFO("length " << n);
            std::string ascii(n, '\0');
            for (std::size_t i = 0; i < n; ++i) ascii[i] = static_cast<char>(0x20 + (i * 7) % 95);
            WsReceiver rx(Role::server, {});
            Bytes in = frame(Opcode::text, ascii);
            WsEvent ev = rx.next(in);
            REQUIRE(ev.kind == WsEventKind::message);
            CHECK(text_of(ev.payload) == ascii);
            if (n < 2) continue;
            for (std::size_t at = 0; at + 2 <= n; at += (n > 20 ? 5 : 1)) {
                std::string utf8 = ascii;
                utf8[at] = static_cast<char>(0xC3);   // U+00E9, valid two-byte sequence
                utf8[at + 1] = static_cast<char>(0xA9);
                WsReceiver ok(Role::server, {});
                Bytes good = frame(Opcode::text, utf8);
                ev = ok.next(good);
                REQUIRE(ev.kind == WsEventKind::message);
                CHECK(text_of(ev.payload) == utf8);
                std::string broken = ascii;
                broken[at] = static_cast<char>(0xFF);   // never valid in UTF-8
                WsReceiver bad(Role::server, {});
                Bytes wrong = frame(Opcode::text, broken);
                ev = bad.next(wrong);
                CHECK(ev.kind == WsEventKind::fail);
                CHECK(ev.error == WsError::invalid_utf8);
                WsReceiver bin(Role::server, {});   // binary: the same bytes are fine
                Bytes raw = frame(Opcode::binary, broken);
                ev = bin.next(raw);
                REQUIRE(ev.kind == WsEventKind::message);
                CHECK(text_of(ev.payload) == broken);
            }
        }
    }
}
