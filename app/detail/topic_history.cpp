// app/detail/topic_history.cpp
#include "app/detail/topic_history.hpp"

#include <random>

namespace sluice::detail {

std::optional<EventId> parse_event_id(std::string_view text) noexcept {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 32) return std::nullopt;
    const std::string_view epoch = text.substr(0, colon);
    const std::string_view digits = text.substr(colon + 1);
    for (const char c : epoch) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        c == '-';
        if (!ok) return std::nullopt;
    }
    if (digits.empty() || digits.size() > 19) return std::nullopt;   // 19 digits never overflow 64 bits
    std::uint64_t seq = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        seq = seq * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return EventId{epoch, seq};
}

void append_event_id(std::string& out, std::string_view epoch, std::uint64_t seq) {
    out.append(epoch).append(1, ':').append(std::to_string(seq));
}

std::string make_epoch() {
    std::random_device rd;
    const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string e(16, '0');
    for (std::size_t i = 0; i < 16; ++i) e[i] = kHex[(r >> (60 - 4 * i)) & 0xF];
    return e;
}

std::uint64_t TopicHistory::append(bool text, std::span<const std::uint8_t> payload, Clock::time_point now) {
    const std::uint64_t seq = ++last_;
    kept_.push_back(Entry{seq, now, text, std::string(reinterpret_cast<const char*>(payload.data()), payload.size())});
    bytes_ += payload.size();
    trim(now);
    return seq;
}

void TopicHistory::trim(Clock::time_point now) {
    const auto too_many = [this] {
        return (limits_.max_messages != 0 && kept_.size() > limits_.max_messages) ||
               (limits_.max_bytes != 0 && bytes_ > limits_.max_bytes);
    };
    const auto too_old = [&](const Entry& e) { return limits_.max_age.count() > 0 && now - e.at > limits_.max_age; };
    while (!kept_.empty() && (too_many() || too_old(kept_.front()))) {
        bytes_ -= kept_.front().payload.size();
        kept_.pop_front();
    }
}

TopicHistory::Replay TopicHistory::replay(std::optional<EventId> since, Clock::time_point now) {
    trim(now);
    Replay r;
    r.last = last_;
    if (!since) return r;
    // The oldest sequence a client can resume from: the one before the first kept message.
    const std::uint64_t oldest = kept_.empty() ? last_ : kept_.front().seq - 1;
    if (since->epoch != epoch_ || since->seq > last_ || since->seq < oldest) {
        r.reset = true;
        return r;
    }
    for (const Entry& e : kept_) {
        if (e.seq > since->seq) r.messages.push_back(e);
    }
    return r;
}

void TopicHistories::configure(const std::vector<std::pair<std::string, TopicHistoryLimits>>& topics) {
    topics_.clear();
    process_epoch_ = make_epoch();
    for (const auto& [name, limits] : topics) topics_[name] = std::make_unique<TopicHistory>(limits, make_epoch());
}

TopicHistory* TopicHistories::find(std::string_view topic) const noexcept {
    if (topics_.empty()) return nullptr;
    const auto it = topics_.find(topic);
    return it == topics_.end() ? nullptr : it->second.get();
}

std::string_view TopicHistories::epoch_of(std::string_view topic) const noexcept {
    const TopicHistory* h = find(topic);
    return h != nullptr ? std::string_view(h->epoch()) : std::string_view(process_epoch_);
}

}  // namespace sluice::detail
