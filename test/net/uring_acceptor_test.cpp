// io_uring accepting for a Listener (net/uring_acceptor.hpp): a multishot accept takes the
// connections and the Listener's accept call is served from its queue; connections taken but
// never handed over are closed with the listener's removal, not leaked. Real loopback TCP.
#include "net/uring_poller.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/reactor.hpp"
#include "net/echo_server.hpp"
#include "net/socket.hpp"
#include "test/support/reactor_fixtures.hpp"
#include "test/support/uring_fixtures.hpp"

using namespace sluice::net;
using namespace std::chrono_literals;

namespace {

// A blocking client connected to 127.0.0.1:port (the kernel completes it from the backlog).
int connect_client(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return fd;
}

// The child process of the EMFILE case: the limit lowered before the listener's multishot
// accept is armed (the kernel takes RLIMIT_NOFILE then). 0 on success, else the failed step.
int exhaustion_child() {
    const int lowest_free = ::dup(0);
    ::close(lowest_free);
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = static_cast<rlim_t>(lowest_free + 16);
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return 10;
    Reactor reactor(Reactor::Options{.backend = Backend::io_uring});
    if (!reactor.valid() || !reactor.ring_receives()) return 99;  // skipped: said by the parent
    EchoServer server(reactor);
    if (!server.open({.port = 0})) return 11;
    reactor.run_once(0ms);
    reactor.run_once(0ms);
    if (UringAcceptor::serving(server.listener().fd()) == nullptr) return 12;
    std::vector<int> fillers;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) fillers.push_back(fd);
    if (errno != EMFILE || fillers.empty()) return 13;
    ::close(fillers.back());
    fillers.pop_back();
    const int b = ::socket(AF_INET, SOCK_STREAM, 0);  // the last free descriptor
    if (b < 0) return 14;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(server.port());
    if (::connect(b, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 15;
    const auto end = Clock::now() + 10s;
    while (server.listener().shed() < 1 && Clock::now() < end) reactor.run_once(20ms);
    if (server.listener().shed() != 1 || server.listener().accepted() != 0) return 16;
    char byte;
    if (::recv(b, &byte, 1, 0) > 0) return 17;  // shed: EOF or a reset, never data
    // Descriptors back: the next connection is accepted (the multishot accept re-armed).
    ::close(b);
    ::close(fillers.back());
    fillers.pop_back();
    const int c = connect_client(server.port());
    while (server.connections() < 1 && Clock::now() < end + 10s) reactor.run_once(20ms);
    if (server.connections() != 1 || server.listener().accepted() != 1) return 18;
    ::close(c);
    return 0;
}

}  // namespace

TEST_SUITE("net") {

TEST_CASE("io_uring accepts: descriptor exhaustion (EMFILE) ends the multishot accept; the Listener sheds and recovers") {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) ::_exit(exhaustion_child());
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 99) {
        MESSAGE("io_uring receives unavailable here: case skipped");
        return;
    }
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("io_uring accepts: a multishot accept takes a burst of connections; the Listener gets each once") {
    auto ring = sluice::test::receiving_reactor();
    if (!ring) return;
    Reactor& reactor = *ring;
    std::vector<int> accepted;
    Listener listener;
    REQUIRE(listener.open(reactor, ListenOptions{}, [&](int fd) { accepted.push_back(fd); }));
    reactor.run_once(0ms);  // the first receive finds a listener: a multishot accept follows
    reactor.run_once(0ms);
    CHECK(UringAcceptor::serving(listener.fd()) != nullptr);
    constexpr int kClients = 50;
    std::vector<int> clients;
    for (int i = 0; i < kClients; ++i) clients.push_back(connect_client(listener.port()));
    const auto end = Clock::now() + 10s;
    while (accepted.size() < kClients && Clock::now() < end) reactor.run_once(50ms);
    CHECK(accepted.size() == kClients);
    CHECK(listener.accepted() == kClients);
    std::vector<int> sorted = accepted;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // each fd once
    for (const int fd : accepted) CHECK((::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    for (const int fd : accepted) close_fd(fd);
    for (const int fd : clients) close_fd(fd);
    listener.close();
}

TEST_CASE("io_uring accepts: connections taken but never handed over are closed when the listener is removed") {
    sluice::test::ReceivingPoller ring;
    if (!ring.ready) return;
    UringPoller& poller = ring.poller;
    sockaddr_in address{};
    const int listen_fd = sluice::test::listen_loopback(address, 16);
    set_nonblocking(listen_fd);
    REQUIRE(poller.update(listen_fd, 0, kReadable, 0));
    poller.wait(0);
    poller.wait(0);
    REQUIRE(UringAcceptor::serving(listen_fd) != nullptr);
    const int client = connect_client(ntohs(address.sin_port));
    bool reported = false;
    for (int i = 0; i < 100 && !reported; ++i) reported = poller.wait(20) > 0;
    CHECK(reported);  // taken by the ring, not by anyone's accept
    poller.update(listen_fd, kReadable, 0, 1);  // removed: the taken connection is closed
    CHECK(UringAcceptor::serving(listen_fd) == nullptr);
    char byte;
    CHECK(::recv(client, &byte, 1, 0) == 0);  // the client sees EOF: nothing was leaked open
    ::close(client);
    ::close(listen_fd);
}

}  // TEST_SUITE
