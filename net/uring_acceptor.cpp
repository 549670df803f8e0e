// UringAcceptor: accepted fds queued per listener (see net/uring_acceptor.hpp).
#include "net/uring_acceptor.hpp"

#include <atomic>
#include <cerrno>

#include <unistd.h>

namespace sluice::net {

namespace {
// Listeners are few: a small fixed table of (fd, acceptor) pairs, searched without a lock.
constexpr std::size_t kListeners = 256;
struct ListenerOwner {
    std::atomic<int> fd{-1};
    std::atomic<UringAcceptor*> acceptor{nullptr};
};
ListenerOwner listener_owners[kListeners];
}  // namespace

UringAcceptor* UringAcceptor::serving(int listen_fd) noexcept {
    for (ListenerOwner& owner : listener_owners) {
        if (owner.fd.load(std::memory_order_acquire) == listen_fd) return owner.acceptor.load(std::memory_order_acquire);
    }
    return nullptr;
}

void UringAcceptor::serve(int listen_fd) noexcept {
    for (ListenerOwner& owner : listener_owners) {
        int free_slot = -1;
        if (!owner.fd.compare_exchange_strong(free_slot, -2, std::memory_order_acq_rel)) continue;
        owner.acceptor.store(this, std::memory_order_release);
        owner.fd.store(listen_fd, std::memory_order_release);
        Queue q;
        q.listen_fd = listen_fd;
        queues_.push_back(std::move(q));
        return;
    }
    // More listeners than the table holds: this one is served by accept4(2) (never armed,
    // since serving() says no: the poller checks it).
}

void UringAcceptor::forget(int listen_fd) noexcept {
    for (ListenerOwner& owner : listener_owners) {
        if (owner.fd.load(std::memory_order_acquire) == listen_fd && owner.acceptor.load() == this) {
            owner.acceptor.store(nullptr, std::memory_order_release);
            owner.fd.store(-1, std::memory_order_release);
        }
    }
    for (std::size_t i = 0; i < queues_.size(); ++i) {
        if (queues_[i].listen_fd != listen_fd) continue;
        for (const int fd : queues_[i].fds) ::close(fd);  // accepted, never handed over
        queues_.erase(queues_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
    }
}

void UringAcceptor::close() noexcept {
    while (!queues_.empty()) forget(queues_.back().listen_fd);
}

UringAcceptor::Queue* UringAcceptor::find(int listen_fd) noexcept {
    for (Queue& q : queues_) {
        if (q.listen_fd == listen_fd) return &q;
    }
    return nullptr;
}

const UringAcceptor::Queue* UringAcceptor::find(int listen_fd) const noexcept {
    for (const Queue& q : queues_) {
        if (q.listen_fd == listen_fd) return &q;
    }
    return nullptr;
}

void UringAcceptor::accepted(int listen_fd, int res) noexcept {
    Queue* q = find(listen_fd);
    if (q == nullptr) {
        if (res >= 0) ::close(res);  // no one to hand it to
        return;
    }
    if (res >= 0) {
        q->fds.push_back(res);
    } else if (q->error == 0) {
        q->error = -res;
    }
}

void UringAcceptor::set_accepting(int listen_fd, bool accepting) noexcept {
    if (Queue* q = find(listen_fd)) q->accepting = accepting;
}

bool UringAcceptor::take(int listen_fd, int& fd, int& error) noexcept {
    Queue* q = find(listen_fd);
    if (q == nullptr) return false;
    fd = -1;
    error = 0;
    if (!q->fds.empty()) {
        fd = q->fds.front();
        q->fds.pop_front();
        return true;
    }
    if (q->error != 0) {
        error = q->error;
        q->error = 0;  // reported once, as accept4 would
        return true;
    }
    if (!q->accepting) return false;
    error = EAGAIN;
    return true;
}

}  // namespace sluice::net
