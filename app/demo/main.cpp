// The demo server: `make run ARGS="--host 127.0.0.1 --port 60000 --threads 2"`.
// Parses the flags, installs the demo applications (app/demo/demo.hpp) and runs until
// SIGINT/SIGTERM. Prints the address and the demo list, then one line per connection open
// and close.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/demo/demo.hpp"
#include "app/redis_broker.hpp"
#include "app/server.hpp"
#include "net/reactor.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: sluice-demo [--host 127.0.0.1] [--port 60000] [--threads 1] [--web-root app/web]\n"
    "                   [--heartbeat-ms 30000] [--quiet 1] [--set SETTING=VALUE]...\n"
    "                   [--backend automatic|epoll|io_uring|kqueue] [--trusted-proxies 127.0.0.1,::1]\n"
    "                   [--ring-sends 1|0]  (io_uring: sends through the ring, or writev)\n"
    "                   [--access-log on|off|N]\n"
    "  --access-log: a line per HTTP request and WebSocket session (on, the default here),\n"
    "  none (off), or 1 in N of them\n"
    "                   [--redis 127.0.0.1:6379] [--redis-prefix sluice:] [--redis-password P]\n"
    "  --redis joins the topics of every node sharing that Redis (README \"Across processes\")\n"
    "  --set takes a numeric setting of the README's table: a timeout in ms\n"
    "  (--set header_timeout=2000) or a size/count (--set max_connections=500)\n";

template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

