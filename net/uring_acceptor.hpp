// UringAcceptor: connections a multishot IORING_OP_ACCEPT took for a listener, queued until
// its Listener accepts them.
//
// The io_uring poller (net/uring_poller.hpp) finds a listener by its first receive failing
// with ENOTCONN and SO_ACCEPTCONN set; from then on, while the listener wants reading, one
// multishot accept (SOCK_NONBLOCK | SOCK_CLOEXEC) is armed for it, and each completion's new
// fd is queued here. Listener::on_events asks serving(listen_fd) through accept_queued()
// (net/listener.cpp): it gets a queued fd, the queued error (EMFILE and ENFILE end a
// multishot accept: the Listener's reserve-fd defence then runs with accept(2) itself), or
// EAGAIN while an accept is in flight; with neither, accept4(2) as before.
//
// Owns the queued fds (closed by forget() and close()). A handful of listeners per reactor:
// a linear search. serving() is process-wide, like UringReceiver's. Loop thread only,
// except serving().
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

namespace sluice::net {

class UringAcceptor {
 public:
    UringAcceptor() noexcept = default;
    ~UringAcceptor() { close(); }
    UringAcceptor(const UringAcceptor&) = delete;
    UringAcceptor& operator=(const UringAcceptor&) = delete;

    // The acceptor whose queue answers accepts on listen_fd, or null. THREAD-SAFE.
    static UringAcceptor* serving(int listen_fd) noexcept;
    void enable(bool on) noexcept { enabled_ = on; }  // the poller found IORING_OP_ACCEPT
    bool enabled() const noexcept { return enabled_; }
    void serve(int listen_fd) noexcept;
    void forget(int listen_fd) noexcept;  // closes what is queued
    void close() noexcept;                // forgets every listener

    // An accept CQE: a new fd (res >= 0) or -errno.
    void accepted(int listen_fd, int res) noexcept;
    void set_accepting(int listen_fd, bool accepting) noexcept;
    // Calls fn(listen_fd) for every listener with something queued.
    template <typename Fn>
    void each_pending(Fn fn) const {
        for (const Queue& q : queues_) {
            if (!q.fds.empty() || q.error != 0) fn(q.listen_fd);
        }
    }

    // Listener's accept: true with `fd` (>= 0) or `error` set when the queue answers; false
    // when the caller must accept4(2) itself.
    bool take(int listen_fd, int& fd, int& error) noexcept;

 private:
    struct Queue {
        int listen_fd = -1;
        std::deque<int> fds;
        int error = 0;  // queued after the fds
        bool accepting = false;
    };
    Queue* find(int listen_fd) noexcept;
    const Queue* find(int listen_fd) const noexcept;

    std::vector<Queue> queues_;
    bool enabled_ = false;
};

}  // namespace sluice::net
