// app/detail/redis_link.cpp
#include "app/detail/redis_link.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "net/socket.hpp"
#include "proto/resp_encoder.hpp"

namespace sluice::detail {

namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxValues = 64;   // one reply's nodes: pub/sub replies are 3, PONG 1
}  // namespace

RedisLink::RedisLink(net::Reactor& reactor, RedisLinkOptions options, bool matched, Events events)
    : reactor_(reactor),
      options_(std::move(options)),
      matched_(matched),
      events_(std::move(events)),
      retry_delay_(options_.retry_min),
      values_(kMaxValues) {
    connect_timer_.set_callback([this] { fail("no connection within connect_timeout"); });
    retry_timer_.set_callback([this] { connect(); });
    health_timer_.set_callback([this] { health_check(); });
}

RedisLink::~RedisLink() {
    if (fd_ >= 0) {
        reactor_.remove(fd_);
        net::close_fd(fd_);
    }
}

void RedisLink::start() { connect(); }

void RedisLink::connect() {
    if (state_ != State::disconnected) return;
    fd_ = net::connect_tcp(options_.host, options_.port);
    if (fd_ < 0) {
        fail(std::string("connect: ") + std::strerror(errno));
        return;
    }
    net::set_nodelay(fd_, true);
    if (!reactor_.add(fd_, net::kWritable, this)) {
        fail(std::string("cannot watch the socket: ") + std::strerror(errno));
        return;
    }
    state_ = State::connecting;
    reactor_.arm(connect_timer_, options_.connect_timeout);
}

void RedisLink::on_connected() {
    reactor_.cancel(connect_timer_);
    state_ = State::ready;
    last_read_ = reactor_.now();
    ping_outstanding_ = false;
    reactor_.arm(health_timer_, options_.health_interval);
    queue_auth_first();
    if (events_.on_ready) events_.on_ready();
    flush();
    update_interest();
}

// AUTH goes before whatever waited for the connection (Redis refuses every command before it).
void RedisLink::queue_auth_first() {
    if (options_.password.empty()) return;
    std::vector<std::string_view> args{"AUTH"};
    if (!options_.username.empty()) args.push_back(options_.username);
    args.push_back(options_.password);
    std::string command(proto::resp_command_size(args), '\0');
    proto::encode_resp_command(args, {reinterpret_cast<std::uint8_t*>(command.data()), command.size()});
    out_.insert(first_unsent_, command);   // written_ == first_unsent_ on a fresh connection
    unsent_.push_front({static_cast<std::uint32_t>(command.size()), kAuth});
}

void RedisLink::fail(std::string_view why) {
    if (fd_ >= 0) {
        reactor_.remove(fd_);
        net::close_fd(fd_);
        fd_ = -1;
    }
    state_ = State::disconnected;
    reactor_.cancel(connect_timer_);
    reactor_.cancel(health_timer_);
    // A command cut in the middle is sent again whole; the ones written whole are unconfirmed.
    written_ = first_unsent_;
    if (matched_) {
        for (const Tag t : awaiting_) unconfirmed_ += t == kPing || t == kAuth ? 0 : 1;
        awaiting_.clear();
    }
    in_.clear();
    in_start_ = 0;
    in_wanted_ = 0;
    const std::chrono::milliseconds delay = retry_delay_;
    retry_delay_ = std::min(retry_delay_ * 2, options_.retry_max);
    reactor_.arm(retry_timer_, delay);
    if (events_.on_down) events_.on_down(why, delay);
}

void RedisLink::send(std::span<const std::string_view> args, Tag tag) {
    const std::size_t size = proto::resp_command_size(args);
    if (size == 0) return;
    const std::size_t at = out_.size();
    out_.resize(at + size);
    proto::encode_resp_command(args, {reinterpret_cast<std::uint8_t*>(out_.data() + at), size});
    unsent_.push_back({static_cast<std::uint32_t>(size), tag});
    flush();
}

void RedisLink::append(std::string_view encoded, std::span<const std::uint32_t> sizes, Tag tag) {
    out_.append(encoded);
    for (const std::uint32_t s : sizes) unsent_.push_back({s, tag});
}

void RedisLink::flush() {
    if (state_ != State::ready) return;
    while (written_ < out_.size()) {
        const auto r = net::write_some(fd_, {reinterpret_cast<const std::uint8_t*>(out_.data() + written_),
                                             out_.size() - written_});
        if (r.status == net::IoStatus::would_block) break;
        if (r.status != net::IoStatus::ok) {
            fail(r.status == net::IoStatus::closed ? "connection closed by Redis (write)"
                                                   : std::string("write: ") + std::strerror(r.error));
            return;
        }
        written_ += r.bytes;
    }
    // Commands now written whole leave the unsent list (and, on a matched link, await replies).
    while (!unsent_.empty() && first_unsent_ + unsent_.front().size <= written_) {
        first_unsent_ += unsent_.front().size;
        if (matched_) awaiting_.push_back(unsent_.front().tag);
        unsent_.pop_front();
    }
    // Drop what was written once it is at least half the buffer (amortised O(1) per byte).
    if (first_unsent_ == out_.size()) {
        out_.clear();
        first_unsent_ = written_ = 0;
    } else if (first_unsent_ > 64 * 1024 && first_unsent_ * 2 > out_.size()) {
        out_.erase(0, first_unsent_);
        written_ -= first_unsent_;
        first_unsent_ = 0;
    }
    update_interest();
}

