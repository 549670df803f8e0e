// test/app/redis_broker_test.cpp — the broker where a real Redis cannot produce the case: a
// scripted fake Redis (a listening socket this test reads and writes by hand) sends a reply
// in two halves, an error reply, a malformed reply, or hangs up in the middle of one. Also
// the envelope, the address flag, the buffer bound with Redis unreachable, and the server's
// hooks (first/last subscriber across threads, no re-publish of what the broker delivers)
// with a recording broker. The real Redis is test/redis/run.sh's.
#include "app/redis_broker.hpp"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/detail/broker_envelope.hpp"
#include "app/server.hpp"
#include "proto/resp_parser.hpp"
#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;

namespace {

using sluice::test::eventually;

// A listening socket on 127.0.0.1:0 that the test drives by hand. Owns its fds.
class FakeRedis {
 public:
    FakeRedis() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t length = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &length);
        port = ntohs(a.sin_port);
    }
    ~FakeRedis() { ::close(fd_); }
    FakeRedis(const FakeRedis&) = delete;
    FakeRedis& operator=(const FakeRedis&) = delete;

    // The next connection the broker makes, or -1 after `timeout`. The caller owns it.
    int accept(std::chrono::milliseconds timeout = 5000ms) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return -1;
        return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    }
    std::uint16_t port = 0;

 private:
    int fd_ = -1;
};

// One accepted connection: reads commands (RESP arrays of bulk strings), writes bytes.
struct FakeConnection {
    explicit FakeConnection(int f) : fd(f) {}
    ~FakeConnection() {
        if (fd >= 0) ::close(fd);
    }
    FakeConnection(const FakeConnection&) = delete;
    FakeConnection& operator=(const FakeConnection&) = delete;

    // The next command's arguments, or nullopt after `timeout`.
    std::optional<std::vector<std::string>> command(std::chrono::milliseconds timeout = 3000ms) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            std::vector<sluice::proto::RespValue> values(300);
            const auto r = sluice::proto::parse_resp(
                {reinterpret_cast<const std::uint8_t*>(in.data()), in.size()}, values);
            if (r.status == sluice::proto::RespStatus::done) {
                std::vector<std::string> args;
                for (std::size_t i = 1; i < r.values; ++i) args.emplace_back(values[i].text);
                in.erase(0, r.consumed);
                return args;
            }
            if (r.status == sluice::proto::RespStatus::error) return std::nullopt;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char buf[65536];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return std::nullopt;
            in.append(buf, static_cast<std::size_t>(n));
        }
    }
    void write(std::string_view bytes) const { REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())); }

    int fd;
    std::string in;
};

std::string bulk(std::string_view s) { return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n"; }

// A pushed message as Redis writes it on a subscribed connection.
std::string message_push(std::string_view channel, std::string_view body) {
    return "*3\r\n" + bulk("message") + bulk(channel) + bulk(body);
}

std::string envelope(std::string_view node, bool text, std::string_view payload) {
    std::string s(sluice::detail::kEnvelopeSize, '\0');
    sluice::detail::write_envelope(std::span<char, sluice::detail::kEnvelopeSize>(s.data(), s.size()), node, text);
    return s + std::string(payload);
}

struct Delivered {
    std::string topic;
    bool text;
    std::string payload;
};

// A RedisBroker against the fake, recording what it delivers; its two connections accepted
// and told apart (the subscriber is the one that sends SUBSCRIBE for the topic asked first).
struct Rig {
    FakeRedis fake;
    std::shared_ptr<sluice::RedisBroker> broker;
    std::mutex mutex;
    std::vector<Delivered> delivered;
    std::unique_ptr<FakeConnection> publisher, subscriber;

    explicit Rig(sluice::RedisSettings s = {}) {
        s.host = "127.0.0.1";
        s.port = fake.port;
        s.prefix = "t:";
        if (s.health_interval == sluice::RedisSettings{}.health_interval) s.health_interval = 10s;   // no PING in the script
        s.retry_min = 20ms;
        broker = std::make_shared<sluice::RedisBroker>(s);
        REQUIRE(broker->validate().empty());
        REQUIRE(broker->start(
            [this](std::string_view topic, bool text, std::span<const std::uint8_t> p) {
                std::lock_guard lock(mutex);
                delivered.push_back({std::string(topic), text, std::string(reinterpret_cast<const char*>(p.data()), p.size())});
            },
            {}));
    }
    ~Rig() { broker->stop(); }

    // Subscribes `topic`, accepts both connections, answers the SUBSCRIBE.
    void connect_both(std::string_view topic = "news") {
        broker->subscribe(topic);
        auto first = std::make_unique<FakeConnection>(fake.accept());
        auto second = std::make_unique<FakeConnection>(fake.accept());
        REQUIRE(first->fd >= 0);
        REQUIRE(second->fd >= 0);
        pollfd both[2] = {{first->fd, POLLIN, 0}, {second->fd, POLLIN, 0}};
        REQUIRE(::poll(both, 2, 3000) > 0);
        if ((both[0].revents & POLLIN) == 0) std::swap(first, second);
        subscriber = std::move(first);
        publisher = std::move(second);
        const auto cmd = subscriber->command();
        REQUIRE(cmd);
        CHECK(*cmd == std::vector<std::string>{"SUBSCRIBE", "t:" + std::string(topic)});
        subscriber->write("*3\r\n" + bulk("subscribe") + bulk("t:" + std::string(topic)) + ":1\r\n");
        REQUIRE(eventually([&] { return broker->stats().connected; }));
    }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return delivered.size();
    }
};

