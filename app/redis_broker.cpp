// app/redis_broker.cpp — the broker thread: two RedisLinks, the topics Redis must send us,
// the hand-off from the server threads (an inbox under one lock), the election.
#include "app/redis_broker.hpp"

#include <atomic>
#include <charconv>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "app/detail/broker_envelope.hpp"
#include "app/detail/redis_link.hpp"
#include "net/reactor.hpp"
#include "proto/resp_encoder.hpp"

namespace sluice {

namespace {

// What a publisher reply answers (RedisLink::Tag).
constexpr detail::RedisLink::Tag kPublishTag = 1;
constexpr detail::RedisLink::Tag kElectTag = 2;
constexpr detail::RedisLink::Tag kRenewTag = 3;

constexpr std::size_t kSubscribeBatch = 256;   // channels per SUBSCRIBE when resubscribing

// Extends the lease only if the key still names this node (another may hold it by now).
constexpr std::string_view kRenewScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

std::uint64_t random_node_id() {
    std::random_device device;
    std::seed_seq seed{device(), device(), static_cast<unsigned>(::getpid()),
                       static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count())};
    std::mt19937_64 generator(seed);
    return generator();
}

bool is_node_id(std::string_view s) {
    if (s.size() != 16) return false;
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace

bool parse_redis_address(std::string_view text, RedisSettings& settings) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
    std::string_view host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.back() != ']' || host.size() < 3) return false;
        host = host.substr(1, host.size() - 2);
    }
    const std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port == 0 || port > 65535) return false;
    settings.host = std::string(host);
    settings.port = static_cast<std::uint16_t>(port);
    return true;
}

struct RedisBroker::Core {
    explicit Core(const RedisSettings& s) : settings(s) {}

    const RedisSettings& settings;
    std::string node;
    Deliver deliver;
    Log log;
    std::function<void(bool, std::string_view)> on_state;
    std::string elect_key;
    std::chrono::milliseconds elect_ttl{0};
    std::function<void(bool)> on_leading;

    // ---- shared with the server threads, under inbox_mutex ----
    std::mutex inbox_mutex;
    std::unique_ptr<net::Reactor> reactor;          // null before start() and after the thread ends
    std::string inbox;                              // encoded PUBLISH commands
    std::vector<std::uint32_t> inbox_sizes;         // each command's bytes
    std::vector<std::pair<bool, std::string>> topic_changes;   // (subscribe?, topic), in order
    bool drain_posted = false;
    std::size_t link_unsent = 0;                    // the publisher's unsent bytes (the loop writes it)
    std::size_t link_unsent_commands = 0;
    std::thread thread;

    // ---- counters (any thread reads) ----
    std::atomic<bool> connected{false};
    std::atomic<std::uint64_t> connects{0}, disconnects{0}, published{0}, received{0}, own_echoes{0}, dropped{0},
        errors{0}, topics{0}, resubscribed{0}, unconfirmed{0};

    // ---- the broker thread only ----
    std::unique_ptr<detail::RedisLink> publisher;
    std::unique_ptr<detail::RedisLink> subscriber;
    std::unordered_set<std::string> wanted;         // topics with a local subscriber somewhere
    bool subscriber_connected_before = false;
    int reported_connected = -1;                    // -1: nothing reported yet
    net::Timer elect_timer;
    bool leading = false;
    bool elect_in_flight = false;
    net::TimePoint elect_sent{};
    net::TimePoint lease_until{};
    std::uint64_t error_lines = 0;

    void run_loop();
    void say(std::string line) const {
        if (log) log(line);
    }
    void drain();
    void note_unsent() {
        std::lock_guard lock(inbox_mutex);
        link_unsent = publisher->unsent_bytes();
        link_unsent_commands = publisher->unsent_commands();
    }
    void report_state(std::string_view why);
    void subscribe_all();
    void send_subscription(std::string_view command, std::string_view topic);
    void on_message(std::span<const proto::RespValue> reply);
    void on_publisher_reply(std::span<const proto::RespValue> reply, detail::RedisLink::Tag tag);
    void count_error(std::string_view where, std::string_view message);
    void elect_tick();
    void set_leading(bool on);
};

RedisBroker::RedisBroker(RedisSettings settings) : settings_(std::move(settings)), core_(std::make_unique<Core>(settings_)) {
    core_->node = settings_.node_id.empty() ? detail::node_id_text(random_node_id()) : settings_.node_id;
}

RedisBroker::~RedisBroker() { stop(); }

void RedisBroker::on_state(std::function<void(bool connected, std::string_view why)> fn) { core_->on_state = std::move(fn); }

