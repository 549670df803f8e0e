// test/app/metrics_test.cpp — Server::metrics(path) over real sockets: the Prometheus text
// exposition (version 0.0.4) parses, and each counter moves with what the clients do.
#include "app/detail/metrics.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "app/server.hpp"
#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Context;
using sluice::Server;
using sluice::test::eventually;
using sluice::test::HttpReply;
using sluice::test::read_http_response;
using sluice::test::TcpClient;
using sluice::test::TestServer;
using sluice::test::WsTestClient;

namespace {

bool metric_name(std::string_view n) {
    if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_' || n[0] == ':')) return false;
    for (const char c : n) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) return false;
    }
    return true;
}

// Checks `text` against the text format 0.0.4 (the rules a Prometheus scraper applies) and
// returns its samples as "name{labels}" -> value; `error` names the first broken rule.
std::map<std::string, double> parse_exposition(const std::string& text, std::string& error) {
    std::map<std::string, double> samples;
    std::map<std::string, std::string> types;   // family -> counter | gauge
    std::set<std::string> helped, sampled_families;
    if (text.empty() || text.back() != '\n') error = "the exposition must end with a line feed";
    std::istringstream in(text);
    std::string line;
    while (error.empty() && std::getline(in, line)) {
        if (line.empty()) continue;
        if (line[0] == '#') {
            std::istringstream l(line.substr(1));
            std::string kind, name, rest;
            l >> kind >> name;
            std::getline(l, rest);
            if (kind != "HELP" && kind != "TYPE") continue;   // a plain comment
            if (!metric_name(name)) error = "bad metric name in: " + line;
            if (sampled_families.count(name) != 0) error = kind + " after the samples of " + name;
            if (kind == "HELP" && !helped.insert(name).second) error = "two HELP lines for " + name;
            if (kind == "TYPE") {
                const std::string t = rest.substr(rest.find_first_not_of(' '));
                if (t != "counter" && t != "gauge" && t != "untyped" && t != "summary" && t != "histogram")
                    error = "bad TYPE " + t;
                if (!types.emplace(name, t).second) error = "two TYPE lines for " + name;
            }
            continue;
        }
        // name{label="value",...} value
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
        const std::string name = line.substr(0, i);
        if (!metric_name(name)) {
            error = "bad sample name in: " + line;
            break;
        }
        std::string key = name;
        if (i < line.size() && line[i] == '{') {
            const std::size_t close = line.find('}', i);
            if (close == std::string::npos) {
                error = "unclosed label set: " + line;
                break;
            }
            const std::string labels = line.substr(i + 1, close - i - 1);
            // label="value" pairs: a name, '=', a quoted value without raw quotes or newlines
            std::size_t p = 0;
            while (p < labels.size() && error.empty()) {
                const std::size_t eq = labels.find('=', p);
                if (eq == std::string::npos || !metric_name(labels.substr(p, eq - p)) || eq + 1 >= labels.size() ||
                    labels[eq + 1] != '"') {
                    error = "bad label in: " + line;
                    break;
                }
                const std::size_t end = labels.find('"', eq + 2);
                if (end == std::string::npos) error = "unterminated label value in: " + line;
                p = end + 1;
                if (p < labels.size() && labels[p] == ',') ++p;
            }
            key += line.substr(i, close - i + 1);
            i = close + 1;
        }
        if (i >= line.size() || line[i] != ' ') {
            error = "no value in: " + line;
            break;
        }
        const std::string value = line.substr(i + 1);
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (value.empty() || end == nullptr || *end != '\0') error = "bad value in: " + line;
        const auto type = types.find(name);
        if (type == types.end()) {
            error = "a sample before its TYPE: " + line;
        } else if (type->second == "counter" && (name.size() < 6 || name.substr(name.size() - 6) != "_total")) {
            error = "a counter not named *_total: " + name;
        }
        if (name.rfind("sluice_", 0) != 0) error = "not a sluice_ metric: " + name;
        if (!samples.emplace(key, v).second) error = "a sample twice: " + key;
        sampled_families.insert(name);
    }
    for (const auto& [name, t] : types) {
        if (error.empty() && helped.count(name) == 0) error = "no HELP for " + name;
    }
    return samples;
}

