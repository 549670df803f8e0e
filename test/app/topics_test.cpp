// test/app/topics_test.cpp — the per-thread pub/sub registry.
#include "app/detail/topics.hpp"

#include <doctest/doctest.h>

#include <vector>

using sluice::detail::Subscription;
using sluice::detail::TopicRegistry;

namespace {
std::vector<int> members(const TopicRegistry& r, std::string_view topic) {
    std::vector<int> out;
    r.for_each(topic, [&](void* s) { out.push_back(*static_cast<int*>(s)); });
    return out;
}
}  // namespace

TEST_SUITE("app") {

TEST_CASE("topics: subscribers are visited in subscription order") {
    TopicRegistry r;
    int a = 1, b = 2, c = 3;
    r.subscribe("chat", &a);
    r.subscribe("chat", &b);
    r.subscribe("news", &c);
    CHECK(members(r, "chat") == std::vector<int>{1, 2});
    CHECK(members(r, "news") == std::vector<int>{3});
    CHECK(members(r, "none").empty());
    CHECK(r.subscriber_count("chat") == 2);
    CHECK(r.topic_count() == 2);
}

TEST_CASE("topics: unsubscribe from head, middle and tail; an empty topic is erased") {
    TopicRegistry r;
    int a = 1, b = 2, c = 3, d = 4;
    Subscription* sa = r.subscribe("t", &a);
    Subscription* sb = r.subscribe("t", &b);
    Subscription* sc = r.subscribe("t", &c);
    Subscription* sd = r.subscribe("t", &d);
    CHECK(sb->topic == "t");
    r.unsubscribe(sb);
    CHECK(members(r, "t") == std::vector<int>{1, 3, 4});
    r.unsubscribe(sa);
    CHECK(members(r, "t") == std::vector<int>{3, 4});
    r.unsubscribe(sd);
    CHECK(members(r, "t") == std::vector<int>{3});
    CHECK(r.topic_count() == 1);
    r.unsubscribe(sc);
    CHECK(r.topic_count() == 0);
    CHECK(r.subscriber_count("t") == 0);
    Subscription* again = r.subscribe("t", &a);   // the topic comes back cleanly
    CHECK(members(r, "t") == std::vector<int>{1});
    r.unsubscribe(again);
    r.unsubscribe(nullptr);
}

TEST_CASE("topics: the registry frees what is still subscribed (ASan proves it)") {
    auto* r = new TopicRegistry;
    int a = 1;
    r->subscribe("x", &a);
    r->subscribe("y", &a);
    delete r;
    CHECK(true);
}

}  // TEST_SUITE
