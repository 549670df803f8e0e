// app/detail/assembly_cache.cpp
#include "app/detail/assembly_cache.hpp"

#include <cstdlib>

namespace sluice::detail {

AssemblyCache::~AssemblyCache() {
    for (std::size_t i = 0; i < count_; ++i) std::free(kept_[i].data);
}

std::uint8_t* AssemblyCache::acquire(std::size_t min, std::size_t max, std::size_t& capacity) noexcept {
    // The most recently released block that fits: the one most likely still in cache.
    for (std::size_t i = count_; i-- > 0;) {
        const Block b = kept_[i];
        if (b.capacity < min || b.capacity > max) continue;
        kept_[i] = kept_[count_ - 1];
        --count_;
        bytes_ -= b.capacity;
        capacity = b.capacity;
        lent_ += capacity;
        return b.data;
    }
    auto* data = static_cast<std::uint8_t*>(std::malloc(min == 0 ? 1 : min));
    if (data == nullptr) return nullptr;
    ++allocations_;
    capacity = min;
    lent_ += capacity;
    return data;
}

void AssemblyCache::release(std::uint8_t* data, std::size_t capacity) noexcept {
    if (data == nullptr) return;
    lent_ -= capacity;
    if (count_ == kMaxBlocks || capacity > kMaxBytes - bytes_) {
        std::free(data);
        return;
    }
    kept_[count_++] = Block{data, capacity};
    bytes_ += capacity;
}

std::uint8_t* AssemblyCache::acquire_fn(void* self, std::size_t min, std::size_t max, std::size_t& capacity) noexcept {
    return static_cast<AssemblyCache*>(self)->acquire(min, max, capacity);
}

void AssemblyCache::release_fn(void* self, std::uint8_t* data, std::size_t capacity) noexcept {
    static_cast<AssemblyCache*>(self)->release(data, capacity);
}

}  // namespace sluice::detail