void RedisBroker::elect(std::string key, std::chrono::milliseconds ttl, std::function<void(bool leading)> on_change) {
    core_->elect_key = std::move(key);
    core_->elect_ttl = ttl;
    core_->on_leading = std::move(on_change);
}

const std::string& RedisBroker::node_id() const noexcept { return core_->node; }

std::string RedisBroker::validate() const {
    const RedisSettings& s = settings_;
    if (s.host.empty()) return "redis host must not be empty";
    if (s.port == 0) return "redis port must not be 0";
    if (!s.username.empty() && s.password.empty()) return "redis username needs a password";
    if (!s.node_id.empty() && !is_node_id(s.node_id)) return "redis node_id must be 16 lower-case hex digits";
    if (s.max_buffered_bytes == 0) return "redis max_buffered_bytes must be greater than 0";
    if (s.retry_min.count() <= 0 || s.retry_max < s.retry_min) return "redis retry_min must be > 0 and <= retry_max";
    if (s.connect_timeout.count() <= 0 || s.health_interval.count() <= 0 || s.reply_timeout.count() <= 0)
        return "redis connect_timeout, health_interval and reply_timeout must be greater than 0 ms";
    if (!core_->elect_key.empty() && core_->elect_ttl.count() < 30) return "redis election ttl must be at least 30 ms";
    return {};
}

bool RedisBroker::start(Deliver deliver, Log log) {
    Core& c = *core_;
    std::lock_guard lock(c.inbox_mutex);
    if (c.reactor || c.thread.joinable()) return false;
    c.deliver = std::move(deliver);
    c.log = std::move(log);
    c.reactor = std::make_unique<net::Reactor>();
    if (!c.reactor->valid()) {
        c.reactor.reset();
        return false;
    }
    // The thread starts with every signal blocked (it inherits the mask): SIGINT/SIGTERM are
    // the server's (its signalfd reads them), and a thread that left them open would be the
    // one the kernel picks to die of them.
    sigset_t all;
    sigset_t before;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before);
    c.thread = std::thread([&c] { c.run_loop(); });
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    return true;
}

void RedisBroker::stop() {
    Core& c = *core_;
    {
        std::lock_guard lock(c.inbox_mutex);
        if (c.reactor) c.reactor->stop_from_any_thread();
    }
    if (c.thread.joinable()) c.thread.join();
}

bool RedisBroker::spans(std::string_view topic) const noexcept {
    if (settings_.topics.empty()) return true;
    for (const auto& t : settings_.topics) {
        if (t == topic) return true;
    }
    return false;
}

void RedisBroker::subscribe(std::string_view topic) {
    if (!spans(topic)) return;
    Core& c = *core_;
    std::lock_guard lock(c.inbox_mutex);
    c.topic_changes.emplace_back(true, std::string(topic));
    if (c.reactor && !c.drain_posted) {
        c.drain_posted = true;
        c.reactor->post([&c] { c.drain(); });
    }
}

void RedisBroker::unsubscribe(std::string_view topic) {
    if (!spans(topic)) return;
    Core& c = *core_;
    std::lock_guard lock(c.inbox_mutex);
    c.topic_changes.emplace_back(false, std::string(topic));
    if (c.reactor && !c.drain_posted) {
        c.drain_posted = true;
        c.reactor->post([&c] { c.drain(); });
    }
}

