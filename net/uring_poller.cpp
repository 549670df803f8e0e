// UringPoller: one-shot polls re-armed after each event (see net/uring_poller.hpp for why).
#include "net/uring_poller.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

namespace sluice::net {

namespace {
// The user_data of POLL_REMOVE and ASYNC_CANCEL requests: its low half is no valid fd, so it
// never matches a slot.
constexpr std::uint64_t kCancelTag = 0xFFFF'FFFFu;
// Receive requests carry this bit, sends UringSender::kSendBit (62); polls neither. The 30 bits
// below them are the request's token.
constexpr std::uint64_t kRecvBit = std::uint64_t{1} << 63;
constexpr std::uint32_t kTokenMask = 0x3FFF'FFFFu;
// Sizes: the SQ holds one batch of re-arms with room to spare (a full SQ is submitted early,
// never lost); the CQ holds several batches, and FEAT_NODROP keeps any overflow in the kernel.
constexpr unsigned kSqEntries = 512;
constexpr unsigned kCqEntries = 4096;

std::uint64_t tag(int fd, std::uint32_t token) {
    return (static_cast<std::uint64_t>(token & kTokenMask) << 32) | static_cast<std::uint32_t>(fd);
}

// A receive failed because the fd is no connected stream socket (a listener, a pipe, an old
// kernel without multishot receives): its reads go back to polling and read(2).
bool refuses_receives(std::int32_t res) {
    return res == -ENOTSOCK || res == -ENOTCONN || res == -EINVAL || res == -EOPNOTSUPP;
}

std::uint32_t to_poll(EventMask interest) {
    std::uint32_t events = 0;
    if ((interest & kReadable) != 0) events |= POLLIN | POLLRDHUP;
    if ((interest & kWritable) != 0) events |= POLLOUT;
    // The uapi header: poll32_events is "word-reversed for BE".
    if constexpr (std::endian::native == std::endian::big) events = (events << 16) | (events >> 16);
    return events;
}

EventMask from_poll(std::int32_t res) {
    const auto events = static_cast<std::uint32_t>(res);
    EventMask mask = 0;
    if ((events & POLLIN) != 0) mask |= kReadable;
    if ((events & POLLOUT) != 0) mask |= kWritable;
    if ((events & (POLLRDHUP | POLLHUP)) != 0) mask |= kHangup;
    if ((events & POLLERR) != 0) mask |= kError;
    return mask;
}
}  // namespace

bool UringPoller::open(int wake_fd, bool ring_receives, bool ring_sends) noexcept {
    close();
    // COOP_TASKRUN: completions wait for our next io_uring_enter instead of interrupting the
    // loop (we enter every iteration anyway); SUBMIT_ALL: one bad SQE does not hold back the
    // rest. Both are optional (5.19, 5.18): an older kernel refuses them with EINVAL.
    const bool opened =
        ring_.open(kSqEntries, kCqEntries, IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN) ||
        (errno == EINVAL && ring_.open(kSqEntries, kCqEntries, IORING_SETUP_CLAMP));
    if (!opened) return false;
    constexpr std::uint32_t kFeatures = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
    static constexpr std::uint8_t kOps[] = {IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE};
    if ((ring_.features() & kFeatures) != kFeatures || !ring_.supports(kOps)) {
        close();
        errno = EOPNOTSUPP;
        return false;
    }
    // Arm the wake-up poll now: a kernel without multishot polls (before 5.13) fails it at
    // submission, with a CQE that is already there when submit() returns.
    submitter_ = std::this_thread::get_id();
    watch_own(wake_fd, Source::wake);
    prepare();
    int error = ring_.submit();
    if (error == 0) {
        UringRing::Completion early[4];
        const std::size_t n = ring_.pop(early);
        for (std::size_t i = 0; i < n && error == 0; ++i) error = early[i].res < 0 ? early[i].res : 0;
    }
    if (error != 0) {
        close();
        errno = -error;
        return false;
    }
    // Receives through the ring are optional: without them the poller polls, as before.
    static constexpr std::uint8_t kRecvOps[] = {IORING_OP_RECV, IORING_OP_ASYNC_CANCEL, IORING_OP_PROVIDE_BUFFERS};
    if (ring_receives && ring_.supports(kRecvOps)) (void)receiver_.open();
    static constexpr std::uint8_t kAcceptOps[] = {IORING_OP_ACCEPT};
    acceptor_.enable(receiver_.is_open() && ring_.supports(kAcceptOps));
    // Sends through the ring: the kernel must copy a SENDMSG's header at submission.
    static constexpr std::uint8_t kSendOps[] = {IORING_OP_SEND, IORING_OP_SENDMSG, IORING_OP_ASYNC_CANCEL};
    // And a synchronous cancel (6.0), for a close with a send in flight: asked for a request
    // that does not exist, a kernel that has it says ENOENT.
    sender_.enable(ring_sends && (ring_.features() & IORING_FEAT_SUBMIT_STABLE) != 0 && ring_.supports(kSendOps) &&
                   ring_.cancel_now(UringSender::kSendBit) == -ENOENT);
    return true;
}

void UringPoller::close() noexcept {
    ring_.close();  // the kernel cancels every request
    sender_.close();
    receiver_.close();
    acceptor_.close();
    slots_.clear();
    rearm_.clear();
    cancels_.clear();
}

UringPoller::Slot& UringPoller::slot(int fd) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= slots_.size()) slots_.resize(index + 1 + index / 2);
    return slots_[index];
}

