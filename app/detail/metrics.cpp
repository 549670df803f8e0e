// app/detail/metrics.cpp — the Prometheus text exposition, version 0.0.4: for each metric a
// "# HELP name text" line, a "# TYPE name counter|gauge" line, then its samples
// `name{label="value"} number`, one a line, ending in "\n".
#include "app/detail/metrics.hpp"

#include <string_view>

namespace sluice::detail {

void Metrics::handshake(int status) noexcept {
    std::size_t i = 0;
    while (i < kHandshakeStatuses.size() && kHandshakeStatuses[i] != status) ++i;
    handshakes[i].add();
}

void Metrics::ws_close(std::uint16_t code) noexcept {
    std::size_t i = 0;
    while (i < kCloseCodes.size() && kCloseCodes[i] != code) ++i;
    closes[i].add();
}

namespace {

constexpr std::array<std::string_view, kConnectionKinds> kKindNames = {"http", "websocket", "sse", "long_poll"};
constexpr std::array<std::string_view, kRejections> kRejectionNames = {"max_connections", "per_address",
                                                                       "shutting_down"};

// Sums one counter over every worker: `pick` returns that worker's counter.
template <class Pick>
std::uint64_t summed(std::span<const Metrics* const> workers, Pick&& pick) {
    std::uint64_t total = 0;
    for (const Metrics* m : workers) total += pick(*m).get();
    return total;
}

class Exposition {  // Builds the text, one metric family at a time.
 public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
        out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    }
    void sample(std::string_view name, std::uint64_t value) { sample(name, {}, {}, value); }
    void sample(std::string_view name, std::string_view label, std::string_view label_value, std::uint64_t value) {
        out_.append(name);
        if (!label.empty()) out_.append("{").append(label).append("=\"").append(label_value).append("\"}");
        out_.append(" ").append(std::to_string(value)).append("\n");
    }
    std::string take() { return std::move(out_); }

 private:
    std::string out_;
};

}  // namespace

std::string render_metrics(std::span<const Metrics* const> w, const ServerMetrics& server) {
    Exposition e;
    e.family("sluice_connections_open", "gauge", "Connections open now, by what they serve.");
    for (std::size_t k = 0; k < kConnectionKinds; ++k) {
        const std::uint64_t opened = summed(w, [k](const Metrics& m) -> const Counter& { return m.opened[k]; });
        const std::uint64_t closed = summed(w, [k](const Metrics& m) -> const Counter& { return m.closed[k]; });
        e.sample("sluice_connections_open", "kind", kKindNames[k], opened >= closed ? opened - closed : 0);
    }
    e.family("sluice_connections_accepted_total", "counter", "Connections accepted and served.");
    e.sample("sluice_connections_accepted_total", summed(w, [](const Metrics& m) -> const Counter& { return m.accepted; }));
    e.family("sluice_connections_rejected_total", "counter", "Connections closed at once on accept, by reason.");
    for (std::size_t r = 0; r < kRejections; ++r) {
        e.sample("sluice_connections_rejected_total", "reason", kRejectionNames[r],
                 summed(w, [r](const Metrics& m) -> const Counter& { return m.rejected[r]; }));
    }
    e.family("sluice_ws_handshakes_total", "counter", "WebSocket upgrade requests answered, by status (101 = accepted).");
    for (std::size_t i = 0; i <= kHandshakeStatuses.size(); ++i) {
        const std::string status = i < kHandshakeStatuses.size() ? std::to_string(kHandshakeStatuses[i]) : "other";
        e.sample("sluice_ws_handshakes_total", "status", status,
                 summed(w, [i](const Metrics& m) -> const Counter& { return m.handshakes[i]; }));
    }
    e.family("sluice_http_responses_total", "counter", "HTTP responses begun, by status class.");
    for (std::size_t c = 0; c < 5; ++c) {
        const std::string cls = std::to_string(c + 1) + "xx";
        e.sample("sluice_http_responses_total", "class", cls,
                 summed(w, [c](const Metrics& m) -> const Counter& { return m.http_responses[c]; }));
    }
    const auto counter = [&](std::string_view name, std::string_view help, const Counter Metrics::*member) {
        e.family(name, "counter", help);
        e.sample(name, summed(w, [member](const Metrics& m) -> const Counter& { return m.*member; }));
    };
    counter("sluice_ws_messages_received_total", "WebSocket messages received whole.", &Metrics::messages_in);
    counter("sluice_ws_messages_sent_total", "WebSocket messages sent or queued (published frames included).",
            &Metrics::messages_out);
    counter("sluice_ws_received_bytes_total", "WebSocket message payload bytes received.", &Metrics::bytes_in);
    counter("sluice_ws_sent_bytes_total", "WebSocket message payload bytes sent or queued.", &Metrics::bytes_out);
    counter("sluice_sends_dropped_total", "Sends refused because the connection was over max_backpressure.",
            &Metrics::sends_dropped);
    e.family("sluice_ws_closes_total", "counter", "WebSocket sessions ended, by close code (1006 = no close frame).");
    for (std::size_t i = 0; i <= kCloseCodes.size(); ++i) {
        const std::string code = i < kCloseCodes.size() ? std::to_string(kCloseCodes[i]) : "other";
        e.sample("sluice_ws_closes_total", "code", code, summed(w, [i](const Metrics& m) -> const Counter& { return m.closes[i]; }));
    }
    e.family("sluice_topic_subscriptions", "gauge", "Topic subscriptions held now (a subscriber of two topics counts twice).");
    const std::uint64_t subscribed = summed(w, [](const Metrics& m) -> const Counter& { return m.subscribed; });
    const std::uint64_t unsubscribed = summed(w, [](const Metrics& m) -> const Counter& { return m.unsubscribed; });
    e.sample("sluice_topic_subscriptions", subscribed >= unsubscribed ? subscribed - unsubscribed : 0);
    e.family("sluice_publishes_total", "counter", "Server::publish calls.");
    e.sample("sluice_publishes_total", server.publishes.load(std::memory_order_relaxed));
    counter("sluice_publish_deliveries_total", "Published frames queued to a subscriber.", &Metrics::publish_deliveries);
    counter("sluice_publishes_missed_total", "Published frames a slow subscriber missed (over max_backpressure).",
            &Metrics::publishes_missed);
    counter("sluice_ws_pings_sent_total", "Keep-alive pings sent.", &Metrics::pings_sent);
    counter("sluice_ws_pongs_received_total", "Pongs received.", &Metrics::pongs_received);
    e.family("sluice_memory_shed_total", "counter", "Connections closed to keep within max_memory, by close code.");
    e.sample("sluice_memory_shed_total", "code", "1009", summed(w, [](const Metrics& m) -> const Counter& { return m.shed[0]; }));
    e.sample("sluice_memory_shed_total", "code", "1008", summed(w, [](const Metrics& m) -> const Counter& { return m.shed[1]; }));
    return e.take();
}

}  // namespace sluice::detail
