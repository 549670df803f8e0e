// The demo's routes over real sockets (127.0.0.1, a free port): content, not just arrival.
#include "app/demo/demo.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/json.hpp"
#include "app/server.hpp"
#include "test/support/ws_test_client.hpp"

namespace json = sluice::json;
using sluice::test::HttpReply;
using sluice::test::TcpClient;
using sluice::test::WsTestClient;
using namespace std::chrono_literals;

namespace {

// One demo server per test, on a free port, with the pages of app/web (tests run from the
// repository root) and a short heartbeat so /resilient can be checked without waiting 30 s.
struct DemoServer {
  sluice::Server server;
  explicit DemoServer(unsigned threads = 1, sluice::demo::DemoOptions options = {.heartbeat_interval = 200ms}) {
    server.host("127.0.0.1").port(0).threads(threads);
    sluice::demo::install(server, options);
    REQUIRE_MESSAGE(server.validate().empty(), server.validate());
    REQUIRE_MESSAGE(server.start(), server.last_error());
  }
  ~DemoServer() { server.stop(); }
  std::uint16_t port() const { return server.bound_port(); }
};

// The next JSON message of `type` (others are skipped); a null Value if none within the timeout.
json::Value next_of(WsTestClient& c, std::string_view type, std::chrono::milliseconds timeout = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    auto text = c.receive(left);
    if (!text) return {};
    auto r = json::parse(*text);
    REQUIRE_MESSAGE(r, "the server sent something that is not JSON: " << *text);
    if (r.value.string_at("type") == type) return r.value;
  }
}

// "127.0.0.1:<port>" of the client side of a connection: what the server calls its peer.
std::string local_address(const TcpClient& c) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(c.fd(), reinterpret_cast<sockaddr*>(&a), &len);
  return "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
}

HttpReply http(std::uint16_t port, const std::string& request) {
  TcpClient c(port);
  REQUIRE(c.send_all(request));
  return sluice::test::read_http_response(c);
}

