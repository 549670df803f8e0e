#include "net/socket.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/address.hpp"
#if defined(__linux__) && !defined(SLUICE_KQUEUE_EMULATION)
#define SLUICE_URING_RECEIVES 1
#include "net/uring_receiver.hpp"
#endif

namespace sluice::net {

namespace {
#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;  // SO_NOSIGPIPE is set on every socket net/ creates
#endif

IoResult from_errno(int error) noexcept {
    if (error == EAGAIN || error == EWOULDBLOCK) return {IoStatus::would_block, 0, 0};
    if (error == EPIPE || error == ECONNRESET) return {IoStatus::closed, 0, error};
    return {IoStatus::error, 0, error};
}

IoResult from_count(ssize_t n, bool is_read) noexcept {
    if (n > 0) return {IoStatus::ok, static_cast<std::size_t>(n), 0};
    if (n == 0) return is_read ? IoResult{IoStatus::closed, 0, 0} : IoResult{IoStatus::ok, 0, 0};
    return from_errno(errno);
}
}  // namespace

IoResult read_some(int fd, std::span<std::uint8_t> into) noexcept {
    if (into.empty()) return {IoStatus::ok, 0, 0};
#ifdef SLUICE_URING_RECEIVES
    // io_uring may already have received this socket's bytes (net/uring_receiver.hpp).
    if (UringReceiver* receiver = UringReceiver::serving(fd); receiver != nullptr) {
        IoResult queued;
        if (receiver->read(fd, into, queued)) return queued;
    }
#endif
    ssize_t n;
    do n = ::read(fd, into.data(), into.size());
    while (n < 0 && errno == EINTR);
    return from_count(n, true);
}

IoResult readv_some(int fd, const struct iovec* iov, int count) noexcept {
#ifdef SLUICE_URING_RECEIVES
    if (UringReceiver* receiver = UringReceiver::serving(fd); receiver != nullptr) {
        // Queued bytes fill the vectors in order; the first that is not filled whole ends it.
        IoResult total{IoStatus::ok, 0, 0};
        for (int i = 0; i < count; ++i) {
            IoResult part;
            const std::span<std::uint8_t> into(static_cast<std::uint8_t*>(iov[i].iov_base), iov[i].iov_len);
            if (into.empty()) continue;
            if (!receiver->read(fd, into, part)) break;
            if (part.status != IoStatus::ok) return total.bytes > 0 ? total : part;
            total.bytes += part.bytes;
            if (part.bytes < into.size()) return total;
        }
        if (total.bytes > 0) return total;
    }
#endif
    ssize_t n;
    do n = ::readv(fd, iov, count);
    while (n < 0 && errno == EINTR);
    return from_count(n, true);
}

IoResult write_some(int fd, std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.empty()) return {IoStatus::ok, 0, 0};
    ssize_t n;
    do n = ::send(fd, bytes.data(), bytes.size(), kSendFlags);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ENOTSOCK) {
        do n = ::write(fd, bytes.data(), bytes.size());
        while (n < 0 && errno == EINTR);
    }
    return from_count(n, false);
}

IoResult writev_some(int fd, const struct iovec* iov, int count) noexcept {
    msghdr message{};
    message.msg_iov = const_cast<struct iovec*>(iov);
    message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(count);
    ssize_t n;
    do n = ::sendmsg(fd, &message, kSendFlags);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ENOTSOCK) {
        do n = ::writev(fd, iov, count);
        while (n < 0 && errno == EINTR);
    }
    return from_count(n, false);
}

bool set_nodelay(int fd, bool on) noexcept {
    const int value = on ? 1 : 0;
    return ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value) == 0;
}

bool set_linger(int fd, bool on, int seconds) noexcept {
    linger value{};
    value.l_onoff = on ? 1 : 0;
    value.l_linger = seconds;
    return ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, sizeof value) == 0;
}

bool set_nonblocking(int fd) noexcept {
    const int flags = ::fcntl(fd, F_GETFL, 0);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return false;
    return ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

bool shutdown_write(int fd) noexcept { return ::shutdown(fd, SHUT_WR) == 0; }

void close_fd(int fd) noexcept {
    if (fd >= 0) ::close(fd);
}

std::string peer_address(int fd) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return {};
    return format_address(reinterpret_cast<const sockaddr*>(&storage), length);
}

std::uint16_t local_port(int fd) noexcept {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
    if (storage.ss_family == AF_INET) {
        sockaddr_in v4;
        std::memcpy(&v4, &storage, sizeof v4);
        return ntohs(v4.sin_port);
    }
    if (storage.ss_family == AF_INET6) {
        sockaddr_in6 v6;
        std::memcpy(&v6, &storage, sizeof v6);
        return ntohs(v6.sin6_port);
    }
    return 0;
}

int connect_tcp(std::string_view host, std::uint16_t port) noexcept {
    SocketAddress address;
    if (!resolve_address(host, port, false, address)) {
        errno = EINVAL;
        return -1;
    }
    return connect_to(address);
}

int connect_to(const SocketAddress& address) noexcept {
    const int fd = ::socket(address.family(), SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (!set_nonblocking(fd)) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
#ifdef SO_NOSIGPIPE
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
        errno != EINPROGRESS && errno != EINTR) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int socket_error(int fd) noexcept {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
    return error;
}

}  // namespace sluice::net
