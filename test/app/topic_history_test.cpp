// test/app/topic_history_test.cpp — ids "<epoch>:<seq>", a topic's bounded history and what a
// client coming back gets (app/detail/topic_history.hpp), without sockets.
#include "app/detail/topic_history.hpp"

#include <doctest/doctest.h>

#include <string>

using sluice::TopicHistoryLimits;
using sluice::detail::EventId;
using sluice::detail::parse_event_id;
using sluice::detail::TopicHistory;
using namespace std::chrono_literals;

namespace {
std::span<const std::uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

TEST_SUITE("app") {

TEST_CASE("topic history: ids parse only as <epoch>:<seq>") {
    const auto id = parse_event_id("0123456789abcdef:42");
    REQUIRE(id);
    CHECK(id->epoch == "0123456789abcdef");
    CHECK(id->seq == 42);
    CHECK(parse_event_id("e:0"));
    CHECK(parse_event_id("e:9999999999999999999"));   // 19 digits: the most, never overflows
    for (const char* bad : {"", ":", "e:", ":1", "e:-1", "e:+1", "e:1x", "e:1 ", "e :1", "e\n:1", "e:1:2",
                            "e:99999999999999999999", "abcdefghijklmnopqrstuvwxyz0123456:1", "e.f:1"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_event_id(bad));
    }
    std::string out;
    sluice::detail::append_event_id(out, "ab", 7);
    CHECK(out == "ab:7");
    const std::string e = sluice::detail::make_epoch();
    CHECK(e.size() == 16);
    CHECK(e.find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("topic history: sequence from 1; replay after an id; resets for ids it cannot place") {
    TopicHistory h(TopicHistoryLimits{.max_messages = 3}, "ep");
    const auto now = TopicHistory::Clock::now();
    auto r = h.replay(EventId{"ep", 0}, now);
    CHECK_FALSE(r.reset);   // nothing published yet: up to date
    CHECK(r.messages.empty());
    for (const char* m : {"a", "b", "c", "d", "e"}) h.append(true, bytes(m), now);
    CHECK(h.last() == 5);
    CHECK(h.size() == 3);   // keeps 3, 4, 5
    r = h.replay(EventId{"ep", 2}, now);
    CHECK_FALSE(r.reset);
    REQUIRE(r.messages.size() == 3);
    CHECK(r.messages.front().seq == 3);
    CHECK(r.messages.front().payload == "c");
    CHECK(r.last == 5);
    CHECK(h.replay(EventId{"ep", 5}, now).messages.empty());
    CHECK(h.replay(EventId{"ep", 1}, now).reset);      // older than what is kept
    CHECK(h.replay(EventId{"ep", 6}, now).reset);      // from the future
    CHECK(h.replay(EventId{"other", 4}, now).reset);   // another epoch (a restart)
    r = h.replay(std::nullopt, now);                   // live from now
    CHECK_FALSE(r.reset);
    CHECK(r.messages.empty());
    CHECK(r.last == 5);
}

TEST_CASE("topic history: byte and age bounds") {
    TopicHistory by_bytes(TopicHistoryLimits{.max_messages = 0, .max_bytes = 5}, "b");
    const auto now = TopicHistory::Clock::now();
    for (const char* m : {"12", "34", "56"}) by_bytes.append(true, bytes(m), now);
    CHECK(by_bytes.size() == 2);
    TopicHistory by_age(TopicHistoryLimits{.max_messages = 0, .max_age = 100ms}, "a");
    by_age.append(true, bytes("old"), now);
    by_age.append(true, bytes("new"), now + 80ms);
    const auto r = by_age.replay(EventId{"a", 0}, now + 150ms);   // "old" is 150 ms old
    CHECK(r.reset);
    const auto r1 = by_age.replay(EventId{"a", 1}, now + 150ms);
    REQUIRE(r1.messages.size() == 1);
    CHECK(r1.messages[0].payload == "new");
}

}  // TEST_SUITE
