// app/detail/peer_limit.hpp — max_connections_per_address: how many connections each peer IP
// address holds now, across all threads.
//
// Touched only at accept and at a connection's end, and only when the limit is set (0 = no
// limit: nothing is counted), so one mutex for all threads costs the echo path nothing.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice::detail {

// "192.0.2.1:5000" -> "192.0.2.1", "[2001:db8::1]:5000" -> "[2001:db8::1]".
std::string_view address_of(std::string_view peer) noexcept;

class PeerLimit {  // Owns the per-address counts; shared by every worker (its own lock).
 public:
    // True (and counted) if `address` holds fewer than `limit` connections.
    bool admit(std::string_view address, std::size_t limit);
    void release(std::string_view address);
    std::size_t count(std::string_view address);

 private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> counts_;   // no entry at 0: the map holds only live peers
};

}  // namespace sluice::detail
