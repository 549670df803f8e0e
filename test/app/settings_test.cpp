// test/app/settings_test.cpp — every setting the README's table lists has a setter, and
// every one that can be wrong is validated by name.
#include "app/server.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Server;

namespace {

// The backticked names in the first column of README.md's "Settings and their defaults"
// table (a row may name two: `host`, `port`).
std::set<std::string> readme_setting_names() {
    std::ifstream in("README.md");   // the suites run from the repository's top folder
    REQUIRE_MESSAGE(in.good(), "README.md not found: run the tests from the repository's top folder");
    std::set<std::string> names;
    std::string line;
    bool in_table = false;
    while (std::getline(in, line)) {
        if (line.rfind("### Settings and their defaults", 0) == 0) {
            in_table = true;
            continue;
        }
        if (!in_table) continue;
        if (line.rfind("| `", 0) != 0) {
            if (!names.empty()) break;   // the table ended
            continue;
        }
        const std::string first = line.substr(1, line.find('|', 1) - 1);
        for (std::size_t at = first.find('`'); at != std::string::npos; at = first.find('`', at)) {
            const std::size_t end = first.find('`', at + 1);
            names.insert(first.substr(at + 1, end - at - 1));
            at = end + 1;
        }
    }
    return names;
}

// Each setting's setter applied with a value validate() must refuse; an empty function
// for the settings every value of which is valid (a port, a flag).
std::map<std::string, std::function<void(Server&)>> invalid_setters() {
    return {
        {"host", [](Server& s) { s.host(""); }},
        {"port", {}},
        {"threads", [](Server& s) { s.threads(0); }},
        {"nodelay", {}},
        {"linger", {}},
        {"output_block_size", [](Server& s) { s.output_block_size(1); }},
        {"http_buffer_size", [](Server& s) { s.http_buffer_size(1); }},
        {"max_request_line", [](Server& s) { s.max_request_line(1); }},
        {"max_body_size", [](Server& s) { s.max_body_size(std::size_t{1} << 40); }},
        {"max_message_size", [](Server& s) { s.max_message_size(0); }},
        {"max_backpressure", [](Server& s) { s.max_backpressure(0); }},
        {"max_connections", [](Server& s) { s.max_connections(0); }},
        {"header_timeout", [](Server& s) { s.header_timeout(0ms); }},
        {"body_timeout", [](Server& s) { s.body_timeout(0ms); }},
        {"response_timeout", [](Server& s) { s.response_timeout(-1ms); }},
        {"message_timeout", [](Server& s) { s.message_timeout(0ms); }},
        {"handshake_timeout", [](Server& s) { s.handshake_timeout(0ms); }},
        {"idle_timeout", [](Server& s) { s.idle_timeout(0ms); }},
        {"close_timeout", [](Server& s) { s.close_timeout(0ms); }},
        {"backpressure_timeout", [](Server& s) { s.backpressure_timeout(0ms); }},
        {"shutdown_timeout", [](Server& s) { s.shutdown_timeout(0ms); }},
        {"allowed_origins", [](Server& s) { s.allowed_origins({""}); }},
        {"sse_heartbeat", [](Server& s) { s.sse_heartbeat(0ms); }},
        {"poll_timeout", [](Server& s) { s.poll_timeout(0ms); }},
        {"topic_history", [](Server& s) { s.topic_history("t", {.max_messages = 0}); }},
        {"trusted_proxies", [](Server& s) { s.trusted_proxies({"10.0.0.0/33"}); }},
        {"max_headers", [](Server& s) { s.max_headers(0); }},
        {"max_memory", [](Server& s) { s.max_memory(1); }},
        {"max_frame_size", [](Server& s) { s.max_frame_size(0); }},
        {"max_connections_per_address", {}},
        {"ping_interval", [](Server& s) { s.ping_interval(0ms); }},
        {"pong_timeout", [](Server& s) { s.pong_timeout(60'000ms); }},
        {"access_log", {}},
        {"access_log_sample", [](Server& s) { s.access_log_sample(0); }},
        {"connection_log", {}},
        {"compression", [](Server& s) { s.compression(sluice::Compression{.window_bits = 7}); }},
    };
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("settings: the README's table and the setters name the same settings") {
    const std::set<std::string> readme = readme_setting_names();
    std::set<std::string> known;
    for (const auto& setting : invalid_setters()) known.insert(setting.first);
    CHECK(readme.size() >= 20);
    for (const std::string& name : readme) {
        CAPTURE(name);
        CHECK(known.count(name) == 1);   // a README setting this test (and so the API) lacks
    }
    for (const std::string& name : known) {
        CAPTURE(name);
        CHECK(readme.count(name) == 1);   // a setter the README does not document
    }
}

TEST_CASE("settings: ws_buffer_size, the seed's name, is an alias of output_block_size") {
    Server s;
    CHECK(&s.ws_buffer_size(4096) == &s);
    CHECK(s.settings().output_block_size == 4096);
    s.ws_buffer_size(1);
    CHECK(s.validate().find("output_block_size") != std::string::npos);
}

TEST_CASE("settings: each setting that can be wrong is refused by validate(), by name") {
    for (const auto& setting : invalid_setters()) {
        const std::string& name = setting.first;
        if (!setting.second) continue;
        CAPTURE(name);
        Server s;
        CHECK(s.validate().empty());
        setting.second(s);
        CHECK(s.validate().find(name) != std::string::npos);
    }
}

TEST_CASE("settings: max_request_line is applied over a real socket (RFC 9110 §15.5.15: 414 above it)") {
    sluice::test::TestServer s([](Server& srv) { srv.max_request_line(128); });
    {
        sluice::test::TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello?" + std::string(100, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        CHECK(sluice::test::read_http_response(c, 1000ms).status == 200);
    }
    {
        sluice::test::TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello?" + std::string(200, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        CHECK(sluice::test::read_http_response(c, 1000ms).status == 414);
        CHECK(c.wait_eof(1000ms));
    }
}

}  // TEST_SUITE
