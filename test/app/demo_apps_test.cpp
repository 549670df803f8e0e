// The demo applications as plain classes, without a server: each rule of app/demo/*.hpp.
#include "app/demo/demo.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "app/demo/broadcast.hpp"
#include "app/demo/chat.hpp"
#include "app/demo/collab.hpp"
#include "app/demo/data_stream.hpp"
#include "app/demo/game.hpp"
#include "app/demo/multiplex.hpp"
#include "app/demo/resilient.hpp"
#include "app/demo/trading.hpp"
#include "app/demo/util.hpp"
#include "app/json.hpp"

namespace demo = sluice::demo;
namespace json = sluice::json;

namespace {

json::Value parse_ok(std::string_view text) {
  auto r = json::parse(text);
  REQUIRE_MESSAGE(r, "not JSON: " << text);
  return r.value;
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("demo chat: every join and leave moves the count and gets the next presence number") {
  demo::ChatRoom room;
  const demo::Presence a = room.join();
  CHECK(a.members == 1);
  CHECK(a.version == 1);
  const demo::Presence b = room.join();
  CHECK(b.members == 2);
  CHECK(b.version == 2);
  const demo::Presence c = room.leave();
  CHECK(c.members == 1);
  CHECK(c.version == 3);
}

TEST_CASE("demo chat: welcome, join, leave and message are JSON that escapes the text") {
  auto w = parse_ok(demo::ChatRoom::welcome("127.0.0.1:5000", {.members = 2, .version = 5}));
  CHECK(w.string_at("type") == "welcome");
  CHECK(w.string_at("client") == "127.0.0.1:5000");
  CHECK(w.number_at("members") == 2);
  CHECK(w.number_at("presence") == 5);
  CHECK(parse_ok(demo::ChatRoom::joined("a", {3, 6})).string_at("type") == "join");
  CHECK(parse_ok(demo::ChatRoom::left("a", {1, 7})).string_at("type") == "leave");
  // The seed built JSON by formatting; a quote or newline in a message broke it.
  const std::string nasty = "say \"hi\"\n\\ </script> \x01";
  auto m = parse_ok(demo::ChatRoom::message("me", nasty));
  CHECK(m.string_at("type") == "message");
  CHECK(m.string_at("from") == "me");
  CHECK(m.string_at("text") == nasty);
}

TEST_CASE("demo data: samples carry timestamp, value in [0, 100] and consecutive sequence numbers") {
  demo::DataStream stream(42);
  for (std::uint64_t i = 0; i < 500; ++i) {
    auto s = parse_ok(stream.next(1'700'000'000'000 + static_cast<std::int64_t>(i) * 100));
    CHECK(s.string_at("type") == "sample");
    CHECK(s.find("sequence")->as_int() == static_cast<std::int64_t>(i));
    CHECK(s.find("timestamp")->as_int() == 1'700'000'000'000 + static_cast<std::int64_t>(i) * 100);
    const double v = *s.number_at("value");
    CHECK(v >= 0.0);
    CHECK(v <= 100.0);
  }
  CHECK(parse_ok(demo::DataStream::connected(std::chrono::milliseconds(100))).number_at("interval_ms") == 100);
}

TEST_CASE("demo data: the same seed gives the same stream, another seed another") {
  demo::DataStream a(7), b(7), c(8);
  const std::string sa = a.next(1), sb = b.next(1), sc = c.next(1);
  CHECK(sa == sb);
  CHECK(sa != sc);
}

TEST_CASE("demo multiplex: chat goes to everyone with the sender's id") {
  demo::ServerFacts facts;
  auto r = demo::Multiplexer::handle(R"({"type":"chat","content":"hello \"all\""})", "client_9", facts);
  CHECK(r.to_everyone);
  auto v = parse_ok(r.text);
  CHECK(v.string_at("type") == "chat");
  CHECK(v.string_at("client_id") == "client_9");
  CHECK(v.string_at("content") == "hello \"all\"");
}

TEST_CASE("demo multiplex: status, time and memory commands report real figures") {
  demo::ServerFacts facts;
  facts.connections = 5;
  facts.threads = 2;
  auto status = parse_ok(demo::Multiplexer::handle(R"({"type":"command","command":"status"})", "c", facts).text);
  CHECK(status.string_at("type") == "command_result");
  CHECK(status.string_at("command") == "status");
  CHECK(status.find("result")->string_at("status") == "running");
  CHECK(status.find("result")->number_at("connections") == 5);
  CHECK(status.find("result")->number_at("threads") == 2);
  CHECK(*status.find("result")->number_at("uptime_ms") >= 0);

  const auto before = demo::unix_time_ms();
  auto time = parse_ok(demo::Multiplexer::handle(R"({"type":"command","command":"time"})", "c", facts).text);
  const auto after = demo::unix_time_ms();
  const auto unix_ms = time.find("result")->find("unix_ms")->as_int();
  REQUIRE(unix_ms);
  CHECK(*unix_ms >= before);
  CHECK(*unix_ms <= after);
  CHECK(time.find("result")->string_at("iso8601")->size() == 24);

  auto memory = parse_ok(demo::Multiplexer::handle(R"({"type":"command","command":"memory"})", "c", facts).text);
  CHECK(memory.string_at("type") == "command_result");
  const auto rss = memory.find("result")->number_at("rss_kb");
  REQUIRE(rss);
  CHECK(*rss > 1000);  // this test process (with ASan) uses more than 1 MB
  CHECK(*rss == doctest::Approx(static_cast<double>(*demo::resident_memory_kb())).epsilon(0.5));
}

TEST_CASE("demo multiplex: ping answers pong and echoes the id") {
  auto pong = parse_ok(demo::Multiplexer::handle(R"({"type":"ping","id":"abc"})", "c", {}).text);
  CHECK(pong.string_at("type") == "pong");
  CHECK(pong.string_at("id") == "abc");
  CHECK(pong.number_at("timestamp").has_value());
  auto pong2 = parse_ok(demo::Multiplexer::handle(R"({"type":"ping","id":7})", "c", {}).text);
  CHECK(pong2.number_at("id") == 7);
}

TEST_CASE("demo multiplex: unknown and malformed messages get an error reply") {
  auto expect_error = [](std::string_view in, std::string_view message) {
    CAPTURE(in);
    auto r = demo::Multiplexer::handle(in, "c", {});
    CHECK_FALSE(r.to_everyone);
    auto v = parse_ok(r.text);
    CHECK(v.string_at("type") == "error");
    CHECK(v.string_at("message") == message);
  };
  expect_error(R"({"type":"dance"})", "unknown message type");
  expect_error(R"({"type":"command","command":"reboot"})", "unknown command");
  expect_error(R"({"type":"chat"})", "a chat message needs a string \"content\"");
  expect_error(R"({"type":"command"})", "a command message needs a string \"command\"");
  expect_error(R"({"content":"x"})", "a message needs a string \"type\"");
  expect_error(R"([1,2])", "a message is a JSON object");
  expect_error(R"({"type":"chat",})", "malformed JSON");
  expect_error("not json", "malformed JSON");
  expect_error("", "malformed JSON");
  auto malformed = parse_ok(demo::Multiplexer::handle(R"({"type":"ping",})", "c", {}).text);
  CHECK(malformed.string_at("reason") == "trailing_comma");
  CHECK(malformed.number_at("offset") == 15);
}

TEST_CASE("demo broadcast: events and messages carry the client id") {
  demo::BroadcastGroup g;
  CHECK(g.join() == 1);
  auto e = parse_ok(demo::BroadcastGroup::event("member_joined", "client_1", 1));
  CHECK(e.string_at("type") == "member_joined");
  CHECK(e.string_at("client_id") == "client_1");
  auto m = parse_ok(demo::BroadcastGroup::message("client_1", "a\"b"));
  CHECK(m.string_at("from") == "client_1");
  CHECK(m.string_at("message") == "a\"b");
  CHECK(g.leave() == 0);
}

TEST_CASE("demo game: players join, see each other, move within the board and leave") {
  demo::GameBoard board(4, 3);
  auto j1 = parse_ok(board.join("p1"));
  CHECK(j1.string_at("type") == "player_joined");
  board.join("p2");
  auto welcome = parse_ok(board.welcome("p2"));
  CHECK(welcome.string_at("player_id") == "p2");
  CHECK(welcome.find("board")->number_at("width") == 4);
  REQUIRE(welcome.find("players")->size() == 2);
  CHECK(welcome.number_at("sequence") == 2);

  const auto start = *board.find("p1");
  std::string error;
  auto moved = board.handle("p1", R"({"type":"move","direction":"right"})", error);
  REQUIRE(moved);
  auto m = parse_ok(*moved);
  CHECK(m.string_at("type") == "player_moved");
  CHECK(m.string_at("player_id") == "p1");
  CHECK(m.number_at("x") == start.x + 1);
  CHECK(m.number_at("sequence") == 3);
  // Clamped at the edges.
  for (int i = 0; i < 10; ++i) board.handle("p1", R"({"type":"move","dx":1,"dy":1})", error);
  CHECK(board.find("p1")->x == 3);
  CHECK(board.find("p1")->y == 2);
  for (int i = 0; i < 10; ++i) board.handle("p1", R"({"type":"move","direction":"up"})", error);
  CHECK(board.find("p1")->y == 0);

  CHECK_FALSE(board.handle("p1", R"({"type":"move","direction":"north"})", error));
  CHECK(parse_ok(error).string_at("type") == "error");
  CHECK_FALSE(board.handle("p1", R"({"type":"move","dx":2})", error));
  CHECK_FALSE(board.handle("p1", R"({"type":"jump"})", error));
  CHECK_FALSE(board.handle("p1", "{", error));
  CHECK_FALSE(board.handle("ghost", R"({"type":"move","dx":1})", error));

  auto left = parse_ok(board.leave("p1"));
  CHECK(left.string_at("type") == "player_left");
  CHECK(board.player_count() == 1);
}

TEST_CASE("demo trading: one tick holds four symbols with prices, and sequences count up") {
  demo::MarketFeed feed(std::chrono::milliseconds(50), 1);
  for (std::uint64_t i = 0; i < 100; ++i) {
    auto t = parse_ok(feed.tick(1000));
    CHECK(t.string_at("type") == "market_data");
    CHECK(t.find("sequence")->as_int() == static_cast<std::int64_t>(i));
    REQUIRE(t.find("quotes")->size() == 4);
    std::set<std::string> symbols;
    for (const auto& q : t.find("quotes")->array()) {
      symbols.insert(std::string(*q.string_at("symbol")));
      CHECK(*q.number_at("price") > 0);
      CHECK(*q.number_at("volume") >= 100);
    }
    CHECK(symbols == std::set<std::string>{"AAPL", "GOOGL", "MSFT", "AMZN"});
  }
}

TEST_CASE("demo trading: maybe_tick produces one tick per interval however many timers ask") {
  using namespace std::chrono;
  demo::MarketFeed feed(milliseconds(50), 1);
  const demo::MarketFeed::Clock::time_point t0{};
  // First ask ticks at once; 100 subscribers' timers asking at the same instant get nothing more.
  CHECK(feed.maybe_tick(t0 + seconds(10), 0));
  for (int i = 0; i < 100; ++i) CHECK_FALSE(feed.maybe_tick(t0 + seconds(10), 0));
  // Jitter: a timer a little early (within a quarter interval) still ticks.
  CHECK_FALSE(feed.maybe_tick(t0 + seconds(10) + milliseconds(30), 0));
  CHECK(feed.maybe_tick(t0 + seconds(10) + milliseconds(45), 0));
  CHECK_FALSE(feed.maybe_tick(t0 + seconds(10) + milliseconds(46), 0));
  CHECK(feed.maybe_tick(t0 + seconds(10) + milliseconds(100), 0));
  CHECK(feed.sequence() == 3);
  // Over 10 s of timers firing every 5 ms, exactly 200 ticks (one per 50 ms).
  std::uint64_t ticks = 0;
  for (int ms = 5; ms <= 10'000; ms += 5) {
    if (feed.maybe_tick(t0 + seconds(10) + milliseconds(100 + ms), 0)) ++ticks;
  }
  CHECK(ticks == 200);
  // After a long silence (nobody subscribed) it restarts without a burst.
  CHECK(feed.maybe_tick(t0 + seconds(100), 0));
  CHECK_FALSE(feed.maybe_tick(t0 + seconds(100) + milliseconds(5), 0));
}

TEST_CASE("demo collab: edits at the current version apply in order and bump the version") {
  demo::Document doc;
  auto r1 = doc.apply(0, {0, 0, "hello"});
  CHECK(r1.error == demo::Document::Error::none);
  CHECK(r1.version == 1);
  doc.apply(1, {5, 0, " world"});
  CHECK(doc.text() == "hello world");
  doc.apply(2, {0, 5, "HELLO"});
  CHECK(doc.text() == "HELLO world");
  CHECK(doc.version() == 3);
  CHECK(doc.length() == 11);
}

TEST_CASE("demo collab: positions are code points, not bytes") {
  demo::Document doc("caf\xC3\xA9 \xF0\x9D\x84\x9E!");  // "café 𝄞!"
  CHECK(doc.length() == 7);
  doc.apply(0, {5, 1, "G"});  // replace the clef
  CHECK(doc.text() == "caf\xC3\xA9 G!");
  doc.apply(1, {3, 1, "e"});
  CHECK(doc.text() == "cafe G!");
}

TEST_CASE("demo collab: concurrent edits on the same base are transformed, and both land") {
  demo::Document doc("abcdef");
  // Two editors at version 0: one inserts at 1, the other deletes "de" (pos 3, del 2).
  doc.apply(0, {1, 0, "XY"});
  auto r = doc.apply(0, {3, 2, ""});
  CHECK(r.splice.pos == 5);  // shifted past "XY"
  CHECK(doc.text() == "aXYbcf");
  // Both insert at the same place: the later one goes after (server order).
  demo::Document d2("ab");
  d2.apply(0, {1, 0, "1"});
  d2.apply(0, {1, 0, "2"});
  CHECK(d2.text() == "a12b");
  // An edit before another is not moved.
  demo::Document d3("abcdef");
  d3.apply(0, {4, 0, "Z"});
  d3.apply(0, {1, 1, ""});
  CHECK(d3.text() == "acdZef");
}

TEST_CASE("demo collab: overlapping deletes do not delete twice") {
  demo::Document doc("0123456789");
  doc.apply(0, {2, 4, ""});    // deletes 2345
  doc.apply(0, {4, 4, ""});    // wanted 4567: 45 are gone already, 67 remain to delete
  CHECK(doc.text() == "0189");
  demo::Document d2("0123456789");
  d2.apply(0, {4, 4, "ab"});   // replaces 4567 with ab
  d2.apply(0, {2, 4, ""});     // wanted 2345: 45 are gone, 23 remain; "ab" kept
  CHECK(d2.text() == "01ab89");
}

TEST_CASE("demo collab: out-of-range edits are clamped, bad bases refused") {
  demo::Document doc("abc");
  doc.apply(0, {99, 5, "!"});
  CHECK(doc.text() == "abc!");
  doc.apply(1, {2, 99, ""});
  CHECK(doc.text() == "ab");
  CHECK(doc.apply(5, {0, 0, "x"}).error == demo::Document::Error::base_in_future);
  CHECK(doc.apply(0, {0, 0, std::string(demo::Document::kMaxBytes, 'x')}).error ==
        demo::Document::Error::too_large);
  CHECK(doc.text() == "ab");
  for (std::size_t i = 0; i < demo::Document::kHistory + 1; ++i) doc.apply(doc.version(), {0, 0, "y"});
  CHECK(doc.apply(0, {0, 0, "x"}).error == demo::Document::Error::base_too_old);
  CHECK(doc.apply(doc.version() - demo::Document::kHistory, {0, 0, "x"}).error == demo::Document::Error::none);
}

TEST_CASE("demo resilient: valid messages are processed, empty and long ones are errors") {
  auto ok = parse_ok(demo::validate_message("hello \"x\"", true, 3, 1024));
  CHECK(ok.string_at("type") == "processed");
  CHECK(ok.string_at("original") == "hello \"x\"");
  CHECK(ok.number_at("count") == 3);
  auto exact = parse_ok(demo::validate_message(std::string(1024, 'a'), true, 1, 1024));
  CHECK(exact.string_at("type") == "processed");
  auto long_ = parse_ok(demo::validate_message(std::string(1025, 'a'), true, 1, 1024));
  CHECK(long_.string_at("type") == "error");
  CHECK(long_.string_at("message") == "message too long");
  CHECK(long_.number_at("bytes") == 1025);
  CHECK(long_.number_at("limit") == 1024);
  CHECK(parse_ok(demo::validate_message("", true, 1, 1024)).string_at("message") == "empty message");
  CHECK(parse_ok(demo::validate_message(" \t\r\n", true, 1, 1024)).string_at("message") == "empty message");
  auto bin = parse_ok(demo::validate_message("\x01\x02", false, 1, 1024));
  CHECK(bin.string_at("type") == "processed");
  CHECK(bin.find("original") == nullptr);
  CHECK(parse_ok(demo::heartbeat(4)).number_at("count") == 4);
}

TEST_CASE("demo util: VmRSS is parsed from /proc/self/status text") {
  CHECK(demo::parse_vmrss_kb("Name:\tx\nVmPeak:\t  9 kB\nVmRSS:\t   12345 kB\nThreads: 1\n") == 12345u);
  CHECK(demo::parse_vmrss_kb("VmRSS: 7 kB") == 7u);
  CHECK_FALSE(demo::parse_vmrss_kb("VmPeak: 5 kB\n"));
  CHECK_FALSE(demo::parse_vmrss_kb("VmRSS: kB\n"));
  CHECK(demo::resident_memory_kb().has_value());
}

TEST_CASE("demo util: client ids are unique; UTF-8 code points are counted") {
  CHECK(demo::next_client_id() != demo::next_client_id());
  CHECK(demo::utf8_length("a\xC3\xA9\xF0\x9D\x84\x9E") == 3);
  CHECK(demo::utf8_offset("a\xC3\xA9\xF0\x9D\x84\x9E", 2) == 3);
  CHECK(demo::utf8_offset("ab", 5) == 2);
  CHECK(demo::iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(demo::iso8601_utc(1'700'000'000'123) == "2023-11-14T22:13:20.123Z");
}

TEST_CASE("demo: the list names every route") {
  std::set<std::string> paths;
  for (const auto& d : demo::demo_list()) paths.insert(std::string(d.path));
  for (auto p : {"/", "/ws", "/chat", "/data", "/multiplex", "/broadcast", "/game", "/trading", "/collab",
                 "/resilient", "/healthz", "/echo"}) {
    CHECK(paths.count(p) == 1);
  }
}

}  // TEST_SUITE
