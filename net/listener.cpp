// Listener: the accept loop and its EMFILE defence (declared in net/socket.hpp).
#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/address.hpp"
#include "net/socket.hpp"
#if defined(__linux__) && !defined(SLUICE_KQUEUE_EMULATION)
#include "net/uring_acceptor.hpp"
#endif

namespace sluice::net {

namespace {
// `ring`: the reactor's io_uring may accept for this listener (only then is its table asked).
int accept_nonblocking(int listen_fd, [[maybe_unused]] bool ring) noexcept {
#if defined(__linux__) && !defined(SLUICE_KQUEUE_EMULATION)
    // io_uring's multishot accept may already have taken the connections (net/uring_acceptor.hpp).
    if (UringAcceptor* acceptor = ring ? UringAcceptor::serving(listen_fd) : nullptr; acceptor != nullptr) {
        int fd = -1;
        int error = 0;
        if (acceptor->take(listen_fd, fd, error)) {
            if (fd < 0) errno = error;
            return fd;
        }
    }
#endif
#if defined(__linux__) || defined(__FreeBSD__)
    return ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    const int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd >= 0 && !set_nonblocking(fd)) {
        ::close(fd);
        return -1;
    }
#ifdef SO_NOSIGPIPE
    if (fd >= 0) {
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
    }
#endif
    return fd;
#endif
}

int open_reserve() noexcept { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }
}  // namespace

Listener::Listener() noexcept { readiness_.owner = this; }

Listener::~Listener() { close(); }

void Listener::Readiness::on_events(EventMask events) noexcept { owner->on_events(events); }

bool Listener::open(Reactor& reactor, const ListenOptions& options, AcceptFn on_accept) noexcept {
    close();
    SocketAddress address;
    if (!resolve_address(options.host, options.port, true, address)) {
        errno = EINVAL;
        return false;
    }
    reactor_ = &reactor;
    on_accept_ = std::move(on_accept);
    fd_ = ::socket(address.family(), SOCK_STREAM, 0);
    const int one = 1;
    bool ok = fd_ >= 0 && set_nonblocking(fd_) && ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0;
#ifdef SO_REUSEPORT
    if (ok && options.reuse_port) ok = ::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0;
#else
    if (ok && options.reuse_port) {
        errno = ENOTSUP;
        ok = false;
    }
#endif
    ok = ok && ::bind(fd_, reinterpret_cast<const sockaddr*>(&address.storage), address.length) == 0 &&
         ::listen(fd_, options.backlog) == 0;
    if (ok) {
        port_ = local_port(fd_);
        reserve_fd_ = open_reserve();
        ok = reserve_fd_ >= 0 && reactor.add(fd_, kReadable, &readiness_);
    }
    if (!ok) {
        const int saved = errno;
        close();
        errno = saved;
        return false;
    }
    retry_.set_callback([this] {
        if (reserve_fd_ < 0) reserve_fd_ = open_reserve();
        reactor_->modify(fd_, kReadable, &readiness_);
    });
    return true;
}

void Listener::close() noexcept {
    if (reactor_ != nullptr) {
        if (retry_.armed()) reactor_->cancel(retry_);
        if (fd_ >= 0) reactor_->remove(fd_);
    }
    close_fd(fd_);
    close_fd(reserve_fd_);
    fd_ = -1;
    reserve_fd_ = -1;
    port_ = 0;
    reactor_ = nullptr;  // a closed listener touches no reactor, so it may be destroyed anywhere
}

void Listener::pause_accepting() noexcept {
    reactor_->modify(fd_, 0, &readiness_);
    reactor_->arm(retry_, kRetryAfter);
}

void Listener::on_events(EventMask) noexcept {
    const bool ring = reactor_ != nullptr && reactor_->ring_receives();  // epoll, kqueue: no table lookup
    while (fd_ >= 0) {
        const int fd = accept_nonblocking(fd_, ring);
        if (fd >= 0) {
            ++accepted_;
            on_accept_(fd);  // may close() this listener: the loop condition checks
            continue;
        }
        const int error = errno;
        if (error == EAGAIN || error == EWOULDBLOCK) return;
        if (error == EINTR || error == ECONNABORTED || error == EPROTO) continue;
        if ((error == EMFILE || error == ENFILE) && reserve_fd_ >= 0) {
            // Free one descriptor, take the pending connection with it and drop it at once.
            ::close(reserve_fd_);
            reserve_fd_ = -1;
            const int doomed = ::accept(fd_, nullptr, nullptr);
            const int accept_error = errno;
            if (doomed >= 0) {
                ::close(doomed);
                ++shed_;
            }
            reserve_fd_ = open_reserve();
            if (reserve_fd_ >= 0 && (doomed >= 0 || accept_error == ECONNABORTED)) continue;
            if (reserve_fd_ >= 0 && (accept_error == EAGAIN || accept_error == EWOULDBLOCK)) return;
        }
        // No reserve, ENOBUFS, ENOMEM...: stop listening for a while instead of spinning.
        pause_accepting();
        return;
    }
}

}  // namespace sluice::net
