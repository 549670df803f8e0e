// test/app/ws_compression_test.cpp — permessage-deflate (RFC 7692) in the engine, over real
// sockets: the answer at the upgrade per server and per route, inflating with the
// max_message_size bound (1009) and UTF-8 after inflate (1007), the threshold, shared and
// dedicated memory (context takeover), and a publish compressed for its subscribers.
#include <doctest/doctest.h>

#include <array>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "app/server.hpp"
#include "proto/http_response.hpp"
#include "proto/ws_deflate.hpp"
#include "proto/ws_handshake.hpp"
#include "proto/ws_session.hpp"
#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Compression;
using sluice::Server;
namespace proto = sluice::proto;

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A client that offers permessage-deflate and speaks it with proto::WsDeflate (client role).
class DeflateClient {
 public:
    struct Message {
        bool text = true;
        bool compressed = false;    // RSV1 was set on the server's frame
        std::size_t wire_size = 0;  // payload bytes on the wire
        std::string data;
    };

    // Connects with `offer` as the Sec-WebSocket-Extensions value ("" = none). True on 101.
    bool connect(std::uint16_t port, std::string_view path, std::string_view offer) {
        if (!tcp.connect(port)) return false;
        std::array<std::uint8_t, 16> nonce{};
        std::mt19937 rng(7);
        for (auto& b : nonce) b = static_cast<std::uint8_t>(rng());
        std::array<char, 4096> out;
        std::array<char, 24> key;
        const std::size_t n = proto::write_client_request("127.0.0.1", path, nonce, {}, out, key);
        std::string request(out.data(), n);
        if (!offer.empty())
            request.insert(request.size() - 2, "Sec-WebSocket-Extensions: " + std::string(offer) + "\r\n");
        if (!tcp.send_all(request) || !tcp.read_until("\r\n\r\n")) return false;
        proto::HttpResponseParser parser;
        std::array<proto::HttpHeader, 64> storage;
        proto::HttpResponse resp;
        const auto r = parser.parse_head(bytes_of(tcp.pending), storage, resp);
        if (r.status != proto::ParseStatus::done || resp.status != 101) return false;
        if (auto e = resp.header("Sec-WebSocket-Extensions")) extensions = std::string(*e);
        proto::DeflateOffer o;
        proto::DeflateAgreement agreed;
        const auto check = proto::check_deflate_answer(resp.headers, o, agreed);
        if (check == proto::DeflateAnswerCheck::accepted) {
            agreement = agreed;
            codec = std::make_unique<proto::WsDeflate>(proto::Role::client, agreed);
        }
        tcp.pending.erase(0, r.consumed);
        proto::WsLimits limits;
        limits.permessage_deflate = codec != nullptr;
        limits.max_message_size = limits.max_frame_size = 64 << 20;
        session = std::make_unique<proto::WsSession<Hooks>>(proto::Role::client, limits, hooks);
        return true;
    }

    // Sends a message, compressed (RSV1) or plain.
    bool send(std::string_view payload, bool text = true, bool compress = true) {
        const proto::Opcode op = text ? proto::Opcode::text : proto::Opcode::binary;
        if (compress && codec) {
            std::vector<std::uint8_t> out(codec->compress_bound(payload.size()));
            const auto r = codec->compress(bytes_of(payload), out);
            REQUIRE(r.status == proto::WsDeflateStatus::ok);
            session->send_compressed_message(op, {out.data(), r.size});
        } else {
            session->send_message(op, bytes_of(payload));
        }
        return flush();
    }
    // Sends raw DEFLATE data as a compressed message (what a broken peer would send).
    bool send_deflate_data(std::span<const std::uint8_t> data, bool text = true) {
        session->send_compressed_message(text ? proto::Opcode::text : proto::Opcode::binary, data);
        return flush();
    }