bool UringPoller::update(int fd, EventMask, EventMask after, std::uint32_t generation) noexcept {
    Slot& s = slot(fd);
    if (after == 0 && generation != s.generation) {
        // Reactor::remove() passes the next generation: the fd is about to be closed. What
        // was received and not read is dropped (its buffers back to the ring).
        if (s.armed) cancel(fd, s);
        if (s.recv_live) cancel_recv(fd, s);
        if (s.served) receiver_.forget(fd);
        if (s.accepts) acceptor_.forget(fd);  // closes the connections it had taken
        if (sender_.busy(fd)) {
            // The fd is closed next and its writer frees the bytes: the send (submitted first,
            // if still in the SQ) is cancelled now, not at the next wait.
            (void)ring_.submit();
            (void)ring_.cancel_now(sender_.request(fd));
        }
        sender_.forget(fd);
        s = Slot{.generation = generation, .token = s.token, .recv_token = s.recv_token};
        s.recv_first = s.recv_token + 1;
        return true;
    }
    // epoll_ctl refuses a closed fd at once; a POLL_ADD would only fail in a later CQE. So
    // check once per registration (a pause and resume keep the generation: no system call).
    if (after != 0 && !(s.checked && s.generation == generation)) {
        if (::fcntl(fd, F_GETFD) < 0) return false;
        s.checked = true;
    }
    s.interest = after;
    s.generation = generation;
    if (after != 0 && receiver_.is_open() && !s.served && !s.multishot) {
        receiver_.serve(fd);
        s.served = true;
    }
    // A poll that already asks for what is wanted stays (a ring send's kWritable changes
    // the interest but not the poll: no POLL_REMOVE and re-arm per send).
    if (s.armed && s.armed_events != poll_events(fd, s)) cancel(fd, s);
    if (s.recv_live && !wants_recv(s)) cancel_recv(fd, s);  // paused: what came is kept
    if (after != 0) queue(fd);
    return true;
}

EventMask UringPoller::poll_events(int fd, const Slot& s) const noexcept {
    EventMask events = wants_recv(s) ? s.interest & ~kReadable : s.interest;
    // A send in flight is the writer's kWritable: its CQE reports it, no POLLOUT poll.
    if ((events & kWritable) != 0 && sender_.busy(fd)) events &= ~kWritable;
    return events;
}

bool UringPoller::wants_recv(const Slot& s) const noexcept {
    return (s.interest & kReadable) != 0 && s.served && !s.poll_reads && !s.starved;
}

void UringPoller::arm_recv(int fd, Slot& s) noexcept {
    io_uring_sqe* entry = sqe();
    if (entry == nullptr) return;  // still queued: the next wait() tries again
    ++s.recv_token;
    entry->fd = fd;
    entry->user_data = kRecvBit | tag(fd, s.recv_token);
    if (s.accepts) {
        entry->opcode = IORING_OP_ACCEPT;
        entry->ioprio = IORING_ACCEPT_MULTISHOT;
        entry->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
    } else {
        entry->opcode = IORING_OP_RECV;
        entry->ioprio = IORING_RECV_MULTISHOT;
        entry->flags = IOSQE_BUFFER_SELECT;
        entry->buf_group = UringReceiver::kGroup;
    }
    s.recv_live = true;
    ++s.recv_inflight;
    receiver_.set_receiving(fd, true);
    if (s.accepts) acceptor_.set_accepting(fd, true);
}