void RedisLink::update_interest() {
    if (state_ != State::ready) return;
    const net::EventMask want = net::kReadable | (written_ < out_.size() ? net::kWritable : 0);
    if (reactor_.interest(fd_) != want) reactor_.modify(fd_, want, this);
}

void RedisLink::on_events(net::EventMask events) noexcept {
    if (state_ == State::connecting) {
        const int error = net::socket_error(fd_);
        if (error != 0) {
            fail(std::string("connect: ") + std::strerror(error));
            return;
        }
        if ((events & (net::kWritable | net::kHangup | net::kError)) == 0) return;
        on_connected();
        return;
    }
    if (state_ != State::ready) return;
    if ((events & (net::kReadable | net::kHangup | net::kError)) != 0) {
        read();
        if (state_ != State::ready) return;
    }
    if ((events & net::kWritable) != 0) flush();
}

void RedisLink::read() {
    for (int round = 0; round < 16; ++round) {   // bounded: other fds get their turn
        const std::size_t used = in_.size();
        in_.resize(used + kReadChunk);
        const auto r = net::read_some(fd_, {reinterpret_cast<std::uint8_t*>(in_.data() + used), kReadChunk});
        in_.resize(used + (r.status == net::IoStatus::ok ? r.bytes : 0));
        if (r.status == net::IoStatus::would_block) return;
        if (r.status == net::IoStatus::closed) return fail("connection closed by Redis");
        if (r.status == net::IoStatus::error) return fail(std::string("read: ") + std::strerror(r.error));
        last_read_ = reactor_.now();
        ping_outstanding_ = false;
        if (!parse()) return;
        if (r.bytes < kReadChunk) return;
    }
}

bool RedisLink::parse() {
    proto::RespLimits limits;
    limits.max_bulk_length = options_.max_bulk;
    limits.max_depth = 2;
    while (in_.size() - in_start_ >= std::max<std::size_t>(in_wanted_, 1)) {
        const std::span<const std::uint8_t> input{reinterpret_cast<const std::uint8_t*>(in_.data() + in_start_),
                                                  in_.size() - in_start_};
        const proto::RespResult r = proto::parse_resp(input, values_, limits);
        if (r.status == proto::RespStatus::need_more) {
            in_wanted_ = r.at_least;
            break;
        }
        if (r.status == proto::RespStatus::error) {
            ++protocol_errors_;
            fail(std::string("bad reply from Redis: ") + std::string(proto::resp_error_name(r.error)));
            return false;
        }
        in_wanted_ = 0;
        Tag tag = kPing;
        if (matched_) {
            if (awaiting_.empty()) {
                ++protocol_errors_;
                fail("a reply to no command");
                return false;
            }
            tag = awaiting_.front();
            awaiting_.pop_front();
        }
        // A reply confirms the server is a working Redis: the next failure retries fast again.
        retry_delay_ = options_.retry_min;
        const std::span<const proto::RespValue> reply{values_.data(), r.values};
        in_start_ += r.consumed;
        if (matched_ && tag == kAuth) {
            if (reply[0].type == proto::RespType::error) {
                fail("AUTH refused: " + std::string(reply[0].text));
                return false;
            }
            continue;
        }
        if ((!matched_ || tag != kPing) && events_.on_reply) events_.on_reply(reply, tag);
        if (state_ != State::ready) return false;   // the owner's callback failed us
    }
    if (in_start_ == in_.size()) {
        in_.clear();
        in_start_ = 0;
    } else if (in_start_ > 0) {
        in_.erase(0, in_start_);
        in_start_ = 0;
    }
    return true;
}

void RedisLink::health_check() {
    if (state_ != State::ready) return;
    const net::TimePoint now = reactor_.now();
    if (ping_outstanding_ && now - ping_sent_ >= options_.reply_timeout) {
        fail("no answer from Redis within reply_timeout");
        return;
    }
    if (!ping_outstanding_ && now - last_read_ >= options_.health_interval) {
        const std::string_view ping[] = {"PING"};
        ping_outstanding_ = true;
        ping_sent_ = now;
        send(ping, kPing);
        if (state_ != State::ready) return;
    }
    reactor_.arm(health_timer_, options_.health_interval);
}

}  // namespace sluice::detail
