// app/detail/topic_history.hpp — a topic's bounded history, its sequence numbers and epoch,
// shared by every server thread; and the ids that name its messages on the wire.
//
//   id on the wire:  "<epoch>:<seq>"   epoch: 16 hex digits, random per start (a restart or a
//                                      lost history gives a new one); seq: 1, 2, 3, ... per topic
//
// One owner per topic: Server::publish takes the topic's mutex, numbers the message, keeps
// it and posts it to every thread while still holding the mutex, so each thread's queue
// holds the topic's messages in sequence order. A subscriber on any thread takes the same
// mutex to read what it missed and the last sequence (replay()); a live message at or below
// that last sequence, still in its thread's queue, is then skipped (Subscription::seen), so
// none is delivered twice and none is missed. Topics without a history take no lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/settings.hpp"

namespace sluice::detail {

// A parsed "<epoch>:<seq>". Views into the text parsed.
struct EventId {
    std::string_view epoch;
    std::uint64_t seq = 0;
};

// "<epoch>:<seq>": epoch 1..32 of [0-9A-Za-z_-], seq 1..19 decimal digits (no sign); else nullopt.
std::optional<EventId> parse_event_id(std::string_view text) noexcept;
// "<epoch>:<seq>" appended to `out`.
void append_event_id(std::string& out, std::string_view epoch, std::uint64_t seq);
// A fresh random epoch: 16 lowercase hex digits.
std::string make_epoch();

class TopicHistory {  // Owns the kept messages; every member but epoch() under mutex.
 public:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        std::uint64_t seq;
        Clock::time_point at;
        bool text;
        std::string payload;
    };
    // What a subscriber coming back after `since` gets.
    struct Replay {
        std::uint64_t last = 0;        // the topic's last sequence, seen by this subscriber
        bool reset = false;            // the history does not reach back to `since`
        std::vector<Entry> messages;   // after `since`, in order (empty on reset)
    };

    TopicHistory(TopicHistoryLimits limits, std::string epoch) : limits_(limits), epoch_(std::move(epoch)) {}
    const std::string& epoch() const noexcept { return epoch_; }   // fixed for its life

    std::mutex mutex;
    // Numbers and keeps one message; returns its sequence number.
    std::uint64_t append(bool text, std::span<const std::uint8_t> payload, Clock::time_point now);
    // The messages after `since` (nullopt: none, live from now). A `since` of another epoch,
    // beyond the last sequence or older than what is kept is a reset.
    Replay replay(std::optional<EventId> since, Clock::time_point now);
    std::uint64_t last() const noexcept { return last_; }
    std::size_t size() const noexcept { return kept_.size(); }

 private:
    void trim(Clock::time_point now);

    TopicHistoryLimits limits_;
    std::string epoch_;
    std::deque<Entry> kept_;
    std::size_t bytes_ = 0;
    std::uint64_t last_ = 0;
};

// Every topic's history, made at start from Settings::topic_histories; read-only while the
// server runs (find() takes no lock). Owns the histories.
class TopicHistories {
 public:
    void configure(const std::vector<std::pair<std::string, TopicHistoryLimits>>& topics);
    TopicHistory* find(std::string_view topic) const noexcept;
    // The epoch of ids on topics without a history ("<epoch>:0": they cannot be resumed).
    const std::string& process_epoch() const noexcept { return process_epoch_; }
    std::string_view epoch_of(std::string_view topic) const noexcept;

 private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::unique_ptr<TopicHistory>, Hash, std::equal_to<>> topics_;
    std::string process_epoch_ = make_epoch();
};

}  // namespace sluice::detail