    std::optional<Message> receive(std::chrono::milliseconds timeout = 5000ms) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (hooks.messages.empty()) {
            if (hooks.close_code) return std::nullopt;
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0 || tcp.eof()) return std::nullopt;
            if (tcp.read_some(tcp.pending, left) > 0) feed();
        }
        Message m = std::move(hooks.messages.front());
        hooks.messages.pop_front();
        return m;
    }
    std::optional<std::uint16_t> wait_close(std::chrono::milliseconds timeout = 5000ms) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (!hooks.close_code) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0 || tcp.eof()) break;
            if (tcp.read_some(tcp.pending, left) > 0) feed();
        }
        return hooks.close_code;
    }

    struct Hooks {
        DeflateClient* owner;
        std::deque<Message> messages;
        std::optional<std::uint16_t> close_code;
        std::string out;
        void on_message(proto::Opcode op, std::span<const std::uint8_t> b) {
            messages.push_back({op == proto::Opcode::text, false, b.size(), std::string(b.begin(), b.end())});
        }
        proto::WsError on_compressed_message(proto::Opcode op, std::span<const std::uint8_t> b) {
            std::vector<std::uint8_t> plain(64 << 20);
            const auto r = owner->codec->decompress(b, plain);
            REQUIRE(r.status == proto::WsDeflateStatus::ok);
            messages.push_back({op == proto::Opcode::text, true, b.size(),
                                std::string(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(r.size))});
            return proto::WsError::none;
        }
        void on_ping(std::span<const std::uint8_t>) {}
        void on_pong(std::span<const std::uint8_t>) {}
        void on_close(std::uint16_t code, std::string_view) { close_code = code; }
        void on_fail(std::uint16_t code) { close_code = code; }
        void send(std::span<const std::uint8_t> b) { out.append(b.begin(), b.end()); }
    };

    sluice::test::TcpClient tcp;
    std::string extensions;  // the server's Sec-WebSocket-Extensions answer
    std::optional<proto::DeflateAgreement> agreement;
    std::unique_ptr<proto::WsDeflate> codec;
    Hooks hooks{this, {}, {}, {}};
    std::unique_ptr<proto::WsSession<Hooks>> session;

 private:
    bool flush() {
        const bool ok = tcp.send_all(hooks.out);
        hooks.out.clear();
        return ok;
    }
    void feed() {
        auto* p = reinterpret_cast<std::uint8_t*>(tcp.pending.data());
        const std::size_t used = session->feed({p, tcp.pending.size()});
        tcp.pending.erase(0, used);
        if (!hooks.out.empty()) flush();
    }
};

std::string json_lines(std::size_t n) {
    std::string s;
    for (int i = 0; s.size() < n; ++i)
        s += "{\"user\":\"ann\",\"room\":\"lobby\",\"seq\":" + std::to_string(i) + ",\"text\":\"hello there\"}\n";
    s.resize(n);
    return s;
}

void publish_route(Server& s) {
    s.route("/pub", sluice::WsCallbacks{.on_open = [](sluice::Context& c) { c.subscribe("t"); },
                                        .on_message =
                                            [](sluice::Context& c, const sluice::Message& m) {
                                                // "echo:..." comes back to the sender alone
                                                if (m.text().starts_with("echo:")) {
                                                    c.send_now(m.text());
                                                } else {
                                                    c.publish("t", m.text());
                                                }
                                            },
                                        .on_drain = {},
                                        .on_close = {}});
}

}  // namespace

