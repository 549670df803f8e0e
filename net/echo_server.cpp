#include "net/echo_server.hpp"

namespace sluice::net {

// One accepted socket. Owns its fd and the bytes the kernel has not yet taken.
class EchoServer::Connection final : public IoWatcher {
 public:
    Connection(EchoServer& server, int fd) noexcept : server_(server), fd_(fd) {}

    void on_events(EventMask events) noexcept override {
        if ((events & kWritable) != 0 && !flush()) return;
        if ((events & (kReadable | kHangup | kError)) != 0 && backlog_.empty()) echo();
    }

 private:
    // Reads a bounded number of times (fairness between connections; level-triggered
    // readiness brings us back) and writes each read straight back.
    void echo() noexcept {
        Reactor& reactor = server_.reactor_;
        for (int round = 0; round < 4; ++round) {
            const std::span<std::uint8_t> buffer = reactor.receive_buffer();
            const IoResult got = read_some(fd_, buffer);
            if (got.status == IoStatus::would_block) return;
            if (got.status != IoStatus::ok) return server_.drop(fd_);
            const IoResult put = write_some(fd_, buffer.first(got.bytes));
            if (put.status == IoStatus::closed || put.status == IoStatus::error) return server_.drop(fd_);
            const std::size_t written = put.status == IoStatus::ok ? put.bytes : 0;
            server_.bytes_echoed_ += written;
            if (written < got.bytes) {
                backlog_.assign(buffer.begin() + static_cast<std::ptrdiff_t>(written),
                                buffer.begin() + static_cast<std::ptrdiff_t>(got.bytes));
                reactor.modify(fd_, kWritable, this);
                return;
            }
            // A short read almost certainly drained the socket: skip the read that would say
            // EAGAIN; if more arrived meanwhile, level-triggered readiness brings us back.
            if (got.bytes < buffer.size()) return;
        }
    }

    // False when the connection was dropped.
    bool flush() noexcept {
        while (!backlog_.empty()) {
            const IoResult put = write_some(fd_, backlog_);
            if (put.status == IoStatus::would_block) return true;
            if (put.status != IoStatus::ok) {
                server_.drop(fd_);
                return false;
            }
            server_.bytes_echoed_ += put.bytes;
            backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(put.bytes));
        }
        backlog_ = std::vector<std::uint8_t>();  // an idle connection owns no buffer
        server_.reactor_.modify(fd_, kReadable, this);
        return true;
    }

    EchoServer& server_;
    int fd_;
    std::vector<std::uint8_t> backlog_;
};

EchoServer::EchoServer(Reactor& reactor) noexcept : reactor_(reactor) {}

EchoServer::~EchoServer() { close(); }

bool EchoServer::open(const ListenOptions& options) noexcept {
    return listener_.open(reactor_, options, [this](int fd) { accept(fd); });
}

void EchoServer::accept(int fd) noexcept {
    set_nodelay(fd, true);
    auto connection = std::make_unique<Connection>(*this, fd);
    if (!reactor_.add(fd, kReadable, connection.get())) {
        close_fd(fd);
        return;
    }
    connections_[fd] = std::move(connection);
}

void EchoServer::drop(int fd) noexcept {
    reactor_.remove(fd);
    close_fd(fd);
    connections_.erase(fd);  // destroys the caller: it returns at once
}

void EchoServer::close() noexcept {
    listener_.close();
    for (auto& entry : connections_) {
        reactor_.remove(entry.first);
        close_fd(entry.first);
    }
    connections_.clear();
}

}  // namespace sluice::net
