// app/detail/worker.hpp — one server thread (a Worker), and what all threads share (ServerState).
// Internal to app/.
//
//   ServerState (read-only once started: settings, router, routes; atomics; the log lock)
//     ├── Worker 0: Reactor, Listener, BlockPool, AssemblyCache, TopicRegistry, its Connections
//     ├── Worker 1: ...                          (threads(n): n workers, shared nothing)
//     └── ...
//
// Every entry into a worker's code (an fd event, a timer, posted work) runs inside a
// Worker::Scope. When the outermost scope ends, the worker writes out every connection
// that queued bytes during the callback (one writev each: the writes of one iteration are
// gathered), resumes HTTP exchanges that finished, and deletes connections that died.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/broker.hpp"
#include "app/detail/access_log.hpp"
#include "app/detail/assembly_cache.hpp"
#include "app/detail/connection_active.hpp"
#include "app/detail/broker_delivery.hpp"
#include "app/detail/broker_topics.hpp"
#include "app/detail/handler_adapter.hpp"
#include "app/detail/memory_budget.hpp"
#include "app/detail/metrics.hpp"
#include "app/detail/peer_limit.hpp"
#include "app/detail/topic_history.hpp"
#include "app/detail/topics.hpp"
#include "app/detail/ws_compression.hpp"
#include "app/router.hpp"
#include "app/settings.hpp"
#include "app/trusted_proxies.hpp"
#include "core/block_pool.hpp"
#include "net/reactor.hpp"
#include "net/socket.hpp"
#include "proto/http_fields.hpp"
#include "proto/http_writer.hpp"
#include "proto/ws_frame.hpp"

namespace sluice {
class Server;
}

namespace sluice::detail {

class Connection;

class Worker;
class ClientDialer;       // app/detail/client_dialer.hpp: one Server::connect()
struct ClientSpec;

// The worker whose loop runs on this thread, or null (app/server.cpp keeps it).
Worker* current_worker() noexcept;

class ServerState {  // Owns the workers and their threads; shared by them read-only after start.
 public:
    explicit ServerState(Server& s) : server(s) {}
    Server& server;
    Settings settings;
    Router router;
    std::vector<std::unique_ptr<RouteTarget>> targets;
    CompressionTable compression;                   // permessage-deflate per route (ws_compression.hpp)
    std::vector<std::string_view> origin_views;
    TopicHistories histories;   // made at start; read-only while running (each history has its mutex)
    TrustedProxies trusted_proxies;                 // parsed from settings.trusted_proxies
    std::function<void(std::string_view)> log_fn;
    std::mutex log_mutex;
    std::shared_ptr<Broker> broker;                  // null: topics stop at this process
    std::unique_ptr<BrokerTopics> broker_topics;     // with a broker: topics counted across threads
    std::unique_ptr<BrokerDelivery> broker_delivery; // with a broker: what it received, to worker 0

    std::mutex workers_mutex;                       // guards the entries: a thread resets its own at exit
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<std::thread> threads;
    std::atomic<std::size_t> connections{0};
    ServerMetrics metrics;                  // what no one worker counts (publishes)
    PeerLimit peers;                        // max_connections_per_address (when set)
    std::atomic<std::int64_t> memory_held{0};   // max_memory: every worker's MemoryBudget adds its share
    std::atomic<bool> running{false};
    std::atomic<bool> stopping{false};
    std::atomic<unsigned> workers_done{0};
    std::uint16_t port = 0;
    std::string last_error;
    int signals_seen = 0;
    bool run_mode = false;                  // run(): the calling thread runs worker 0 and joins
    std::vector<std::string> route_errors;  // reported by validate()
    // Outgoing connections (app/client.hpp): connect() calls not yet started, and those alive
    // (resolving, connected or waiting to reconnect); a client-only loop ends at zero.
    std::vector<std::shared_ptr<ClientSpec>> pending_clients;   // guarded by workers_mutex
    std::atomic<std::size_t> clients{0};
    bool clients_only = false;              // ClientLoop: no listener

    void log(std::string_view line);
    // A line is made only if someone reads it: the accept -> 101 path allocates for no string.
    bool logging() const noexcept { return static_cast<bool>(log_fn); }
    // The same for the lines per connection (open, upgrade, close), which may be turned off.
    bool logging_connections() const noexcept { return settings.connection_log && logging(); }
    void begin_shutdown();   // any thread
};

class Worker {  // Owns its reactor, listener, pool, topics and connections. One thread.
 public:
    Worker(ServerState& state, unsigned index);
    ~Worker();

    ServerState& state;
    const Settings& settings;
    unsigned index;
    net::Reactor reactor;
    net::Listener listener;
    core::BlockPool pool;
    ActivePool active_pool;   // connections' busy state (connection_active.hpp): outlives them
    AssemblyCache assembly;   // lent to every WsSession: before the connections, outlives them
    TopicRegistry topics;
    DeflateScratch deflate;   // permessage-deflate codecs and buffers of this thread
    proto::DateCache dates;
    Metrics metrics;          // this thread's counters (metrics.hpp); summed at scrape time
    AccessLog access;         // which requests and sessions get an access-log line (access_log.hpp)
    MemoryBudget budget;      // max_memory (memory_budget.hpp)
    std::vector<proto::HttpHeader> header_storage;   // parse-time only, shared by connections (max_headers)
    bool shutting_down = false;

    struct Scope {   // see the file comment
        explicit Scope(Worker& w) noexcept : worker(w) { ++worker.depth_; }
        ~Scope() { worker.leave(); }
        Worker& worker;
    };

    bool open_listener(std::uint16_t port, bool reuse_port);
    void accept(int fd);
    void mark_dirty(Connection* c);
    void mark_progress(Connection* c);
    void bury(Connection* c);   // c is dead: delete it when the stack unwinds
    // `seq`: the message's number in its topic's history (0: the topic has none).
    void publish_local(std::string_view topic, proto::Opcode op, std::span<const std::uint8_t> payload,
                       std::uint64_t seq = 0);
    void begin_shutdown();
    void finish_if_done();
    void close_all();   // loop thread, after the loop ended: every connection closed now
    std::size_t live() const noexcept { return live_.size(); }
    std::uint64_t next_connection_id();
    const std::vector<Connection*>& connections() const noexcept { return live_; }
    // Outgoing connections (defined in client_dialer.cpp).
    std::vector<std::unique_ptr<ClientDialer>> clients;   // owned; each outlives its connection
    void start_client(const std::shared_ptr<ClientSpec>& spec);
    void stop_clients();   // shutting down: no further attempt
    Connection* add_client_connection(int fd, ClientDialer& dialer);
    void forget_client(ClientDialer* dialer);   // deleted once off the stack

 private:
    void leave();
    void remove_live(Connection* c);

    int depth_ = 0;
    std::vector<Connection*> live_;       // owned
    std::vector<Connection*> dirty_;
    std::vector<Connection*> progress_;
    std::vector<Connection*> graveyard_;
    std::vector<Connection*> batch_;      // leave()'s work list, swapped with the above: keeps their capacity
    net::Timer shutdown_timer_;
    bool stopped_ = false;
    std::uint64_t next_id_ = 1;
};

}  // namespace sluice::detail
