// Sockets: non-blocking reads and writes as values, socket options, the peer's address,
// outgoing TCP connections, and the Listener that accepts on a reactor.
//
// Every call here works on fds the caller owns, except Listener, which owns its listening fd.
// Reads and writes retry EINTR, report EAGAIN as would_block, and never raise SIGPIPE on a
// socket (MSG_NOSIGNAL; SO_NOSIGPIPE where MSG_NOSIGNAL does not exist). On a non-socket fd
// (a pipe in tests) they fall back to read/write/writev, where SIGPIPE is the caller's affair.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "net/reactor.hpp"

struct iovec;

namespace sluice::net {

enum class IoStatus : std::uint8_t {
    ok,           // bytes > 0 were transferred (a write may be partial: bytes < requested)
    would_block,  // EAGAIN / EWOULDBLOCK: wait for readiness
    closed,       // read: the peer's EOF; write: EPIPE / ECONNRESET (the peer is gone)
    error,        // anything else; `error` holds errno
};
struct IoResult {
    IoStatus status;
    std::size_t bytes;
    int error;  // errno for closed/error, else 0
};

IoResult read_some(int fd, std::span<std::uint8_t> into) noexcept;
IoResult readv_some(int fd, const struct iovec* iov, int count) noexcept;
IoResult write_some(int fd, std::span<const std::uint8_t> bytes) noexcept;
IoResult writev_some(int fd, const struct iovec* iov, int count) noexcept;

bool set_nodelay(int fd, bool on) noexcept;              // TCP_NODELAY
bool set_linger(int fd, bool on, int seconds) noexcept;  // SO_LINGER; on with 0 s: close() sends RST
bool set_nonblocking(int fd) noexcept;                   // O_NONBLOCK and FD_CLOEXEC
bool shutdown_write(int fd) noexcept;                    // half-close: our FIN, reads go on
void close_fd(int fd) noexcept;                          // close(); EINTR is not retried (the fd is gone)

// "127.0.0.1:5555" or "[::1]:5555"; empty when fd is not a connected inet socket.
std::string peer_address(int fd);
// The local port of a bound socket, or 0.
std::uint16_t local_port(int fd) noexcept;

// Starts a non-blocking TCP connection (an IPv4 or IPv6 literal, optionally in brackets, or
// a name resolved with getaddrinfo, which blocks). Returns the fd, connecting or connected
// (wait for kWritable, then check SO_ERROR with socket_error()), or -1 with errno set.
int connect_tcp(std::string_view host, std::uint16_t port) noexcept;
// The same to one resolved address (IPv4 or IPv6): no lookup, never blocks.
struct SocketAddress;
int connect_to(const SocketAddress& address) noexcept;
// SO_ERROR: 0 once a non-blocking connect succeeded.
int socket_error(int fd) noexcept;

struct ListenOptions {
    std::string host = "127.0.0.1";  // IPv4 or IPv6 literal ("::" listens on both on Linux), or a name
    std::uint16_t port = 0;          // 0: the kernel picks one; read it back with Listener::port()
    int backlog = 1024;
    bool reuse_port = false;  // SO_REUSEPORT: one listener per loop thread on the same port
};

// Accepts connections on a reactor. Owns the listening fd and the reserve fd (EMFILE
// defence); hands each accepted fd (non-blocking, close-on-exec) to `on_accept`, which owns
// it from then on. Does not own the reactor: destroy (or close()) the listener first.
//
// Descriptor exhaustion: when accept fails with EMFILE/ENFILE, the listener closes its
// reserve fd, accepts the pending connection into it, closes that connection at once (the
// client sees a reset or EOF instead of hanging) and reopens the reserve, until the backlog
// is empty; the loop never spins on a level-triggered listener it cannot drain. If even the
// reserve cannot be reopened, it stops accepting for kRetryAfter and then tries again.
//
// Listener is not itself an IoWatcher: its registration is a private member, so that the
// type carries no vtable. (net/ builds with -fno-rtti; a polymorphic type whose key function
// lives there has no typeinfo, which RTTI-enabled users under UBSan's vptr check would need.)
class Listener {
 public:
    using AcceptFn = std::function<void(int fd)>;  // receives ownership of a non-blocking fd
    static constexpr std::chrono::milliseconds kRetryAfter{100};

    Listener() noexcept;
    ~Listener();  // close()
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    // socket, SO_REUSEADDR (+ SO_REUSEPORT), bind, listen, register for kReadable. False on
    // failure with errno set; the listener is then closed. Loop thread of `reactor`.
    bool open(Reactor& reactor, const ListenOptions& options, AcceptFn on_accept) noexcept;
    std::uint16_t port() const noexcept { return port_; }  // the bound port (tests listen on 0)
    int fd() const noexcept { return fd_; }
    void close() noexcept;  // stop accepting: unregister and close both fds

    std::uint64_t accepted() const noexcept { return accepted_; }  // handed to on_accept
    std::uint64_t shed() const noexcept { return shed_; }          // accepted and closed for lack of fds

    // Accepts until EAGAIN; called by the reactor (through readiness_) when the fd is readable.
    void on_events(EventMask events) noexcept;

 private:
    struct Readiness final : IoWatcher {
        Listener* owner = nullptr;
        void on_events(EventMask events) noexcept override;
    };
    void pause_accepting() noexcept;

    Readiness readiness_;

    Reactor* reactor_ = nullptr;
    int fd_ = -1;
    int reserve_fd_ = -1;
    std::uint16_t port_ = 0;
    AcceptFn on_accept_;
    Timer retry_;
    std::uint64_t accepted_ = 0;
    std::uint64_t shed_ = 0;
};

}  // namespace sluice::net