// The request keeps its place in recv_inflight until its last CQE: bytes it took before the
// cancel are still queued, in order, and read(2) waits until none is in flight.
void UringPoller::cancel_recv(int fd, Slot& s) noexcept {
    s.recv_live = false;
    const std::uint64_t request = kRecvBit | tag(fd, s.recv_token);
    io_uring_sqe* entry = sqe();
    if (entry == nullptr) {
        cancels_.push_back(request);
        return;
    }
    entry->opcode = IORING_OP_ASYNC_CANCEL;
    entry->fd = -1;
    entry->addr = request;
    entry->user_data = kCancelTag;
}

bool UringPoller::send(int fd, const iovec* iov, int count) noexcept {
    if (!sender_.enabled() || count <= 0 || fd < 0 || static_cast<std::size_t>(fd) >= slots_.size() ||
        slots_[static_cast<std::size_t>(fd)].interest == 0) {
        return false;
    }
    if (sender_.busy(fd)) return sender_.extend(ring_, fd, iov, count);
    io_uring_sqe* entry = sqe();
    if (entry == nullptr) return false;
    sender_.prepare(entry, ring_.last_position(), fd, iov, count);
    Slot& s = slots_[static_cast<std::size_t>(fd)];
    // A POLLOUT armed before is not needed any more: the CQE reports kWritable.
    if (s.armed && s.armed_events != poll_events(fd, s)) {
        cancel(fd, s);
        queue(fd);
    }
    return true;
}

void UringPoller::watch_signals(int signal_fd) noexcept { watch_own(signal_fd, Source::signal); }

void UringPoller::watch_own(int fd, Source source) noexcept {
    Slot& s = slot(fd);
    s.source = source;
    s.multishot = true;
    s.interest = kReadable;
    queue(fd);
}

void UringPoller::queue(int fd) noexcept {
    Slot& s = slots_[static_cast<std::size_t>(fd)];
    if (s.queued) return;
    s.queued = true;
    rearm_.push_back(fd);
}

io_uring_sqe* UringPoller::sqe() noexcept {
    io_uring_sqe* entry = ring_.next_sqe();
    if (entry == nullptr && ring_.submit() == 0) entry = ring_.next_sqe();  // the SQ was full
    return entry;
}

void UringPoller::cancel(int fd, Slot& s) noexcept {
    s.armed = false;
    // A request never cancelled would hold its file open: retry at the next wait().
    if (!push_remove(tag(fd, s.token))) cancels_.push_back(tag(fd, s.token));
}

bool UringPoller::push_remove(std::uint64_t request) noexcept {
    io_uring_sqe* entry = sqe();
    if (entry == nullptr) return false;
    entry->opcode = (request & kRecvBit) != 0 ? IORING_OP_ASYNC_CANCEL : IORING_OP_POLL_REMOVE;
    entry->fd = -1;
    entry->addr = request;
    entry->user_data = kCancelTag;
    return true;
}

void UringPoller::arm(int fd, Slot& s) noexcept {
    io_uring_sqe* entry = sqe();
    if (entry == nullptr) return;  // still queued: the next wait() tries again
    ++s.token;
    entry->opcode = IORING_OP_POLL_ADD;
    entry->fd = fd;
    s.armed_events = static_cast<std::uint8_t>(poll_events(fd, s));
    entry->poll32_events = to_poll(s.armed_events);
    entry->len = s.multishot ? IORING_POLL_ADD_MULTI : 0;
    entry->user_data = tag(fd, s.token);
    s.armed = true;
}

void UringPoller::rearm_all() noexcept {
    submitter_ = std::this_thread::get_id();
    for (std::size_t fd = 0; fd < slots_.size(); ++fd) {
        Slot& s = slots_[fd];
        if (s.recv_live) {
            // Re-armed from this thread at once; the old request's bytes, if any came before
            // its cancel, are in the CQ ahead of the new one's.
            cancel_recv(static_cast<int>(fd), s);
            queue(static_cast<int>(fd));
        }
        if (!s.armed) continue;
        cancel(static_cast<int>(fd), s);
        queue(static_cast<int>(fd));
    }
}

