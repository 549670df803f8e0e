// app/detail/worker.cpp
#include "app/detail/worker.hpp"

#include <algorithm>
#include <cstring>

#include "app/detail/client_dialer.hpp"
#include "app/detail/connection.hpp"
#include "app/detail/publication.hpp"

namespace sluice::detail {

void ServerState::log(std::string_view line) {
    if (!log_fn) return;
    std::lock_guard<std::mutex> lock(log_mutex);
    log_fn(line);
}

void ServerState::begin_shutdown() {
    if (stopping.exchange(true)) return;
    std::lock_guard<std::mutex> lock(workers_mutex);
    for (auto& w : workers) {
        Worker* worker = w.get();
        if (worker == nullptr) continue;
        worker->reactor.post([worker] {
            Worker::Scope scope(*worker);
            worker->begin_shutdown();
        });
    }
}

Worker::Worker(ServerState& s, unsigned i)
    : state(s), settings(s.settings), index(i), pool(s.settings.output_block_size),
      access(s.settings), header_storage(s.settings.max_headers) {
    if (BrokerTopics* bt = s.broker_topics.get()) {
        topics.on_change = [bt](std::string_view topic, bool created) { created ? bt->opened(topic) : bt->closed(topic); };
    }
    shutdown_timer_.set_callback([this] {
        Scope scope(*this);
        const std::vector<Connection*> all = live_;
        for (Connection* c : all) c->destroy(1001, "shutdown timeout");
    });
}

Worker::~Worker() {
    for (Connection* c : live_) delete c;   // empty after close_all()
}

void Worker::close_all() {
    {
        Scope scope(*this);
        shutting_down = true;
        listener.close();
        const std::vector<Connection*> all = live_;
        for (Connection* c : all) c->destroy(1001, "server stopped");
    }
    reactor.cancel(shutdown_timer_);
}

std::uint64_t Worker::next_connection_id() {
    const std::uint64_t n = next_id_++;
    return n * std::max(1u, settings.threads) + index;
}

bool Worker::open_listener(std::uint16_t port, bool reuse_port) {
    net::ListenOptions options;
    options.host = settings.host;
    options.port = port;
    options.reuse_port = reuse_port;
    return listener.open(reactor, options, [this](int fd) {
        Scope scope(*this);
        accept(fd);
    });
}

void Worker::accept(int fd) {
    if (shutting_down || state.connections.load() >= settings.max_connections) {
        metrics.reject(shutting_down ? Rejection::shutting_down : Rejection::max_connections);
        net::close_fd(fd);   // over max_connections: refused at once, not queued
        return;
    }
    if (settings.max_connections_per_address > 0 &&
        !state.peers.admit(address_of(net::peer_address(fd)), settings.max_connections_per_address)) {
        metrics.reject(Rejection::per_address);
        net::close_fd(fd);   // closed before a byte is read, like max_connections (server.hpp says why)
        return;
    }
    state.connections.fetch_add(1);
    metrics.accepted.add();
    metrics.open(ConnectionKind::http);
    auto* c = new Connection(*this, fd, next_connection_id());
    c->live_index = static_cast<std::uint32_t>(live_.size());
    live_.push_back(c);
    c->start();
}

void Worker::mark_dirty(Connection* c) {
    if (c->in_dirty || c->dead()) return;
    c->in_dirty = true;
    dirty_.push_back(c);
}

void Worker::mark_progress(Connection* c) {
    if (c->in_progress || c->dead()) return;
    c->in_progress = true;
    progress_.push_back(c);
}

void Worker::bury(Connection* c) { graveyard_.push_back(c); }

void Worker::remove_live(Connection* c) {
    const std::size_t i = c->live_index;
    if (i >= live_.size() || live_[i] != c) return;
    live_[i] = live_.back();
    live_[i]->live_index = static_cast<std::uint32_t>(i);
    live_.pop_back();
}

void Worker::leave() {
    if (--depth_ > 0) return;
    ++depth_;
    // Bounded so one callback that keeps re-arming work cannot starve the loop; what is
    // left is picked up by the posted no-op's scope.
    // One batch of a list (swapped out first: the work may add to it), or false if it is empty.
    // The batch is a member swapped in and out, not a local: a local took the list's storage
    // away, so the next callback's push_back allocated again (a malloc and free per event).
    const auto run = [this](std::vector<Connection*>& list, auto&& fn) {
        if (list.empty()) return false;
        batch_.swap(list);
        for (Connection* c : batch_) fn(c);
        batch_.clear();
        return true;
    };
    for (int round = 0; round < 1000; ++round) {
        const bool more = run(progress_, [](Connection* c) {
            c->in_progress = false;
            if (!c->dead()) c->progress();
        }) || run(dirty_, [](Connection* c) {
            c->in_dirty = false;
            if (!c->dead()) c->flush();
        }) || run(graveyard_, [this](Connection* c) {
            remove_live(c);
            delete c;
        });
        if (!more) break;
    }
    if (settings.max_memory > 0) budget.check(*this);   // may shed: its flushes run in the posted scope
    if (!progress_.empty() || !dirty_.empty() || !graveyard_.empty()) {
        reactor.post([this] { Scope scope(*this); });
    }
    --depth_;
    finish_if_done();
}

void Worker::publish_local(std::string_view topic, proto::Opcode op, std::span<const std::uint8_t> payload,
                           std::uint64_t seq) {
    if (topics.subscriber_count(topic) == 0) return;
    // Encoded once (RFC 6455 §5.2 server frame: FIN, no mask), shared by every subscriber.
    std::uint8_t header[proto::kMaxFrameHeader];
    const std::size_t h = proto::encode_frame_header(header, op, true, payload.size());
    core::SharedBytes frame = core::SharedBytes::create(&pool, h + payload.size());
    if (!frame) return;
    std::memcpy(frame.writable().data(), header, h);
    if (!payload.empty()) std::memcpy(frame.writable().data() + h, payload.data(), payload.size());
    const std::size_t size = h + payload.size();
    // The other transports' forms (SSE, long-poll, id envelopes) are made on first need, the
    // compressed frame once per setting, not per subscriber.
    // Subscribers over max_backpressure are told after the walk (their handler may unsubscribe).
    Publication pub(pool, topic, op == proto::Opcode::text, payload, seq, state.histories.epoch_of(topic));
    PublishDeflate deflated(pool, deflate, state.compression, op, payload);
    std::vector<Connection*> missed;
    topics.for_each_subscription(topic, [&](Subscription& s) {
        auto* c = static_cast<Connection*>(s.subscriber);
        if (c->deliver(pub, deflated, s, frame, size, h) == SendResult::dropped) missed.push_back(c);
    });
    for (Connection* c : missed) c->missed_publish(topic);
}

void Worker::begin_shutdown() {
    if (shutting_down) return;
    shutting_down = true;
    listener.close();
    const std::vector<Connection*> all = live_;
    for (Connection* c : all) c->shutdown_gracefully();
    stop_clients();
    reactor.arm(shutdown_timer_, settings.shutdown_timeout);
}

void Worker::finish_if_done() {
    if (!shutting_down || stopped_ || !live_.empty()) return;
    stopped_ = true;
    reactor.cancel(shutdown_timer_);
    reactor.stop();
}

}  // namespace sluice::detail