struct Scraper {  // One keep-alive connection that scrapes /metrics (counted as one open http).
    explicit Scraper(std::uint16_t port) : tcp(port) {}
    std::map<std::string, double> scrape() {
        REQUIRE(tcp.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        HttpReply r = read_http_response(tcp);
        REQUIRE(r.ok);
        REQUIRE(r.status == 200);
        CHECK(r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
        std::string error;
        auto samples = parse_exposition(r.body, error);
        INFO(r.body);
        REQUIRE_MESSAGE(error.empty(), error);
        return samples;
    }
    TcpClient tcp;
};

}  // namespace

TEST_SUITE("app") {

TEST_CASE("metrics: the exposition format checker refuses what a scraper would") {
    std::string e;
    parse_exposition("# HELP sluice_a_total a\n# TYPE sluice_a_total counter\nsluice_a_total 1\n", e);
    CHECK(e.empty());
    const char* broken[] = {
        "sluice_a_total 1\n",                                                          // no TYPE
        "# HELP sluice_a a\n# TYPE sluice_a counter\nsluice_a 1\n",                    // counter without _total
        "# HELP sluice_a a\n# TYPE sluice_a gauge\nsluice_a{k=v} 1\n",                 // unquoted label value
        "# HELP sluice_a a\n# TYPE sluice_a gauge\nsluice_a x\n",                      // not a number
        "# HELP sluice_a a\n# TYPE sluice_a gauge\nsluice_a 1",                        // no final line feed
        "# HELP sluice_a a\n# TYPE sluice_a gauge\nsluice_a 1\n# TYPE sluice_a gauge\n",   // TYPE after samples
    };
    for (const char* text : broken) {
        std::string error;
        parse_exposition(text, error);
        CHECK_MESSAGE(!error.empty(), text);
    }
}

TEST_CASE("metrics: every family has HELP and TYPE, names start with sluice_, values move with the traffic") {
    TestServer s([](Server& server) {
        server.metrics("/metrics");
        server.route("/sub", {.on_open = [](Context& c) { c.subscribe("news"); },
                              .on_message = {},
                              .on_drain = {},
                              .on_ping = {},
                              .on_pong = {},
                              .on_dropped = {},
                              .on_close = {}});
    });
    Scraper m(s.port());
    auto before = m.scrape();
    for (const char* k : {"http", "websocket", "sse", "long_poll"}) {
        CHECK(before.count(std::string("sluice_connections_open{kind=\"") + k + "\"}") == 1);
    }
    CHECK(before["sluice_connections_open{kind=\"http\"}"] == 1);   // the scraper itself
    CHECK(before["sluice_connections_open{kind=\"websocket\"}"] == 0);
    CHECK(before["sluice_connections_accepted_total"] == 1);

    // A WebSocket: 3 messages of 5 bytes echoed.
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    for (int i = 0; i < 3; ++i) {
        REQUIRE(ws.send_text("hello"));
        REQUIRE(ws.receive() == "hello");
    }
    auto during = m.scrape();
    CHECK(during["sluice_connections_open{kind=\"websocket\"}"] == 1);
    CHECK(during["sluice_connections_open{kind=\"http\"}"] == 1);
    CHECK(during["sluice_connections_accepted_total"] == 2);
    CHECK(during["sluice_ws_handshakes_total{status=\"101\"}"] - before["sluice_ws_handshakes_total{status=\"101\"}"] == 1);
    CHECK(during["sluice_ws_messages_received_total"] - before["sluice_ws_messages_received_total"] == 3);
    CHECK(during["sluice_ws_received_bytes_total"] - before["sluice_ws_received_bytes_total"] == 15);
    CHECK(during["sluice_ws_messages_sent_total"] - before["sluice_ws_messages_sent_total"] == 3);
    CHECK(during["sluice_ws_sent_bytes_total"] - before["sluice_ws_sent_bytes_total"] == 15);
    CHECK(during["sluice_http_responses_total{class=\"2xx\"}"] - before["sluice_http_responses_total{class=\"2xx\"}"] == 1);
    CHECK(during["sluice_http_responses_total{class=\"1xx\"}"] - before["sluice_http_responses_total{class=\"1xx\"}"] == 1);

    // The close code is counted once the session ends.
    REQUIRE(ws.send_close(1000));
    REQUIRE(ws.wait_close() == 1000);
    std::map<std::string, double> after;
    REQUIRE(eventually([&] {
        after = m.scrape();
        return after["sluice_connections_open{kind=\"websocket\"}"] == 0;
    }));
    CHECK(after["sluice_ws_closes_total{code=\"1000\"}"] - before["sluice_ws_closes_total{code=\"1000\"}"] == 1);

    // A 404 and a rejected upgrade (no WebSocket route there) are counted by class and status.
    TcpClient plain(s.port());
    REQUIRE(plain.send_all("GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    CHECK(read_http_response(plain).status == 404);
    WsTestClient missing;
    CHECK_FALSE(missing.connect(s.port(), "/nothing-here"));
    CHECK(missing.status == 404);

    // Pub/sub: one subscriber, one publish delivered.
    WsTestClient sub;
    REQUIRE(sub.connect(s.port(), "/sub"));
    REQUIRE(eventually([&] { return m.scrape()["sluice_topic_subscriptions"] == 1; }));
    s.server.publish("news", "extra");
    REQUIRE(sub.receive() == "extra");
    auto last = m.scrape();
    CHECK(last["sluice_http_responses_total{class=\"4xx\"}"] - before["sluice_http_responses_total{class=\"4xx\"}"] == 2);
    CHECK(last["sluice_ws_handshakes_total{status=\"404\"}"] - before["sluice_ws_handshakes_total{status=\"404\"}"] == 1);
    CHECK(last["sluice_publishes_total"] - before["sluice_publishes_total"] == 1);
    CHECK(last["sluice_publish_deliveries_total"] - before["sluice_publish_deliveries_total"] == 1);
    CHECK(last["sluice_ws_sent_bytes_total"] - after["sluice_ws_sent_bytes_total"] == 5);
    sub.tcp.close();
    REQUIRE(eventually([&] { return m.scrape()["sluice_topic_subscriptions"] == 0; }));
    CHECK(m.scrape()["sluice_ws_closes_total{code=\"1006\"}"] - before["sluice_ws_closes_total{code=\"1006\"}"] == 1);
}

TEST_CASE("metrics: counters of every thread are summed") {
    TestServer s([](Server& server) { server.metrics("/metrics").threads(2); });
    std::vector<std::unique_ptr<WsTestClient>> clients;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::make_unique<WsTestClient>());
        REQUIRE(clients.back()->connect(s.port(), "/ws"));
        REQUIRE(clients.back()->send_text("ab"));
        REQUIRE(clients.back()->receive() == "ab");
    }
    Scraper m(s.port());
    auto v = m.scrape();
    CHECK(v["sluice_connections_open{kind=\"websocket\"}"] == 8);
    CHECK(v["sluice_ws_messages_received_total"] == 8);
    CHECK(v["sluice_ws_received_bytes_total"] == 16);
    CHECK(v["sluice_connections_accepted_total"] == 9);
}

}  // TEST_SUITE