// Turns the queued cancels and (re-)arms into SQEs; what finds no SQE stays queued.
void UringPoller::prepare() noexcept {
    // Buffers read since the last wait go back to the kernel first, ahead of the receives.
    while (receiver_.has_returns()) {
        io_uring_sqe* entry = sqe();
        if (entry == nullptr) break;
        entry->user_data = kCancelTag;
        io_uring_sqe* const one[] = {entry};
        receiver_.provide(one);
    }
    std::size_t kept = 0;
    for (const std::uint64_t request : cancels_) {
        if (!push_remove(request)) cancels_[kept++] = request;
    }
    cancels_.resize(kept);
    kept = 0;
    for (const int fd : rearm_) {
        Slot& s = slots_[static_cast<std::size_t>(fd)];
        // Starved of buffers: back to receiving once half the ring is free again.
        if (s.starved && receiver_.free_buffers() > UringReceiver::kBuffers / 2) s.starved = false;
        if (poll_events(fd, s) != 0 && !s.armed) arm(fd, s);
        if (wants_recv(s) && !s.recv_live) arm_recv(fd, s);
        if ((poll_events(fd, s) != 0 && !s.armed) || (wants_recv(s) && !s.recv_live)) {
            rearm_[kept++] = fd;  // no SQE to be had: stays queued
            continue;
        }
        s.queued = false;
    }
    rearm_.resize(kept);
}

int UringPoller::wait(int timeout_ms) noexcept {
    if (std::this_thread::get_id() != submitter_) rearm_all();
    // A timeout or a refused submission leaves us to collect whatever completed; the next
    // wait() retries what is still queued. EINTR (a signal handler ran) waits again for the
    // rest of the timeout, as the epoll path does; so does a batch of CQEs that reported
    // nothing (buffers provided, cancels done, stale polls).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        prepare();
        // Bytes already queued for a reader are readiness now, as unread bytes are for epoll.
        if (readable_backlog()) timeout_ms = 0;
        long long timeout_ns = timeout_ms < 0 ? -1 : static_cast<long long>(timeout_ms) * 1'000'000LL;
        if (timeout_ns > 0) {
            timeout_ns = std::max<long long>(
                0, std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now()).count());
        }
        while (ring_.wait(timeout_ns) == -EINTR && timeout_ns != 0) {
            if (timeout_ns < 0) continue;
            const auto left =
                std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now());
            timeout_ns = std::max<long long>(0, left.count());
        }
        if (ring_.queued() == 0) sender_.submitted();  // the kernel copied every SENDMSG header
        const int count = collect();
        if (count > 0 || timeout_ns == 0) return count;
        if (timeout_ns > 0 && std::chrono::steady_clock::now() >= deadline) return 0;
    }
}

int UringPoller::collect() noexcept {
    const std::size_t n = ring_.pop(completions_);
    ++batch_;
    int count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const UringRing::Completion& c = completions_[i];
        const auto index = static_cast<std::size_t>(c.user_data & 0xFFFF'FFFFu);
        const auto token = static_cast<std::uint32_t>(c.user_data >> 32) & kTokenMask;
        if (c.user_data == kCancelTag) continue;
        if ((c.user_data & UringSender::kSendBit) != 0) {
            // A send completed: the watcher takes its result on the kWritable it asked for.
            int fd = -1;
            if (sender_.completed(c, fd) && slots_[static_cast<std::size_t>(fd)].interest != 0) {
                report(count, Source::watched, fd, slots_[static_cast<std::size_t>(fd)], kWritable);
                queue(fd);  // a writer the socket refused keeps kWritable: its POLLOUT is armed now
            }
            continue;
        }
        if ((c.user_data & kRecvBit) != 0) {
            // A receive of this registration (its token from recv_first to recv_token, none
            // while recv_token + 1 == recv_first), or a removed fd's: then only its buffer
            // matters, back to the ring.
            Slot* s = index < slots_.size() ? &slots_[index] : nullptr;
            const bool mine = s != nullptr && s->served && s->recv_token + 1 != s->recv_first &&
                              ((token - s->recv_first) & kTokenMask) <= ((s->recv_token - s->recv_first) & kTokenMask);
            if (mine) {
                completed_recv(static_cast<int>(index), *s, c);
            } else {
                receiver_.recycle(c.flags);
            }
            continue;
        }
        if (index >= slots_.size()) continue;
        Slot& s = slots_[index];
        if (!s.armed || token != (s.token & kTokenMask)) continue;  // a cancelled or superseded request
        const int fd = static_cast<int>(index);
        if ((c.flags & IORING_CQE_F_MORE) == 0) {
            // The request is over (always, for a one-shot poll): arm a new one next time.
            s.armed = false;
            if (s.interest != 0) queue(fd);
        }
        // The kernel cancelled it (its submitting thread exited): re-armed above, no event.
        if (c.res == -ECANCELED) continue;
        const EventMask events = c.res < 0 ? kError : from_poll(c.res);
        if (events != 0) report(count, s.source, fd, s, events);
    }
    // Level-triggered receives: every fd with something queued that wants reading, each
    // iteration until its reader has taken it all.
    std::vector<int>& listed = receiver_.listed();
    std::size_t kept = 0;
    for (const int fd : listed) {
        const EventMask events = receiver_.events(fd);
        if (events == 0) {
            receiver_.unlist(fd);
            continue;
        }
        listed[kept++] = fd;
        Slot& s = slots_[static_cast<std::size_t>(fd)];
        if ((s.interest & kReadable) != 0) report(count, Source::watched, fd, s, events);
    }
    listed.resize(kept);
    acceptor_.each_pending([&](int fd) {
        Slot& s = slots_[static_cast<std::size_t>(fd)];
        if ((s.interest & kReadable) != 0) report(count, Source::watched, fd, s, kReadable);
    });
    return count;
}