// Records what the server asks of its broker; delivers on demand.
class RecordingBroker final : public sluice::Broker {
 public:
    std::string validate() const override { return {}; }
    bool start(Deliver d, Log) override {
        deliver = std::move(d);
        return true;
    }
    void stop() override {}
    void subscribe(std::string_view topic) override { add("subscribe " + std::string(topic)); }
    void unsubscribe(std::string_view topic) override { add("unsubscribe " + std::string(topic)); }
    void publish(std::string_view topic, bool text, std::span<const std::uint8_t> p) override {
        add(std::string(text ? "publish text " : "publish binary ") + std::string(topic) + " " +
            std::string(reinterpret_cast<const char*>(p.data()), p.size()));
    }
    sluice::BrokerStats stats() const override { return {}; }

    std::vector<std::string> calls() {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    Deliver deliver;

 private:
    void add(std::string s) {
        std::lock_guard lock(mutex_);
        calls_.push_back(std::move(s));
    }
    std::mutex mutex_;
    std::vector<std::string> calls_;
};

}  // namespace

TEST_SUITE("redis") {

TEST_CASE("broker envelope: the opcode and the node survive; a foreign payload is text only when valid UTF-8") {
    using sluice::detail::read_envelope;
    const std::string node = sluice::detail::node_id_text(0x0123456789abcdefULL);
    CHECK(node == "0123456789abcdef");
    const auto as_bytes = [](const std::string& s) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    };
    const std::string t = envelope(node, true, "héllo");
    auto e = read_envelope(as_bytes(t));
    CHECK(e.node == node);
    CHECK(e.text);
    CHECK(std::string_view(reinterpret_cast<const char*>(e.payload.data()), e.payload.size()) == "héllo");
    const std::string b = envelope(node, false, std::string("\0\xff\r\n", 4));
    e = read_envelope(as_bytes(b));
    CHECK_FALSE(e.text);
    CHECK(e.payload.size() == 4);
    // RFC 6455 §8.1: a text frame must be UTF-8, so a "text" envelope that is not arrives binary.
    e = read_envelope(as_bytes(envelope(node, true, "\xc3")));
    CHECK_FALSE(e.text);
    // From outside sluice (redis-cli PUBLISH): nobody's echo.
    e = read_envelope(as_bytes(std::string("plain words")));
    CHECK(e.node.empty());
    CHECK(e.text);
    e = read_envelope(as_bytes(std::string("\xff\xfe", 2)));
    CHECK_FALSE(e.text);
    e = read_envelope(as_bytes(std::string("~slt0123456789abcdeX|x")));   // not hex: foreign
    CHECK(e.node.empty());
}

TEST_CASE("redis address: host:port and [v6]:port; anything else is refused") {
    sluice::RedisSettings s;
    CHECK(sluice::parse_redis_address("127.0.0.1:6380", s));
    CHECK(s.host == "127.0.0.1");
    CHECK(s.port == 6380);
    CHECK(sluice::parse_redis_address("[::1]:7000", s));
    CHECK(s.host == "::1");
    CHECK(s.port == 7000);
    for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":6379", "h:0", "h:65536", "h:6x", "[::1:6379"})
        CHECK_FALSE(sluice::parse_redis_address(bad, s));
}

TEST_CASE("redis broker: settings are validated, and the server refuses to start on a bad one") {
    CHECK(sluice::RedisBroker(sluice::RedisSettings{.host = ""}).validate() != "");
    CHECK(sluice::RedisBroker(sluice::RedisSettings{.node_id = "XYZ"}).validate() != "");
    CHECK(sluice::RedisBroker(sluice::RedisSettings{.max_buffered_bytes = 0}).validate() != "");
    sluice::Server server;
    server.port(0).broker(std::make_shared<sluice::RedisBroker>(sluice::RedisSettings{.port = 0}));
    CHECK(server.validate() == "redis port must not be 0");
    CHECK_FALSE(server.start());
}