HttpReply get(std::uint16_t port, std::string_view path, std::string_view extra = {}) {
  return http(port, "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) +
                        "Connection: close\r\n\r\n");
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("demo /chat: two clients see each other's messages, joins and leaves") {
  DemoServer demo;
  WsTestClient a, b;
  REQUIRE(a.connect(demo.port(), "/chat"));
  auto welcome = next_of(a, "welcome");
  CHECK(welcome.string_at("client") == local_address(a.tcp));
  CHECK(welcome.number_at("members") == 1);

  REQUIRE(b.connect(demo.port(), "/chat"));
  auto b_welcome = next_of(b, "welcome");
  CHECK(b_welcome.number_at("members") == 2);
  const std::string b_name = local_address(b.tcp);
  // A's first notice is B's join (A was not told of its own), with the room's new size.
  auto joined = next_of(a, "join");
  CHECK(joined.string_at("client") == b_name);
  CHECK(joined.number_at("members") == 2);
  CHECK(joined.number_at("presence") == b_welcome.number_at("presence"));
  CHECK(joined.number_at("presence") > welcome.number_at("presence"));

  // Everything B receives up to A's message: no join at all (B's own would come first).
  REQUIRE(a.send_text("hello from A, with \"quotes\""));
  for (;;) {
    auto text = b.receive();
    REQUIRE(text);
    auto r = json::parse(*text);
    REQUIRE(r);
    CHECK(r.value.string_at("type") != "join");
    if (r.value.string_at("type") == "message") break;
  }
  auto m_a = next_of(a, "message");
  CHECK(m_a.string_at("from") == local_address(a.tcp));
  CHECK(m_a.string_at("text") == "hello from A, with \"quotes\"");
  REQUIRE(b.send_text("hi A"));
  auto m = next_of(a, "message");
  CHECK(m.string_at("from") == b_name);
  CHECK(m.string_at("text") == "hi A");

  REQUIRE(b.send_close(1000));
  auto left = next_of(a, "leave");
  CHECK(left.string_at("client") == b_name);
  CHECK(left.number_at("members") == 1);
  CHECK(left.number_at("presence") > joined.number_at("presence"));
}

TEST_CASE("demo /chat with 2 threads: the newest presence number carries the room's size") {
  DemoServer demo(2);
  WsTestClient watcher;
  REQUIRE(watcher.connect(demo.port(), "/chat"));
  double newest = next_of(watcher, "welcome").number_at("presence").value_or(-1);
  double members = 1;
  std::vector<std::unique_ptr<WsTestClient>> others;
  for (int i = 0; i < 6; ++i) {
    others.push_back(std::make_unique<WsTestClient>());
    REQUIRE(others.back()->connect(demo.port(), "/chat"));
    REQUIRE(next_of(*others.back(), "welcome").is_object());
  }
  for (int i = 0; i < 3; ++i) REQUIRE(others[static_cast<std::size_t>(i)]->send_close(1000));
  // 6 joins and 3 leaves, in whatever order the threads deliver them: the watcher's count is
  // the one with the highest presence number, and that is the room as it is now.
  for (int seen = 0; seen < 9; ++seen) {
    auto text = watcher.receive();
    REQUIRE(text);
    auto r = json::parse(*text);
    REQUIRE(r);
    const double presence = r.value.number_at("presence").value_or(-1);
    if (presence > newest) {
      newest = presence;
      members = r.value.number_at("members").value_or(-1);
    }
  }
  CHECK(members == 4);
}

TEST_CASE("demo /chat: binary and over-long messages get an error and are not delivered") {
  DemoServer demo;
  WsTestClient a;
  REQUIRE(a.connect(demo.port(), "/chat"));
  const std::uint8_t bytes[] = {1, 2, 3};
  REQUIRE(a.send_binary(bytes));
  CHECK(next_of(a, "error").string_at("message") == "binary messages are not chat");
  REQUIRE(a.send_text(std::string(5000, 'x')));
  CHECK(next_of(a, "error").is_object());
  REQUIRE(a.send_text("still here"));
  CHECK(next_of(a, "message").string_at("text") == "still here");
}

TEST_CASE("demo /collab: a late joiner gets the current text; edits are versioned and ordered") {
  DemoServer demo;
  WsTestClient a;
  REQUIRE(a.connect(demo.port(), "/collab"));
  auto snap = next_of(a, "snapshot");
  CHECK(snap.string_at("text") == "");
  CHECK(snap.number_at("version") == 0);
  REQUIRE(a.send_text(R"({"type":"edit","base":0,"pos":0,"del":0,"text":"hello world","id":1})"));
  auto e1 = next_of(a, "edit");
  CHECK(e1.number_at("version") == 1);
  CHECK(e1.string_at("by") == snap.string_at("client_id"));
  CHECK(e1.number_at("id") == 1);

  WsTestClient b;
  REQUIRE(b.connect(demo.port(), "/collab"));
  auto late = next_of(b, "snapshot");
  CHECK(late.string_at("text") == "hello world");
  CHECK(late.number_at("version") == 1);
  CHECK(late.number_at("editors") == 2);

  // Both edit version 1 at once: the server orders them, transforms the second, and
  // everyone receives both in version order.
  REQUIRE(b.send_text(R"({"type":"edit","base":1,"pos":0,"del":5,"text":"goodbye"})"));
  REQUIRE(a.send_text(R"({"type":"edit","base":1,"pos":11,"del":0,"text":"!"})"));
  std::map<double, std::string> seen_a, seen_b;
  for (int i = 0; i < 2; ++i) {
    auto ea = next_of(a, "edit");
    auto eb = next_of(b, "edit");
    REQUIRE(ea.is_object());
    REQUIRE(eb.is_object());
    CHECK(ea.number_at("version") == 2.0 + i);
    CHECK(eb.number_at("version") == 2.0 + i);
    seen_a[*ea.number_at("version")] = std::string(*ea.string_at("text"));
    seen_b[*eb.number_at("version")] = std::string(*eb.string_at("text"));
  }
  CHECK(seen_a == seen_b);

  WsTestClient c;
  REQUIRE(c.connect(demo.port(), "/collab"));
  auto final_snap = next_of(c, "snapshot");
  CHECK(final_snap.string_at("text") == "goodbye world!");
  CHECK(final_snap.number_at("version") == 3);
}

TEST_CASE("demo /collab: malformed and stale edits get an error; sync returns the snapshot") {
  DemoServer demo;
  WsTestClient a;
  REQUIRE(a.connect(demo.port(), "/collab"));
  next_of(a, "snapshot");
  REQUIRE(a.send_text(R"({"type":"edit","base":9,"pos":0,"text":"x"})"));
  CHECK(next_of(a, "error").string_at("message") == "base version is ahead of the document");
  REQUIRE(a.send_text(R"({"type":"edit","pos":0})"));
  CHECK(next_of(a, "error").is_object());
  REQUIRE(a.send_text("{"));
  CHECK(next_of(a, "error").is_object());
  REQUIRE(a.send_text(R"({"type":"sync"})"));
  CHECK(next_of(a, "snapshot").number_at("version") == 0);
}

// Subscribes `clients` to /trading and checks they all receive the same tick, byte for byte,
// with no gap in the sequence numbers before it.
void check_trading_fan_out(std::uint16_t port, int count) {
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (int i = 0; i < count; ++i) {
    clients.push_back(std::make_unique<WsTestClient>());
    REQUIRE(clients.back()->connect(port, "/trading"));
    auto sub = next_of(*clients.back(), "subscribed");
    REQUIRE(sub.find("symbols") != nullptr);
    CHECK(sub.find("symbols")->size() == 4);
  }
  // Every client is subscribed now, so the first tick the LAST client sees reached all of
  // them; check the one two ticks later everywhere (earlier ticks were queued meanwhile).
  auto first = next_of(*clients.back(), "market_data");
  REQUIRE(first.is_object());
  const std::int64_t target = *first.find("sequence")->as_int() + 2;
  std::string reference;
  for (int i = 0; i < count; ++i) {
    CAPTURE(i);
    std::int64_t previous = -1;
    for (;;) {
      auto text = clients[static_cast<std::size_t>(i)]->receive();
      REQUIRE(text);
      auto r = json::parse(*text);
      REQUIRE(r);
      if (r.value.string_at("type") != "market_data") continue;
      const std::int64_t seq = *r.value.find("sequence")->as_int();
      if (previous >= 0) CHECK(seq == previous + 1);  // no gaps, no duplicates
      previous = seq;
      if (seq < target) continue;
      CHECK(seq == target);
      REQUIRE(r.value.find("quotes")->size() == 4);
      // Byte-identical: one tick, encoded once, not one per subscriber.
      if (reference.empty()) reference = *text;
      CHECK(*text == reference);
      break;
    }
  }
}

TEST_CASE("demo /trading: one generator fans out to 100 clients; all see the same ticks") {
  DemoServer demo;
  check_trading_fan_out(demo.port(), 100);
}

TEST_CASE("demo /trading with 2 threads: subscribers on both threads see the same ticks") {
  DemoServer demo(2);
  check_trading_fan_out(demo.port(), 40);
}

TEST_CASE("demo /chat with 2 threads: every member receives every message") {
  DemoServer demo(2);
  std::vector<std::unique_ptr<WsTestClient>> members;
  for (int i = 0; i < 8; ++i) {
    members.push_back(std::make_unique<WsTestClient>());
    REQUIRE(members.back()->connect(demo.port(), "/chat"));
    REQUIRE(next_of(*members.back(), "welcome").is_object());
  }
  REQUIRE(members[3]->send_text("across threads"));
  for (auto& m : members) {
    auto msg = next_of(*m, "message");
    CHECK(msg.string_at("text") == "across threads");
    CHECK(msg.string_at("from") == local_address(members[3]->tcp));
  }
}

TEST_CASE("demo /multiplex: command replies carry real figures; chat reaches every client") {
  DemoServer demo;
  WsTestClient a, b;
  REQUIRE(a.connect(demo.port(), "/multiplex"));
  REQUIRE(b.connect(demo.port(), "/multiplex"));
  const auto a_id = std::string(*next_of(a, "welcome").string_at("client_id"));
  CHECK(a_id.rfind("client_", 0) == 0);
  next_of(b, "welcome");

  REQUIRE(a.send_text(R"({"type":"command","command":"status"})"));
  auto status = next_of(a, "command_result");
  CHECK(status.find("result")->string_at("status") == "running");
  CHECK(*status.find("result")->number_at("connections") >= 2);

  REQUIRE(a.send_text(R"({"type":"command","command":"memory"})"));
  auto memory = next_of(a, "command_result");
  CHECK(memory.string_at("command") == "memory");
  CHECK(*memory.find("result")->number_at("rss_kb") > 1000);

  REQUIRE(a.send_text(R"({"type":"command","command":"time"})"));
  CHECK(next_of(a, "command_result").find("result")->string_at("iso8601").has_value());

  REQUIRE(a.send_text(R"({"type":"ping","id":5})"));
  CHECK(next_of(a, "pong").number_at("id") == 5);

  REQUIRE(a.send_text(R"({"type":"chat","content":"to all"})"));
  auto chat = next_of(b, "chat");
  CHECK(chat.string_at("client_id") == a_id);
  CHECK(chat.string_at("content") == "to all");

  REQUIRE(a.send_text("{oops"));
  auto err = next_of(a, "error");
  CHECK(err.string_at("message") == "malformed JSON");
  REQUIRE(a.send_text(R"({"type":"nope"})"));
  CHECK(next_of(a, "error").string_at("message") == "unknown message type");
  REQUIRE(a.send_text(R"({"type":"ping"})"));
  CHECK(next_of(a, "pong").is_object());  // the connection was kept
}

TEST_CASE("demo /resilient: heartbeats, processed replies, errors for empty and > 1 KiB, connection kept") {
  DemoServer demo;
  WsTestClient c;
  REQUIRE(c.connect(demo.port(), "/resilient"));
  auto connected = next_of(c, "connected");
  CHECK(connected.number_at("heartbeat_ms") == 200);
  CHECK(next_of(c, "heartbeat").number_at("count") == 0);
  REQUIRE(c.send_text("valid message"));
  auto ok = next_of(c, "processed");
  CHECK(ok.string_at("original") == "valid message");
  CHECK(ok.number_at("count") == 1);
  REQUIRE(c.send_text(std::string(1025, 'x')));
  auto too_long = next_of(c, "error");
  CHECK(too_long.string_at("message") == "message too long");
  CHECK(too_long.number_at("bytes") == 1025);
  REQUIRE(c.send_text(""));
  CHECK(next_of(c, "error").string_at("message") == "empty message");
  REQUIRE(c.send_text("   "));
  CHECK(next_of(c, "error").string_at("message") == "empty message");
  REQUIRE(c.send_text(std::string(1024, 'y')));
  CHECK(next_of(c, "processed").number_at("count") == 5);
  CHECK(next_of(c, "heartbeat").number_at("count") == 5);
}

TEST_CASE("demo /data: JSON samples with timestamp, value and consecutive sequence numbers") {
  DemoServer demo;
  WsTestClient c;
  REQUIRE(c.connect(demo.port(), "/data"));
  CHECK(next_of(c, "connected").number_at("interval_ms") == 100);
  std::int64_t previous = -1;
  for (int i = 0; i < 3; ++i) {
    auto s = next_of(c, "sample");
    REQUIRE(s.is_object());
    const auto seq = *s.find("sequence")->as_int();
    CHECK(seq == previous + 1);
    previous = seq;
    CHECK(*s.number_at("timestamp") > 1.6e12);
    CHECK(*s.number_at("value") >= 0);
    CHECK(*s.number_at("value") <= 100);
  }
}

TEST_CASE("demo /broadcast: members get ids; messages reach everyone with the sender's id") {
  DemoServer demo;
  WsTestClient a, b;
  REQUIRE(a.connect(demo.port(), "/broadcast"));
  const auto a_id = std::string(*next_of(a, "joined").string_at("client_id"));
  REQUIRE(b.connect(demo.port(), "/broadcast"));
  const auto b_id = std::string(*next_of(b, "joined").string_at("client_id"));
  CHECK(a_id != b_id);
  auto mj = next_of(a, "member_joined");
  if (mj.string_at("client_id") != b_id) mj = next_of(a, "member_joined");
  CHECK(mj.string_at("client_id") == b_id);
  REQUIRE(b.send_text("hello group"));
  for (WsTestClient* c : {&a, &b}) {
    auto m = next_of(*c, "broadcast");
    CHECK(m.string_at("from") == b_id);
    CHECK(m.string_at("message") == "hello group");
  }
  REQUIRE(b.send_close());
  auto left = next_of(a, "left");
  CHECK(left.string_at("client_id") == b_id);
  CHECK(left.number_at("members") == 1);
}

TEST_CASE("demo /game: every player sees every move") {
  DemoServer demo;
  WsTestClient a, b;
  REQUIRE(a.connect(demo.port(), "/game"));
  auto wa = next_of(a, "welcome");
  const auto a_id = std::string(*wa.string_at("player_id"));
  const auto a_x = *wa.find("players")->array()[0].number_at("x");
  REQUIRE(b.connect(demo.port(), "/game"));
  auto wb = next_of(b, "welcome");
  CHECK(wb.find("players")->size() == 2);
  REQUIRE(a.send_text(R"({"type":"move","direction":"right"})"));
  for (WsTestClient* c : {&a, &b}) {
    auto m = next_of(*c, "player_moved");
    CHECK(m.string_at("player_id") == a_id);
    CHECK(m.number_at("x") == a_x + 1);
  }
  REQUIRE(a.send_text(R"({"type":"move","direction":"sideways"})"));
  CHECK(next_of(a, "error").is_object());
}

TEST_CASE("demo /ws: text and binary echoed as received, large messages included") {
  DemoServer demo;
  WsTestClient c;
  REQUIRE(c.connect(demo.port(), "/ws"));
  REQUIRE(c.send_text("caf\xC3\xA9"));
  auto e = c.next();
  REQUIRE(e);
  CHECK(e->text);
  CHECK(e->data == "caf\xC3\xA9");
  std::vector<std::uint8_t> big(3 * 1024 * 1024);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
  REQUIRE(c.send_binary(big));
  auto back = c.next(20s);
  REQUIRE(back);
  CHECK_FALSE(back->text);
  REQUIRE(back->data.size() == big.size());
  CHECK(std::equal(big.begin(), big.end(), reinterpret_cast<const std::uint8_t*>(back->data.data())));
  // RFC 6455 5.5.1: the close is answered with the same code, and /ws echoes the reason too.
  REQUIRE(c.send_close(4001, "bye"));
  auto close = c.next();
  REQUIRE(close);
  CHECK(close->kind == WsTestClient::Event::Kind::close);
  CHECK(close->code == 4001);
  CHECK(close->data == "bye");
}

TEST_CASE("demo /fanout: a message reaches every member, the sender included, as sent") {
  DemoServer demo;
  WsTestClient members[3];
  for (auto& m : members) REQUIRE(m.connect(demo.port(), "/fanout"));
  // One sender at a time: two senders on two sockets have no order the server must keep.
  REQUIRE(members[1].send_text("tick 1"));
  for (auto& m : members) {
    auto text = m.next();
    REQUIRE(text);
    CHECK(text->text);
    CHECK(text->data == "tick 1");
  }
  const std::vector<std::uint8_t> blob{0, 1, 2, 0xFF};
  REQUIRE(members[2].send_binary(blob));
  for (auto& m : members) {
    auto binary = m.next();
    REQUIRE(binary);
    CHECK_FALSE(binary->text);
    CHECK(binary->data == std::string("\x00\x01\x02\xFF", 4));
  }
}

TEST_CASE("demo HTTP: pages are served with their content types and validators") {
  DemoServer demo;
  auto index = get(demo.port(), "/");
  CHECK(index.status == 200);
  CHECK(index.header("Content-Type") == "text/html; charset=utf-8");
  for (auto link : {"/chat", "/data", "/trading", "/collab", "/game"}) {
    CHECK(index.body.find(std::string("href=\"") + link + "\"") != std::string::npos);
  }
  CHECK(get(demo.port(), "/style.css").header("Content-Type") == "text/css; charset=utf-8");
  CHECK(get(demo.port(), "/chart.js").header("Content-Type") == "text/javascript; charset=utf-8");
  // A plain GET to a WebSocket route with a page answers the page.
  auto chat = get(demo.port(), "/chat");
  CHECK(chat.status == 200);
  CHECK(chat.body.find("<title>sluice chat</title>") != std::string::npos);
  CHECK(get(demo.port(), "/data").body.find("<canvas") != std::string::npos);
  CHECK(get(demo.port(), "/trading").body.find("ticker.js") != std::string::npos);
  CHECK(get(demo.port(), "/collab").body.find("<textarea") != std::string::npos);

  auto css = get(demo.port(), "/style.css");
  const auto etag = css.header("ETag");
  REQUIRE(etag);
  CHECK(css.header("Cache-Control") == "no-cache");
  CHECK(css.header("Last-Modified").has_value());
  auto again = get(demo.port(), "/style.css", "If-None-Match: " + *etag + "\r\n");
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(get(demo.port(), "/nope.html").status == 404);
  CHECK(get(demo.port(), "/../Makefile").status == 404);
  CHECK(get(demo.port(), "/%2e%2e/Makefile").status == 404);
}

TEST_CASE("RFC 9110 15.5.22: every WebSocket-only demo route answers a plain GET 426 with Upgrade") {
  DemoServer demo;
  // /fanout is a callback route: the router answers it (once the pages' "/*" served it a 404).
  for (auto path : {"/ws", "/ws-co", "/fanout", "/broadcast", "/multiplex", "/resilient"}) {
    CAPTURE(path);
    auto r = get(demo.port(), path);
    CHECK(r.status == 426);
    CHECK(r.header("Upgrade") == "websocket");
  }
}

TEST_CASE("demo HTTP: every page names the favicon it is served, so none asks for /favicon.ico") {
  DemoServer demo;
  auto icon = get(demo.port(), "/favicon.svg");
  CHECK(icon.status == 200);
  CHECK(icon.header("Content-Type") == "image/svg+xml");
  CHECK(icon.body.find("<svg") != std::string::npos);
  for (auto page : {"/", "/chat", "/data", "/trading", "/collab", "/game"}) {
    CAPTURE(page);
    CHECK(get(demo.port(), page).body.find(R"(<link rel="icon" href="/favicon.svg")") != std::string::npos);
  }
}

TEST_CASE("demo HTTP: /healthz answers 200; /echo returns the body (Content-Length and chunked)") {
  DemoServer demo;
  auto health = get(demo.port(), "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");

  const std::string body = "{\"a\": [1, 2, 3]}\r\nraw bytes \x01\x02";
  auto cl = http(demo.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  CHECK(cl.status == 200);
  CHECK(cl.body == body);
  CHECK(cl.header("Content-Type") == "application/json");

  auto chunked = http(demo.port(),
                      "PUT /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n");
  CHECK(chunked.status == 200);
  CHECK(chunked.body == "hello, world");

  for (auto method : {"GET", "DELETE", "PATCH", "OPTIONS"}) {
    auto r = http(demo.port(), std::string(method) + " /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(r.status == 200);
    CHECK(r.body.empty());
  }
}

}  // TEST_SUITE