// The numeric settings `--set NAME=VALUE` may change (the soak suite shortens timeouts).
bool apply_setting(sluice::Server& server, std::string_view name, std::string_view value) {
    using Ms = std::chrono::milliseconds;
    using TimeoutSetter = sluice::Server& (sluice::Server::*)(Ms);
    using SizeSetter = sluice::Server& (sluice::Server::*)(std::size_t);
    static const std::pair<std::string_view, TimeoutSetter> timeouts[] = {
        {"idle_timeout", &sluice::Server::idle_timeout},
        {"handshake_timeout", &sluice::Server::handshake_timeout},
        {"header_timeout", &sluice::Server::header_timeout},
        {"body_timeout", &sluice::Server::body_timeout},
        {"response_timeout", &sluice::Server::response_timeout},
        {"close_timeout", &sluice::Server::close_timeout},
        {"message_timeout", &sluice::Server::message_timeout},
        {"backpressure_timeout", &sluice::Server::backpressure_timeout},
        {"shutdown_timeout", &sluice::Server::shutdown_timeout},
        {"ping_interval", &sluice::Server::ping_interval},
        {"pong_timeout", &sluice::Server::pong_timeout},
        {"sse_heartbeat", &sluice::Server::sse_heartbeat},
        {"poll_timeout", &sluice::Server::poll_timeout}};
    static const std::pair<std::string_view, SizeSetter> sizes[] = {
        {"http_buffer_size", &sluice::Server::http_buffer_size},
        {"max_request_line", &sluice::Server::max_request_line},
        {"max_body_size", &sluice::Server::max_body_size},
        {"max_message_size", &sluice::Server::max_message_size},
        {"max_backpressure", &sluice::Server::max_backpressure},
        {"max_memory", &sluice::Server::max_memory},
        {"max_connections", &sluice::Server::max_connections},
        {"max_connections_per_address", &sluice::Server::max_connections_per_address},
        {"max_frame_size", &sluice::Server::max_frame_size},
        {"max_headers", &sluice::Server::max_headers}};
    long long number = 0;
    if (!parse_number(value, number) || number < 0) return false;
    for (const auto& [setting, set] : timeouts) {
        if (setting != name) continue;
        (server.*set)(Ms(number));
        return true;
    }
    for (const auto& [setting, set] : sizes) {
        if (setting != name) continue;
        (server.*set)(static_cast<std::size_t>(number));
        return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    std::uint16_t port = 60000;
    unsigned threads = 1;
    long long heartbeat_ms = 30'000;
    bool quiet = false;
    auto access_log = sluice::Settings::AccessLog::on;   // the demo shows what a production server logs
    unsigned access_sample = 100;
    std::vector<std::pair<std::string, std::string>> settings;  // --set, applied after the defaults
    std::string redis_address;
    sluice::RedisSettings redis_settings;
    std::vector<std::string> trusted_proxies;                      // --trusted-proxies, comma-separated
    sluice::demo::DemoOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (i + 1 >= argc) {
            std::cerr << "sluice-demo: " << flag << " needs a value\n" << kUsage;
            return 2;
        }
        const std::string_view value = argv[++i];
        bool ok = true;
        if (flag == "--host") {
            host = value;
        } else if (flag == "--port") {
            ok = parse_number(value, port);
        } else if (flag == "--threads") {
            ok = parse_number(value, threads) && threads > 0;
        } else if (flag == "--web-root") {
            options.web_root = value;
        } else if (flag == "--heartbeat-ms") {
            ok = parse_number(value, heartbeat_ms) && heartbeat_ms > 0;
        } else if (flag == "--backend") {
            sluice::net::Backend backend;
            ok = sluice::net::backend_from_name(value, backend);  // every reactor made from now on
            if (ok) sluice::net::Reactor::set_default_backend(backend);
        } else if (flag == "--ring-sends") {
            ok = value == "0" || value == "1";
            if (ok) sluice::net::Reactor::set_ring_sends_allowed(value == "1");
        } else if (flag == "--access-log") {
            unsigned n = 0;
            ok = value == "on" || value == "off" || (parse_number(value, n) && n > 0);
            access_log = value == "on" ? sluice::Settings::AccessLog::on
                         : value == "off" ? sluice::Settings::AccessLog::off
                                          : sluice::Settings::AccessLog::sampled;
            if (n > 0) access_sample = n;
        } else if (flag == "--quiet") {
            quiet = value == "1";  // no line per connection (load and soak runs)
            ok = value == "0" || value == "1";
        } else if (flag == "--redis") {
            ok = sluice::parse_redis_address(value, redis_settings);
            redis_address = value;
        } else if (flag == "--redis-password") {
            redis_settings.password = value;
        } else if (flag == "--redis-prefix") {
            redis_settings.prefix = value;
        } else if (flag == "--trusted-proxies") {   // behind nginx (test/proxy): whose X-Forwarded-For counts
            for (std::size_t at = 0; at <= value.size();) {
                const std::size_t comma = std::min(value.find(',', at), value.size());
                if (comma > at) trusted_proxies.emplace_back(value.substr(at, comma - at));
                at = comma + 1;
            }
        } else if (flag == "--set") {
            const std::size_t eq = value.find('=');
            ok = eq != std::string_view::npos;
            if (ok) settings.emplace_back(value.substr(0, eq), value.substr(eq + 1));
        } else {
            std::cerr << "sluice-demo: unknown flag " << flag << "\n" << kUsage;
            return 2;
        }
        if (!ok) {
            std::cerr << "sluice-demo: bad value for " << flag << ": " << value << "\n" << kUsage;
            return 2;
        }
    }
    options.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);

    // Declared before the server: the server stops it, and it outlives the server's routes.
    std::shared_ptr<sluice::RedisBroker> redis;
    // The demos whose state is only their topic's messages span nodes; /game and /collab keep
    // a board and a document per process, so their topics stay local.
    redis_settings.topics = {"chat", "trading", "broadcast", "fanout"};
    if (!redis_address.empty()) redis = std::make_shared<sluice::RedisBroker>(redis_settings);
    options.redis = redis;
    sluice::Server server;
    if (redis) server.broker(redis);
    server.host(host).port(port).threads(threads).nodelay(true).linger(false).trusted_proxies(trusted_proxies);
    server.access_log(access_log).access_log_sample(access_sample);
    std::mutex log_mutex;
    for (const auto& [name, value] : settings) {
        if (!apply_setting(server, name, value)) {
            std::cerr << "sluice-demo: --set " << name << "=" << value << ": not a numeric setting or a bad value\n"
                      << kUsage;
            return 2;
        }
    }
    server.connection_log(!quiet);   // quiet: the lines per connection are not even made
    server.on_log([&log_mutex, quiet](std::string_view line) {
        if (quiet && line.rfind("access ", 0) == 0) return;
        std::lock_guard lock(log_mutex);
        std::cout << line << '\n' << std::flush;
    });
    sluice::demo::install(server, options);
    if (const std::string problem = server.validate(); !problem.empty()) {
        std::cerr << "sluice-demo: " << problem << "\n";
        return 2;
    }
    const std::string base = "http://" + host + ":" + std::to_string(port);
    {
        std::lock_guard lock(log_mutex);
        std::cout << "sluice demo on " << base << "  (threads " << threads << ", pages from " << options.web_root
                  << ")\n";
        if (redis) std::cout << "topics joined through Redis at " << redis_address << " as node " << redis->node_id() << "\n";
        for (const auto& d : sluice::demo::demo_list()) {
            std::cout << "  " << base << d.path << std::string(d.path.size() < 12 ? 12 - d.path.size() : 1, ' ')
                      << d.description << "\n";
        }
        std::cout << "Ctrl-C stops it (graceful: close 1001 to every WebSocket).\n" << std::flush;
    }
    return server.run();
}