TEST_CASE("redis broker: a message written in two halves is delivered once, whole, after the second") {
    Rig rig;
    rig.connect_both();
    const std::string other = "00000000000000aa";
    const std::string push = message_push("t:news", envelope(other, false, std::string("bin\0\r\n", 6)));
    for (const std::size_t split : {std::size_t{1}, std::size_t{12}, push.size() / 2, push.size() - 1}) {
        const std::size_t before = rig.count();
        rig.subscriber->write(push.substr(0, split));
        std::this_thread::sleep_for(30ms);
        CHECK(rig.count() == before);   // half a reply is nothing yet
        rig.subscriber->write(push.substr(split));
        REQUIRE(eventually([&] { return rig.count() == before + 1; }));
    }
    std::this_thread::sleep_for(30ms);
    std::lock_guard lock(rig.mutex);
    REQUIRE(rig.delivered.size() == 4);
    for (const auto& d : rig.delivered) {
        CHECK(d.topic == "news");
        CHECK_FALSE(d.text);
        CHECK(d.payload == std::string("bin\0\r\n", 6));
    }
}

TEST_CASE("redis broker: our own publish heard back is dropped; another prefix is ignored") {
    Rig rig;
    rig.connect_both();
    rig.subscriber->write(message_push("t:news", envelope(rig.broker->node_id(), true, "mine")));
    rig.subscriber->write(message_push("other:news", envelope("00000000000000bb", true, "not ours")));
    rig.subscriber->write(message_push("t:news", envelope("00000000000000bb", true, "theirs")));
    REQUIRE(eventually([&] { return rig.count() == 1; }));
    CHECK(rig.broker->stats().own_echoes == 1);
    std::lock_guard lock(rig.mutex);
    CHECK(rig.delivered[0].payload == "theirs");
}

TEST_CASE("redis broker: a reply cut off by a hang-up delivers nothing; it reconnects and subscribes again") {
    Rig rig;
    rig.connect_both();
    const std::string push = message_push("t:news", envelope("00000000000000aa", true, "lost"));
    rig.subscriber->write(push.substr(0, push.size() - 3));
    rig.subscriber.reset();   // hang up mid-reply
    auto again = std::make_unique<FakeConnection>(rig.fake.accept());
    REQUIRE(again->fd >= 0);
    const auto cmd = again->command();
    REQUIRE(cmd);
    CHECK(*cmd == std::vector<std::string>{"SUBSCRIBE", "t:news"});
    CHECK(rig.count() == 0);
    again->write("*3\r\n" + bulk("subscribe") + bulk("t:news") + ":1\r\n");
    again->write(push);
    REQUIRE(eventually([&] { return rig.count() == 1; }));
    const auto s = rig.broker->stats();
    CHECK(s.disconnects == 1);
    CHECK(s.resubscribed == 1);
    CHECK(s.connects == 3);
}