void UringPoller::completed_recv(int fd, Slot& s, const UringRing::Completion& c) noexcept {
    const bool current = ((c.user_data >> 32) & kTokenMask) == (s.recv_token & kTokenMask);
    if ((c.flags & IORING_CQE_F_MORE) == 0) {
        // The request is over: read(2) may take over once none is in flight.
        if (s.recv_inflight > 0) --s.recv_inflight;
        receiver_.set_receiving(fd, s.recv_inflight > 0);
        if (s.accepts) acceptor_.set_accepting(fd, s.recv_inflight > 0);
        if (current && s.recv_live) {
            s.recv_live = false;
            if (s.interest != 0) queue(fd);  // re-armed unless an end was queued below
        }
    }
    if (c.res == -ECANCELED) return;  // our own cancel (a pause, a re-bound loop)
    if (s.accepts) {
        acceptor_.accepted(fd, c.res);  // a new fd, or an error for Listener (re-armed above)
        return;
    }
    if (c.res == -ENOBUFS) {
        // The ring ran dry: read by polling and read(2) until half of it is free again.
        if (current) s.starved = true;
        return;
    }
    if (refuses_receives(c.res) && current) {
        // A listener gets a multishot accept instead; anything else is polled and read(2).
        int listening = 0;
        socklen_t size = sizeof listening;
        const bool listener = c.res == -ENOTCONN && acceptor_.enabled() &&
                              ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0 && listening != 0;
        if (listener) acceptor_.serve(fd);
        s.accepts = listener && UringAcceptor::serving(fd) == &acceptor_;
        s.poll_reads = !s.accepts;  // no data was lost: the socket holds it
        if (s.accepts && s.interest != 0) queue(fd);
        return;
    }
    receiver_.received(fd, c.res, c.flags);
    // An end stops the receiving: nothing is re-armed after EOF or an error.
    if (c.res <= 0 && current) s.poll_reads = true;
}

void UringPoller::report(int& count, Source source, int fd, Slot& s, EventMask events) noexcept {
    if (s.stamp == batch_) {
        ready_[s.ready_at].events |= events;
        return;
    }
    if (static_cast<std::size_t>(count) == ready_.size()) ready_.resize(ready_.size() * 2 + kBatch);
    s.stamp = batch_;
    s.ready_at = static_cast<std::uint32_t>(count);
    ready_[static_cast<std::size_t>(count++)] = {source, fd, s.generation, events};
}

// True when an fd that wants reading has something queued (and drops drained ones).
bool UringPoller::readable_backlog() noexcept {
    bool waiting = false;
    acceptor_.each_pending([&](int fd) { waiting = waiting || (slots_[static_cast<std::size_t>(fd)].interest & kReadable) != 0; });
    if (waiting) return true;
    for (const int fd : receiver_.listed()) {
        if ((slots_[static_cast<std::size_t>(fd)].interest & kReadable) != 0 && receiver_.events(fd) != 0) return true;
    }
    return false;
}

}  // namespace sluice::net
