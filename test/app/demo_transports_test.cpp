// test/app/demo_transports_test.cpp — the demo's topics over SSE, long-polling and POST
// (app/demo/transports.hpp), beside their WebSocket routes.
#include <doctest/doctest.h>

#include <thread>

#include "app/demo/demo.hpp"
#include "app/demo/transports.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "test/support/push_test_client.hpp"
#include "test/support/test_server.hpp"

using namespace std::chrono_literals;
using sluice::test::eventually;
using sluice::test::http_request;
using sluice::test::SseTestClient;
using sluice::test::WsTestClient;

namespace {

struct TransportDemo {
    sluice::Server server;
    TransportDemo() {
        server.port(0);
        sluice::demo::install(server, {.data_interval = 20ms, .trading_interval = 20ms});
        REQUIRE_MESSAGE(server.start(), server.last_error());
    }
    ~TransportDemo() { server.stop(); }
    std::uint16_t port() const { return server.bound_port(); }
};

sluice::json::Value parse(std::string_view text) {
    auto r = sluice::json::parse(text);
    REQUIRE(r.error == sluice::json::ParseError::none);
    return std::move(r.value);
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("demo transports: a chat message POSTed reaches SSE, long-poll and WebSocket chat members") {
    TransportDemo d;
    SseTestClient sse;
    REQUIRE(sse.open(d.port(), "/sse/chat"));
    WsTestClient ws;
    REQUIRE(ws.connect(d.port(), "/chat"));
    REQUIRE(ws.receive());   // welcome
    const auto join = sse.next();   // the WebSocket member's join, on the topic
    REQUIRE(join);
    CHECK(parse(join->data).string_at("type") == "join");
    sluice::test::HttpReply polled;
    std::thread poller([&] { polled = http_request(d.port(), "GET", "/poll/chat?since=" + join->id); });
    std::this_thread::sleep_for(50ms);
    CHECK(http_request(d.port(), "POST", "/publish/chat", R"({"from":"ann","text":"hello all"})").status == 204);
    const auto msg = sse.next();
    REQUIRE(msg);
    const auto v = parse(msg->data);
    CHECK(v.string_at("type") == "message");
    CHECK(v.string_at("from") == "ann");
    CHECK(v.string_at("text") == "hello all");
    CHECK(ws.receive() == msg->data);
    poller.join();
    REQUIRE(polled.status == 200);
    const auto p = parse(polled.body);
    REQUIRE(p.find("messages") != nullptr);
    REQUIRE(p.find("messages")->array().size() == 1);
    CHECK(p.find("messages")->array()[0].string_at("data") == msg->data);
    CHECK(p.find("messages")->array()[0].string_at("id") == msg->id);
}

TEST_CASE("demo transports: chat keeps a history: a reconnecting SSE client gets what it missed") {
    TransportDemo d;
    std::string last;
    {
        SseTestClient sse;
        REQUIRE(sse.open(d.port(), "/sse/chat"));
        REQUIRE(eventually([&] { return d.server.connection_count() == 1; }));
        CHECK(http_request(d.port(), "POST", "/publish/chat", R"({"from":"a","text":"1"})").status == 204);
        const auto e = sse.next();
        REQUIRE(e);
        last = e->id;
    }
    for (const char* text : {"2", "3"}) {
        CHECK(http_request(d.port(), "POST", "/poll/chat", std::string(R"({"from":"b","text":")") + text + "\"}").status == 204);
    }
    SseTestClient back;
    REQUIRE(back.open(d.port(), "/sse/chat", "Accept: text/event-stream\r\nLast-Event-ID: " + last + "\r\n"));
    for (const char* text : {"2", "3"}) {
        const auto e = back.next();
        REQUIRE(e);
        CHECK(parse(e->data).string_at("text") == text);
    }
}

TEST_CASE("demo transports: data and trading tick while someone listens; publishing on them is 403; a bad chat POST is 400") {
    TransportDemo d;
    for (const char* topic : {"data", "trading"}) {
        CAPTURE(topic);
        SseTestClient sse;
        REQUIRE(sse.open(d.port(), std::string("/sse/") + topic));
        const auto e = sse.next();
        REQUIRE(e);
        CHECK(parse(e->data).string_at("type").has_value());
        const auto polled = http_request(d.port(), "GET", std::string("/poll/") + topic);
        CHECK(polled.status == 200);
        CHECK(parse(polled.body).find("messages")->array().size() == 1);
        CHECK(http_request(d.port(), "POST", std::string("/publish/") + topic, "x").status == 403);
    }
    for (const char* body : {"", "not json", R"({"from":"","text":"x"})", R"({"from":"a"})", R"({"from":"a","text":""})"}) {
        CAPTURE(body);
        CHECK(http_request(d.port(), "POST", "/publish/chat", body).status == 400);
    }
    CHECK(http_request(d.port(), "GET", "/sse/nope").status == 404);
}

}  // TEST_SUITE
