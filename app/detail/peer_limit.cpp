// app/detail/peer_limit.cpp
#include "app/detail/peer_limit.hpp"

namespace sluice::detail {

std::string_view address_of(std::string_view peer) noexcept {
    const std::size_t colon = peer.rfind(':');
    return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

bool PeerLimit::admit(std::string_view address, std::size_t limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = counts_.find(std::string(address));
    if (it == counts_.end()) it = counts_.emplace(std::string(address), 0).first;
    if (it->second >= limit) return false;
    ++it->second;
    return true;
}

void PeerLimit::release(std::string_view address) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = counts_.find(std::string(address));
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
}

std::size_t PeerLimit::count(std::string_view address) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = counts_.find(std::string(address));
    return it == counts_.end() ? 0 : it->second;
}

}  // namespace sluice::detail
