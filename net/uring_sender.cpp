// UringSender: see net/uring_sender.hpp.
#include "net/uring_sender.hpp"

#include <algorithm>

namespace sluice::net {

namespace {
// The token's bits in user_data (32..61): bit 62 is kSendBit, bit 63 the receiver's.
constexpr std::uint32_t kSendTokenMask = 0x3FFF'FFFFu;

std::uint64_t send_tag(int fd, std::uint32_t token) {
    return UringSender::kSendBit | (static_cast<std::uint64_t>(token & kSendTokenMask) << 32) |
           static_cast<std::uint32_t>(fd);
}
}  // namespace

void UringSender::close() noexcept {
    states_.clear();
    records_.clear();
    records_used_ = 0;
}

UringSender::State& UringSender::state(int fd) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= states_.size()) states_.resize(index + 1 + index / 2);
    return states_[index];
}

bool UringSender::busy(int fd) const noexcept {
    const auto index = static_cast<std::size_t>(fd);
    return index < states_.size() && states_[index].live;
}

std::uint64_t UringSender::request(int fd) const noexcept {
    return send_tag(fd, states_[static_cast<std::size_t>(fd)].token);
}

void UringSender::prepare(io_uring_sqe* entry, std::uint32_t position, int fd, const iovec* iov, int count) noexcept {
    State& s = state(fd);
    ++s.token;
    s.live = true;
    s.done = false;
    s.position = position;
    entry->fd = fd;
    entry->user_data = send_tag(fd, s.token);
    fill(entry, iov, count);
}

bool UringSender::extend(UringRing& ring, int fd, const iovec* iov, int count) noexcept {
    io_uring_sqe* entry = ring.unconsumed(state(fd).position);
    if (entry == nullptr || entry->user_data != request(fd)) return false;   // the kernel has it
    fill(entry, iov, count);
    return true;
}

void UringSender::fill(io_uring_sqe* entry, const iovec* iov, int count) noexcept {
    entry->msg_flags = MSG_NOSIGNAL | MSG_DONTWAIT;
    if (count == 1) {
        entry->opcode = IORING_OP_SEND;
        entry->addr = reinterpret_cast<std::uint64_t>(iov[0].iov_base);
        entry->len = static_cast<std::uint32_t>(iov[0].iov_len);
        return;
    }
    if (records_used_ == records_.size()) records_.push_back(std::make_unique<Record>());
    Record& r = *records_[records_used_++];
    const int n = std::min(count, kMaxIovecs);
    std::copy(iov, iov + n, r.iov);
    r.message = msghdr{};
    r.message.msg_iov = r.iov;
    r.message.msg_iovlen = static_cast<decltype(r.message.msg_iovlen)>(n);
    entry->opcode = IORING_OP_SENDMSG;
    entry->addr = reinterpret_cast<std::uint64_t>(&r.message);
    entry->len = 1;
}

bool UringSender::completed(const UringRing::Completion& c, int& fd) noexcept {
    fd = static_cast<int>(c.user_data & 0xFFFF'FFFFu);
    const auto index = static_cast<std::size_t>(fd);
    // Else a removed registration's send (cancelled): nobody waits for it.
    if (index >= states_.size() || !states_[index].live || send_tag(fd, states_[index].token) != c.user_data) return false;
    State& s = states_[index];
    s.live = false;
    s.done = true;
    s.result = c.res;
    return true;
}

bool UringSender::take(int fd, std::int32_t& result) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= states_.size() || !states_[index].done) return false;
    states_[index].done = false;
    result = states_[index].result;
    return true;
}

void UringSender::forget(int fd) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= states_.size()) return;
    states_[index].live = false;
    states_[index].done = false;
}

std::size_t UringSender::in_flight() const noexcept {
    std::size_t n = 0;
    for (const State& s : states_) n += s.live ? 1 : 0;
    return n;
}

}  // namespace sluice::net
