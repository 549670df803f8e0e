// perf/wsload/dial.hpp — a load generator's non-blocking TCP connect, shared by wsload and
// transport_load (which links this file).
//
//   dial(epoll_fd, to, tag)  -> a socket (TCP_NODELAY) whose connect is under way, registered
//                               edge-triggered for in, out and peer-hangup with `tag` as its
//                               epoll data; -1 (errno set) when the socket or connect failed
//   dial_result(fd)          -> once the socket is writable: 0, or the errno the connect got
// Owns nothing: the caller closes the fd.
#pragma once

#include <netinet/in.h>

#include <cstdint>

namespace sluice::wsload {

int dial(int epoll_fd, const sockaddr_in& to, std::uint64_t tag) noexcept;
int dial_result(int fd) noexcept;

}  // namespace sluice::wsload