void RedisBroker::publish(std::string_view topic, bool text, std::span<const std::uint8_t> payload) {
    if (!spans(topic)) return;
    Core& c = *core_;
    // Encoded here, on the publisher's thread, so the broker thread only moves bytes.
    thread_local std::string channel;
    thread_local std::string body;   // the envelope, then the payload
    channel.assign(settings_.prefix).append(topic);
    body.resize(detail::kEnvelopeSize);
    detail::write_envelope(std::span<char, detail::kEnvelopeSize>(body.data(), detail::kEnvelopeSize), c.node, text);
    body.append(reinterpret_cast<const char*>(payload.data()), payload.size());
    const std::string_view args[] = {"PUBLISH", channel, body};
    const std::size_t size = proto::resp_command_size(args);
    std::lock_guard lock(c.inbox_mutex);
    if (!c.reactor) return;
    if (c.inbox.size() + c.link_unsent + size > settings_.max_buffered_bytes) {
        c.dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const std::size_t at = c.inbox.size();
    c.inbox.resize(at + size);
    proto::encode_resp_command(args, {reinterpret_cast<std::uint8_t*>(c.inbox.data() + at), size});
    c.inbox_sizes.push_back(static_cast<std::uint32_t>(size));
    if (!c.drain_posted) {
        c.drain_posted = true;
        c.reactor->post([&c] { c.drain(); });
    }
}

BrokerStats RedisBroker::stats() const {
    Core& c = *core_;
    BrokerStats s;
    s.connected = c.connected.load();
    s.connects = c.connects.load();
    s.disconnects = c.disconnects.load();
    s.published = c.published.load();
    s.received = c.received.load();
    s.own_echoes = c.own_echoes.load();
    s.dropped = c.dropped.load();
    s.unconfirmed = c.unconfirmed.load();
    s.errors = c.errors.load();
    s.topics = c.topics.load();
    s.resubscribed = c.resubscribed.load();
    {
        std::lock_guard lock(c.inbox_mutex);
        s.buffered = c.inbox_sizes.size() + c.link_unsent_commands;
        s.buffered_bytes = c.inbox.size() + c.link_unsent;
    }
    return s;
}

// ---- the broker thread ----

void RedisBroker::Core::run_loop() {
    const std::string where = settings.host + ":" + std::to_string(settings.port);
    detail::RedisLinkOptions options;
    options.host = settings.host;
    options.port = settings.port;
    options.connect_timeout = settings.connect_timeout;
    options.retry_min = settings.retry_min;
    options.retry_max = settings.retry_max;
    options.health_interval = settings.health_interval;
    options.reply_timeout = settings.reply_timeout;
    options.username = settings.username;
    options.password = settings.password;
    const auto down = [this, where](std::string_view name) {
        return [this, where, name](std::string_view why, std::chrono::milliseconds retry) {
            disconnects.fetch_add(1);
            unconfirmed.store(publisher ? publisher->unconfirmed() : 0);
            say("redis " + std::string(name) + ": " + std::string(why) + " (" + where + "); retrying in " +
                std::to_string(retry.count()) + " ms");
            if (name == "publisher") {
                elect_in_flight = false;   // its reply will not come
                note_unsent();
            }
            report_state(why);
        };
    };
    options.name = "publisher";
    publisher = std::make_unique<detail::RedisLink>(
        *reactor, options, true,
        detail::RedisLink::Events{
            .on_ready = [this, where] {
                connects.fetch_add(1);
                say("redis publisher: connected to " + where);
                report_state("");
            },
            .on_reply = [this](std::span<const proto::RespValue> r, detail::RedisLink::Tag t) { on_publisher_reply(r, t); },
            .on_down = down("publisher")});
    options.name = "subscriber";
    subscriber = std::make_unique<detail::RedisLink>(
        *reactor, options, false,
        detail::RedisLink::Events{
            .on_ready = [this, where] {
                connects.fetch_add(1);
                const bool again = subscriber_connected_before;
                subscriber_connected_before = true;
                subscribe_all();
                if (again) resubscribed.fetch_add(wanted.size());
                say("redis subscriber: connected to " + where + (again ? ", subscribed again to " : ", subscribed to ") +
                    std::to_string(wanted.size()) + " topics");
                report_state("");
            },
            .on_reply = [this](std::span<const proto::RespValue> r, detail::RedisLink::Tag) { on_message(r); },
            .on_down = down("subscriber")});
    wanted.clear();   // a restarted broker starts from the topics the server reports again
    // Binds the reactor to this thread; it may run a drain() posted before: the links exist.
    reactor->run_once(std::chrono::milliseconds(0));
    say("redis: node " + node + ", channels " + settings.prefix + "<topic>, connecting to " + where);
    publisher->start();
    subscriber->start();
    if (!elect_key.empty()) {
        elect_timer.set_callback([this] { elect_tick(); });
        elect_tick();
    }
    drain();          // anything queued before the thread ran
    reactor->run();
    reactor->cancel(elect_timer);
    set_leading(false);   // a stopped node generates nothing (the key expires within its ttl)
    publisher.reset();
    subscriber.reset();
    connected = false;
    std::lock_guard lock(inbox_mutex);
    reactor.reset();   // destroyed on its own thread; later publishes find no reactor
}

void RedisBroker::Core::drain() {
    std::vector<std::pair<bool, std::string>> changes;
    {
        std::lock_guard lock(inbox_mutex);
        drain_posted = false;
        changes.swap(topic_changes);
        if (!inbox.empty()) {
            publisher->append(inbox, inbox_sizes, kPublishTag);
            inbox.clear();
            inbox_sizes.clear();
        }
    }
    for (auto& [add, topic] : changes) {
        if (add) {
            if (!wanted.insert(topic).second) continue;
            send_subscription("SUBSCRIBE", topic);
        } else {
            if (wanted.erase(topic) == 0) continue;
            send_subscription("UNSUBSCRIBE", topic);
        }
    }
    topics.store(wanted.size());
    publisher->flush();
    note_unsent();
}

void RedisBroker::Core::send_subscription(std::string_view command, std::string_view topic) {
    if (!subscriber->ready()) return;   // subscribe_all() sends every wanted topic on connect
    const std::string channel = settings.prefix + std::string(topic);
    const std::string_view args[] = {command, channel};
    subscriber->send(args, 0);
}

void RedisBroker::Core::subscribe_all() {
    std::vector<std::string> channels;
    channels.reserve(wanted.size());
    for (const auto& t : wanted) channels.push_back(settings.prefix + t);
    for (std::size_t i = 0; i < channels.size(); i += kSubscribeBatch) {
        std::vector<std::string_view> args{"SUBSCRIBE"};
        for (std::size_t j = i; j < std::min(channels.size(), i + kSubscribeBatch); ++j) args.push_back(channels[j]);
        subscriber->send(args, 0);
    }
}

void RedisBroker::Core::report_state(std::string_view why) {
    const bool now = publisher && subscriber && publisher->ready() && subscriber->ready();
    connected = now;
    if (!now && why.empty()) return;   // one connection is ready, the other not yet: no news
    if (static_cast<int>(now) == reported_connected) return;
    reported_connected = now;
    say(now ? "redis: connected (publishing and subscribing)" : "redis: disconnected: " + std::string(why) +
                                                                  "; local delivery goes on, publishes are buffered");
    if (on_state) on_state(now, why);
}

void RedisBroker::Core::count_error(std::string_view where, std::string_view message) {
    errors.fetch_add(1);
    // The first few in full; then one line per thousand (an error per publish would flood).
    if (++error_lines <= 5 || error_lines % 1000 == 0)
        say("redis " + std::string(where) + ": error reply: " + std::string(message) + " (" +
            std::to_string(error_lines) + " so far)");
}

void RedisBroker::Core::on_message(std::span<const proto::RespValue> reply) {
    const proto::RespValue& head = reply[0];
    if (head.type == proto::RespType::error) {
        count_error("subscriber", head.text);
        return;
    }
    if ((head.type != proto::RespType::array && head.type != proto::RespType::push) || head.integer < 3) return;
    const std::string_view kind = reply[1].text;
    if (kind != "message" || reply[3].type != proto::RespType::bulk_string) return;   // subscribe, pong, ...
    std::string_view channel = reply[2].text;
    if (channel.substr(0, settings.prefix.size()) != settings.prefix) return;
    channel.remove_prefix(settings.prefix.size());
    const std::string_view body = reply[3].text;
    const detail::Envelope e = detail::read_envelope({reinterpret_cast<const std::uint8_t*>(body.data()), body.size()});
    if (e.node == node) {
        own_echoes.fetch_add(1, std::memory_order_relaxed);   // delivered locally when published
        return;
    }
    received.fetch_add(1, std::memory_order_relaxed);
    if (deliver) deliver(channel, e.text, e.payload);
}

void RedisBroker::Core::on_publisher_reply(std::span<const proto::RespValue> reply, detail::RedisLink::Tag tag) {
    const proto::RespValue& v = reply[0];
    if (tag == kPublishTag) {
        if (v.type == proto::RespType::error) count_error("publisher", v.text); else published.fetch_add(1, std::memory_order_relaxed);
        note_unsent();
        return;
    }
    elect_in_flight = false;
    if (v.type == proto::RespType::error) {
        count_error("election", v.text);
        return;
    }
    if (tag == kElectTag && v.type == proto::RespType::simple_string) {   // +OK: the key was free
        lease_until = elect_sent + elect_ttl;
        set_leading(true);
    } else if (tag == kRenewTag) {
        if (v.type == proto::RespType::integer && v.integer == 1) lease_until = elect_sent + elect_ttl;
        else set_leading(false);
    }
}

void RedisBroker::Core::elect_tick() {
    reactor->arm(elect_timer, elect_ttl / 3);
    if (leading && reactor->now() >= lease_until) set_leading(false);   // unrenewed for a whole ttl
    if (elect_in_flight || !publisher->ready()) return;
    const std::string ttl = std::to_string(elect_ttl.count());
    elect_in_flight = true;
    elect_sent = reactor->now();
    if (leading) {
        const std::string_view args[] = {"EVAL", kRenewScript, "1", elect_key, node, ttl};
        publisher->send(args, kRenewTag);
    } else {
        const std::string_view args[] = {"SET", elect_key, node, "NX", "PX", ttl};
        publisher->send(args, kElectTag);
    }
}

void RedisBroker::Core::set_leading(bool on) {
    if (leading == on) return;
    leading = on;
    say(on ? "redis: this node leads " + elect_key : "redis: this node no longer leads " + elect_key);
    if (on_leading) on_leading(on);
}

}  // namespace sluice