TEST_CASE("redis broker: an error reply is counted and the connection stays; a malformed one reconnects") {
    Rig rig;
    rig.connect_both();
    const auto payload = std::string("x\r\ny");
    rig.broker->publish("news", true, {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
    auto cmd = rig.publisher->command();
    REQUIRE(cmd);
    REQUIRE(cmd->size() == 3);
    CHECK((*cmd)[0] == "PUBLISH");
    CHECK((*cmd)[1] == "t:news");
    CHECK((*cmd)[2] == envelope(rig.broker->node_id(), true, payload));
    rig.publisher->write("-ERR fake failure\r\n");
    rig.broker->publish("news", false, {});
    REQUIRE(rig.publisher->command());
    rig.publisher->write(":2\r\n");
    REQUIRE(eventually([&] { return rig.broker->stats().published == 1; }));
    auto s = rig.broker->stats();
    CHECK(s.errors == 1);
    CHECK(s.disconnects == 0);
    // An error on the subscribing connection (e.g. a refused SUBSCRIBE) is counted too.
    rig.subscriber->write("-NOPERM no\r\n");
    REQUIRE(eventually([&] { return rig.broker->stats().errors == 2; }));
    // Not RESP at all: the connection is dropped, the publish written before it unconfirmed.
    rig.broker->publish("news", true, {});
    REQUIRE(rig.publisher->command());
    rig.publisher->write("?what\r\n");
    REQUIRE(eventually([&] { return rig.broker->stats().disconnects == 1; }));
    s = rig.broker->stats();
    CHECK(s.unconfirmed == 1);
    CHECK_FALSE(s.connected);
    FakeConnection again(rig.fake.accept());
    CHECK(again.fd >= 0);   // reconnected
}

TEST_CASE("redis broker: Redis unreachable, publishes wait up to max_buffered_bytes, the rest are dropped and counted") {
    // A port bound but not listening: every connect is refused, and no one else can take it.
    const int closed = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(closed, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t length = sizeof a;
    ::getsockname(closed, reinterpret_cast<sockaddr*>(&a), &length);
    sluice::RedisSettings s{.host = "127.0.0.1", .port = ntohs(a.sin_port), .max_buffered_bytes = 1000, .retry_min = 20ms};
    sluice::RedisBroker broker(s);
    REQUIRE(broker.start([](std::string_view, bool, std::span<const std::uint8_t>) {}, {}));
    const std::string payload(50, 'p');
    for (int i = 0; i < 100; ++i)
        broker.publish("news", true, {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
    REQUIRE(eventually([&] { return broker.stats().disconnects >= 2; }));
    const auto st = broker.stats();
    CHECK(st.buffered_bytes <= 1000);
    CHECK(st.buffered > 0);
    CHECK(st.dropped > 0);
    CHECK(st.buffered + st.dropped == 100);
    CHECK_FALSE(st.connected);
    broker.stop();
    ::close(closed);
}

}  // TEST_SUITE

TEST_SUITE("app") {

TEST_CASE("broker hooks: one subscribe per process for the first subscriber, one unsubscribe for the last; no re-publish") {
    auto broker = std::make_shared<RecordingBroker>();
    sluice::test::TestServer ts([&](sluice::Server& s) {
        s.threads(2).broker(broker);
        sluice::WsCallbacks fanout;
        fanout.on_open = [](sluice::Context& c) { c.subscribe("fanout"); };
        fanout.on_message = [](sluice::Context& c, const sluice::Message& m) {
            if (m.is_text()) c.publish("fanout", m.text()); else c.publish_binary("fanout", m.bytes());
        };
        s.route("/fanout", fanout);
    });
    std::vector<std::unique_ptr<sluice::test::WsTestClient>> members;
    for (int i = 0; i < 4; ++i) {
        members.push_back(std::make_unique<sluice::test::WsTestClient>());
        REQUIRE(members.back()->connect(ts.port(), "/fanout"));
    }
    REQUIRE(eventually([&] { return !broker->calls().empty(); }));
    std::this_thread::sleep_for(50ms);
    CHECK(broker->calls() == std::vector<std::string>{"subscribe fanout"});
    // A local publish: delivered here, and handed to the broker once, with its opcode.
    REQUIRE(members[0]->send_text("hi"));
    for (auto& m : members) CHECK(m->receive() == "hi");
    const std::uint8_t raw[] = {0, 0xff};
    REQUIRE(members[1]->send_binary(raw));
    for (auto& m : members) CHECK(m->receive() == std::string("\0\xff", 2));
    // From the broker: delivered to every member once, never handed back.
    const std::string far = "from far";
    broker->deliver("fanout", true, {reinterpret_cast<const std::uint8_t*>(far.data()), far.size()});
    for (auto& m : members) CHECK(m->receive() == far);
    for (auto& m : members) m->send_close();
    for (auto& m : members) m->wait_close();
    REQUIRE(eventually([&] { return broker->calls().size() == 4; }));
    std::this_thread::sleep_for(50ms);
    CHECK(broker->calls() == std::vector<std::string>{"subscribe fanout", "publish text fanout hi",
                                                      std::string("publish binary fanout \0\xff", 24),
                                                      "unsubscribe fanout"});
}

}  // TEST_SUITE

TEST_SUITE("redis") {

TEST_CASE("redis broker: with a topic list, only those topics span nodes; the others stay local") {
    sluice::RedisSettings s;
    s.topics = {"news"};
    Rig rig(s);
    rig.broker->subscribe("local");   // never reaches Redis
    rig.connect_both("news");
    const std::string p = "x";
    const std::span<const std::uint8_t> bytes{reinterpret_cast<const std::uint8_t*>(p.data()), p.size()};
    rig.broker->publish("local", true, bytes);
    rig.broker->publish("news", true, bytes);
    const auto cmd = rig.publisher->command();
    REQUIRE(cmd);
    CHECK((*cmd)[1] == "t:news");
    CHECK(rig.broker->stats().topics == 1);
}

}  // TEST_SUITE

TEST_SUITE("redis") {

TEST_CASE("redis broker: AUTH goes first on both connections, before publishes buffered while down; refused, it reconnects") {
    sluice::RedisSettings s;
    s.password = "secret";
    s.username = "app";
    Rig rig(s);
    const std::string p = "early";
    rig.broker->publish("news", true, {reinterpret_cast<const std::uint8_t*>(p.data()), p.size()});
    rig.broker->subscribe("news");
    FakeConnection first(rig.fake.accept());
    FakeConnection second(rig.fake.accept());
    std::vector<std::vector<std::string>> firsts;
    for (FakeConnection* c : {&first, &second}) {
        auto cmd = c->command();
        REQUIRE(cmd);
        CHECK(*cmd == std::vector<std::string>{"AUTH", "app", "secret"});
        c->write("-WRONGPASS invalid username-password pair\r\n");
        cmd = c->command(500ms);
        if (cmd) firsts.push_back(*cmd);
    }
    // Behind AUTH on one connection: the buffered PUBLISH; on the other: the SUBSCRIBE.
    REQUIRE(firsts.size() == 2);
    CHECK(((firsts[0][0] == "PUBLISH" && firsts[1][0] == "SUBSCRIBE") || (firsts[0][0] == "SUBSCRIBE" && firsts[1][0] == "PUBLISH")));
    // The publisher's refused AUTH fails its connection: a new one comes, AUTH first again.
    FakeConnection again(rig.fake.accept());
    REQUIRE(again.fd >= 0);
    const auto cmd = again.command();
    REQUIRE(cmd);
    CHECK((*cmd)[0] == "AUTH");
}

}  // TEST_SUITE

TEST_SUITE("redis") {

TEST_CASE("redis broker: a connection lost in the middle of a command: the next one starts with that command, whole") {
    sluice::RedisSettings s;
    s.max_buffered_bytes = 64u << 20;
    Rig rig(s);
    rig.connect_both();
    // 2,000 publishes of 16 KiB (32 MB): far more than the socket buffers hold, so the
    // publisher stops in the middle of one while the fake reads nothing.
    constexpr int kCount = 2000;
    std::string payload(16 * 1024, 'f');
    for (int i = 0; i < kCount; ++i) {
        const std::string n = std::to_string(i);
        payload.replace(0, 6, std::string(6 - n.size(), '0') + n);
        rig.broker->publish("news", false, {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
    }
    std::this_thread::sleep_for(200ms);
    const int first_fd = rig.publisher->fd;
    ::shutdown(first_fd, SHUT_RDWR);   // lost, with bytes of a command half-sent
    rig.publisher.reset();
    REQUIRE(eventually([&] { return rig.broker->stats().disconnects >= 1; }));
    // The publisher's new connection (the subscriber's stays up).
    FakeConnection again(rig.fake.accept());
    REQUIRE(again.fd >= 0);
    int expected = -1;
    int received = 0;
    bool whole = true;
    while (auto cmd = again.command(2000ms)) {
        if (cmd->size() != 3 || (*cmd)[0] != "PUBLISH" || (*cmd)[2].size() != sluice::detail::kEnvelopeSize + payload.size()) {
            whole = false;
            break;
        }
        const int n = std::stoi((*cmd)[2].substr(sluice::detail::kEnvelopeSize, 6));
        if (expected < 0) expected = n;
        if (n != expected) {
            whole = false;
            break;
        }
        ++expected;
        ++received;
        if (expected == kCount) break;
    }
    CHECK(whole);
    CHECK(expected == kCount);
    // What the first connection carried whole is unconfirmed (no reply came): exactly the
    // publishes before the one the new connection starts with.
    const auto st = rig.broker->stats();
    CHECK(st.unconfirmed == static_cast<std::uint64_t>(kCount - received));
    CHECK(st.dropped == 0);
}

}  // TEST_SUITE

TEST_SUITE("redis") {

TEST_CASE("redis broker: a Redis that stops answering (PING unanswered for reply_timeout) is reconnected") {
    sluice::RedisSettings s;
    s.health_interval = 50ms;
    s.reply_timeout = 300ms;
    Rig rig(s);
    rig.connect_both();
    const auto ping = rig.publisher->command(2000ms);   // silent for health_interval: a PING
    REQUIRE(ping);
    CHECK(*ping == std::vector<std::string>{"PING"});
    // Never answered: both connections are dropped and made again.
    REQUIRE(eventually([&] { return rig.broker->stats().disconnects >= 2; }, 3000ms));
    CHECK_FALSE(rig.broker->stats().connected);
    FakeConnection again(rig.fake.accept());
    CHECK(again.fd >= 0);
}

}  // TEST_SUITE