TEST_SUITE("app") {
    TEST_CASE("RFC 7692 §5.1: the 101 answers an offer by the route's Compression, and nothing else") {
        sluice::test::TestServer s([](Server& srv) {
            srv.route("/plain", sluice::test::echo_task);
            srv.route("/small", sluice::test::echo_task);
            srv.route("/kept", sluice::test::echo_task);
            srv.compression("/plain", Compression{.enabled = false});
            srv.compression("/small", Compression{.window_bits = 10});
            srv.compression("/kept", Compression{.memory = Compression::Memory::dedicated});
        });
        struct Case {
            const char* path;
            const char* offer;
            const char* answer;
        };
        for (const Case& c : {
                 // shared (the default): both directions reset per message (§7.1.1.1, §7.1.1.2)
                 Case{"/ws", "permessage-deflate; client_max_window_bits",
                      "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
                 Case{"/ws", "permessage-deflate",
                      "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
                 Case{"/ws", "", ""},                        // no offer: no extension (RFC 6455 §9.1)
                 Case{"/ws", "x-webkit-deflate-frame", ""},  // an extension we do not know
                 Case{"/ws", "permessage-deflate; server_max_window_bits=16", ""},  // §7.1: invalid, declined
                 Case{"/ws",
                      "permessage-deflate; server_max_window_bits=16, permessage-deflate; server_max_window_bits=9",
                      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                      "server_max_window_bits=9"},
                 Case{"/plain", "permessage-deflate", ""},  // off for this route
                 Case{"/small", "permessage-deflate",
                      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                      "server_max_window_bits=10"},
                 // dedicated: takeover both ways unless the client asks otherwise
                 Case{"/kept", "permessage-deflate; client_max_window_bits", "permessage-deflate"},
                 Case{"/kept", "permessage-deflate; client_no_context_takeover; client_max_window_bits=12",
                      "permessage-deflate; client_no_context_takeover; client_max_window_bits=12"},
             }) {
            CAPTURE(c.path);
            CAPTURE(c.offer);
            DeflateClient client;
            REQUIRE(client.connect(s.port(), c.path, c.offer));
            CHECK(client.extensions == c.answer);
        }
    }

    TEST_CASE("settings: compression for a path without a WebSocket route is refused by validate()") {
        Server s;
        s.route("/ws", sluice::test::echo_task);
        CHECK(s.validate().empty());
        s.compression("/nowhere", Compression{});
        CHECK(s.validate().find("compression for '/nowhere'") != std::string::npos);
        Server t;
        t.route("/ws", sluice::test::echo_task);
        t.compression("/ws", Compression{.window_bits = 16});
        CHECK(t.validate().find("window_bits") != std::string::npos);
    }

    TEST_CASE("RFC 7692 §7.2: compressed echoes of every size, text and binary; below the threshold plain") {
        for (const auto memory : {Compression::Memory::shared, Compression::Memory::dedicated}) {
            // each memory mode with the other level (fast is the default)
            const auto level =
                memory == Compression::Memory::shared ? Compression::Level::fast : Compression::Level::normal;
            CAPTURE(static_cast<int>(memory));
            sluice::test::TestServer s(
                [memory, level](Server& srv) { srv.compression(Compression{.level = level, .memory = memory}); });
            DeflateClient client;
            REQUIRE(client.connect(s.port(), "/ws", "permessage-deflate; client_max_window_bits"));
            REQUIRE(client.codec);
            for (const std::size_t n : {0u, 1u, 63u, 64u, 200u, 4096u, 65536u, 1u << 20}) {
                for (const bool text : {true, false}) {
                    CAPTURE(n);
                    CAPTURE(text);
                    std::string payload = json_lines(n);
                    if (!text)
                        for (std::size_t i = 0; i < payload.size(); i += 7) payload[i] = static_cast<char>(i);
                    REQUIRE(client.send(payload, text));
                    const auto m = client.receive();
                    REQUIRE(m);
                    CHECK(m->data == payload);
                    CHECK(m->text == text);
                    // §6.1: compressed from the threshold (64 B) on, when it shrinks
                    if (n < 64) CHECK_FALSE(m->compressed);
                    if (n >= (text ? 64u : 200u)) CHECK(m->compressed);  // 64 varied binary bytes may not shrink
                    if (n >= 4096) CHECK(m->wire_size * (text ? 3 : 1) < n);
                }
            }
            // A client may also send plain messages on a connection with the extension (§6.1).
            REQUIRE(client.send(json_lines(500), true, false));
            const auto m = client.receive();
            REQUIRE(m);
            CHECK(m->data == json_lines(500));
        }
    }

    TEST_CASE("RFC 7692 §7.2.3: dedicated memory keeps the context between messages (takeover), shared does not") {
        std::size_t wire[2][3] = {};
        for (const auto memory : {Compression::Memory::shared, Compression::Memory::dedicated}) {
            sluice::test::TestServer s([memory](Server& srv) { srv.compression(Compression{.memory = memory}); });
            DeflateClient client;
            REQUIRE(client.connect(s.port(), "/ws", "permessage-deflate; client_max_window_bits"));
            const std::string msg =
                "{\"symbol\":\"ACME\",\"bid\":101.25,\"ask\":101.27,\"volume\":18250,\"venue\":\"XNAS\"}";
            for (int i = 0; i < 3; ++i) {
                REQUIRE(client.send(msg));  // our client keeps its context too unless told otherwise
                const auto m = client.receive();
                REQUIRE(m);
                CHECK(m->data == msg);
                wire[memory == Compression::Memory::dedicated][i] = m->wire_size;
            }
        }
        CHECK(wire[0][1] == wire[0][0]);     // shared: every message compressed from nothing
        CHECK(wire[1][1] < wire[1][0] / 3);  // takeover: the second refers to the first
        CHECK(wire[1][2] < wire[1][0] / 3);
    }

    TEST_CASE("RFC 7692 §7.2.2 and RFC 6455 §10.4: a message that inflates beyond max_message_size is closed 1009") {
        sluice::test::TestServer s([](Server& srv) { srv.max_message_size(64 * 1024); });
        DeflateClient client;
        REQUIRE(client.connect(s.port(), "/ws", "permessage-deflate"));
        REQUIRE(client.send(std::string(64 * 1024, 'a')));  // exactly the limit: echoed
        const auto m = client.receive();
        REQUIRE(m);
        CHECK(m->data.size() == 64 * 1024);
        REQUIRE(client.send(std::string(8 << 20, 'a')));  // 8 MiB of 'a' in ~8 KiB: a bomb
        CHECK(client.wait_close() == 1009);
        CHECK(client.tcp.wait_eof());
    }

    TEST_CASE(
        "RFC 7692 §7.2.2: corrupt DEFLATE data is closed 1007; RFC 6455 §8.1: so is invalid UTF-8 once inflated") {
        sluice::test::TestServer s;
        {
            DeflateClient client;
            REQUIRE(client.connect(s.port(), "/ws", "permessage-deflate"));
            const std::uint8_t reserved_block_type[] = {0x07, 0x00};  // BTYPE 11 (RFC 1951 §3.2.3)
            REQUIRE(client.send_deflate_data(reserved_block_type));
            CHECK(client.wait_close() == 1007);
        }
        {
            DeflateClient client;
            REQUIRE(client.connect(s.port(), "/ws", "permessage-deflate"));
            REQUIRE(client.send(std::string("valid then \xC0\xAF", 13)));  // an overlong '/', compressed
            CHECK(client.wait_close() == 1007);
        }
        {
            DeflateClient client;  // the same bytes as binary are fine
            REQUIRE(client.connect(s.port(), "/ws", "permessage-deflate"));
            REQUIRE(client.send(std::string("valid then \xC0\xAF", 13), false));
            const auto m = client.receive();
            REQUIRE(m);
            CHECK(m->data == std::string("valid then \xC0\xAF", 13));
        }
    }

    TEST_CASE("RFC 7692 §6.1: RSV1 without the extension is still 1002") {
        sluice::test::TestServer s([](Server& srv) { srv.compression(Compression{.enabled = false}); });
        sluice::test::WsTestClient c;
        REQUIRE(c.connect(s.port(), "/ws", {}, "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        CHECK(c.response_head.find("Sec-WebSocket-Extensions") == std::string::npos);
        const std::uint8_t frame[] = {0xC1,     0x80 | 7, 1,        2,        3,        4,       0xf2 ^ 1,
                                      0x48 ^ 2, 0xcd ^ 3, 0xc9 ^ 4, 0xc9 ^ 1, 0x07 ^ 2, 0x00 ^ 3};
        REQUIRE(c.send_raw(std::string_view(reinterpret_cast<const char*>(frame), sizeof frame)));
        CHECK(c.wait_close() == 1002);
    }

    TEST_CASE("RFC 7692: a handler may send (compress) while it still reads the inflated message it was given") {
        sluice::test::TestServer s([](Server& srv) {
            srv.route("/twice", sluice::WsCallbacks{.on_open = {},
                                                    .on_message =
                                                        [](sluice::Context& c, const sluice::Message& m) {
                                                            c.send_now(m.text());  // compresses 1 MiB
                                                            c.send_now(m.text());  // the view is still valid
                                                        },
                                                    .on_drain = {},
                                                    .on_close = {}});
        });
        DeflateClient client;
        REQUIRE(client.connect(s.port(), "/twice", "permessage-deflate"));
        const std::string big = json_lines(1 << 20);  // both scratch buffers grow past what they keep
        REQUIRE(client.send(big));
        for (int i = 0; i < 2; ++i) {
            const auto m = client.receive();
            REQUIRE(m);
            CHECK(m->compressed);
            CHECK(m->data == big);
        }
    }

    TEST_CASE("RFC 7692: a publish reaches deflate, plain and below-threshold subscribers, each as it agreed") {
        for (const auto memory : {Compression::Memory::shared, Compression::Memory::dedicated}) {
            sluice::test::TestServer s([memory](Server& srv) {
                publish_route(srv);
                srv.compression(Compression{.threshold = 100, .memory = memory});
            });
            std::vector<std::unique_ptr<DeflateClient>> clients;
            for (const char* offer : {"permessage-deflate", "permessage-deflate; client_max_window_bits", "",
                                      "permessage-deflate; server_max_window_bits=9"}) {
                clients.push_back(std::make_unique<DeflateClient>());
                REQUIRE(clients.back()->connect(s.port(), "/pub", offer));
            }
            std::this_thread::sleep_for(50ms);  // every on_open (subscribe) has run
            // Each subscriber's own echo (its connection's compressor: with context when
            // dedicated), then a publish (compressed once, without context), then its echo again:
            // after the published frame the connection's compressor must not refer back
            // (RFC 7692 §7.2.3: the peer's window now holds the published bytes).
            for (int round = 0; round < 3; ++round) {
                for (auto& c : clients) {
                    const std::string echo = "echo:" + json_lines(300);
                    REQUIRE(c->send(echo));
                    const auto m = c->receive();
                    REQUIRE(m);
                    CHECK(m->data == echo);
                }
                for (const std::string& msg : {json_lines(2000), std::string("short")}) {
                    REQUIRE(clients[0]->send(msg));
                    for (std::size_t i = 0; i < clients.size(); ++i) {
                        CAPTURE(i);
                        const auto m = clients[i]->receive();
                        REQUIRE(m);
                        CHECK(m->data == msg);
                        CHECK(m->compressed == (i != 2 && msg.size() >= 100));
                    }
                }
            }
        }
    }

}  // TEST_SUITE
