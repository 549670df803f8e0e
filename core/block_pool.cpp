#include "core/block_pool.hpp"

#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

// Under AddressSanitizer a free block is poisoned (all but its free-list link), so a
// read or write through a pointer kept after release() is reported where it happens.
#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_POOL_ASAN 1
#endif
#endif
#if defined(SLUICE_POOL_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace sluice::core {
namespace {

constexpr std::size_t kAlign = 16;
constexpr std::size_t round_up(std::size_t n) noexcept { return (n + kAlign - 1) / kAlign * kAlign; }

// The free list and chunk list store a pointer in the first bytes of a block; memcpy
// keeps this free of aliasing assumptions.
inline void* read_link(const void* at) noexcept {
    void* next;
    std::memcpy(&next, at, sizeof next);
    return next;
}
inline void write_link(void* at, void* next) noexcept { std::memcpy(at, &next, sizeof next); }

// Marks bytes unusable (a chunk's uncarved blocks), or a free block's payload after its link.
inline void poison(std::uint8_t* bytes, std::size_t size) noexcept {
#if defined(SLUICE_POOL_ASAN)
    ASAN_POISON_MEMORY_REGION(bytes, size);
#else
    (void)bytes;
    (void)size;
#endif
}
inline void poison_free(std::uint8_t* block, std::size_t size) noexcept {
    poison(block + sizeof(void*), size - sizeof(void*));
}
inline void unpoison(std::uint8_t* block, std::size_t size) noexcept {
#if defined(SLUICE_POOL_ASAN)
    ASAN_UNPOISON_MEMORY_REGION(block, size);
#else
    (void)block;
    (void)size;
#endif
}

}  // namespace

BlockPool::BlockPool(std::size_t block_size, std::size_t blocks_per_chunk) noexcept
    : block_size_(round_up(block_size == 0 ? 1 : block_size)),
      blocks_per_chunk_(blocks_per_chunk == 0 ? 1 : blocks_per_chunk) {}

BlockPool::~BlockPool() {
    void* chunk = chunks_head_;
    while (chunk != nullptr) {
        void* next = read_link(chunk);
        unpoison(static_cast<std::uint8_t*>(chunk), kAlign + block_size_ * blocks_per_chunk_);
        ::operator delete(chunk);
        chunk = next;
    }
}

bool BlockPool::grow() noexcept {
    // Header of kAlign bytes (the next-chunk link), then the blocks.
    if (blocks_per_chunk_ > (SIZE_MAX - kAlign) / block_size_) return false;
    const std::size_t bytes = kAlign + block_size_ * blocks_per_chunk_;
    void* chunk = ::operator new(bytes, std::nothrow);
    if (chunk == nullptr) return false;
    write_link(chunk, chunks_head_);
    chunks_head_ = chunk;
    ++chunks_;
    // The blocks are carved on demand, in address order: none is written before it is
    // acquired, so a chunk's untouched blocks stay untouched pages (a 1 MiB chunk of 16 KiB
    // blocks linked up front made 64 pages resident for one block in use).
    carve_ = static_cast<std::uint8_t*>(chunk) + kAlign;
    uncarved_ = blocks_per_chunk_;
    poison(carve_, block_size_ * blocks_per_chunk_);
    allocated_ += blocks_per_chunk_;
    return true;
}

std::uint8_t* BlockPool::acquire() noexcept {
    std::uint8_t* block = nullptr;
    if (free_ != nullptr) {
        block = static_cast<std::uint8_t*>(free_);
        unpoison(block, block_size_);
        free_ = read_link(block);
    } else {
        if (uncarved_ == 0 && !grow()) return nullptr;
        block = carve_;
        carve_ += block_size_;
        --uncarved_;
        unpoison(block, block_size_);
    }
    ++in_use_;
    if (in_use_ > high_water_) high_water_ = in_use_;
    return block;
}

void BlockPool::release(std::uint8_t* block) noexcept {
    if (block == nullptr) return;
    write_link(block, free_);
    poison_free(block, block_size_);
    free_ = block;
    --in_use_;
}

// ---- SharedBytes -----------------------------------------------------------------------

struct SharedBytes::Header {
    BlockPool* pool;     // nullptr => the allocation came from operator new
    std::size_t size;    // bytes after the header
    std::uint32_t refs;  // handles alive; one thread only
};

namespace {
// The bytes start this far into the allocation, keeping them 16-byte aligned.
constexpr std::size_t kHeaderSize = SharedBytes::kHeaderBytes;
}  // namespace

SharedBytes SharedBytes::create(BlockPool* pool, std::size_t size) noexcept {
    static_assert(sizeof(Header) <= kHeaderSize && kHeaderSize % kAlign == 0);
    void* memory = nullptr;
    BlockPool* owner = nullptr;
    if (pool != nullptr && size <= pool->block_size() && kHeaderSize <= pool->block_size() - size) {
        memory = pool->acquire();
        owner = pool;
    } else {
        if (size > static_cast<std::size_t>(-1) - kHeaderSize) return {};
        memory = ::operator new(kHeaderSize + size, std::nothrow);
    }
    if (memory == nullptr) return {};
    auto* header = ::new (memory) Header{owner, size, 1};
    return SharedBytes(header);
}

SharedBytes::SharedBytes(const SharedBytes& other) noexcept : header_(other.header_) {
    if (header_ != nullptr) ++header_->refs;
}

SharedBytes::SharedBytes(SharedBytes&& other) noexcept : header_(std::exchange(other.header_, nullptr)) {}

SharedBytes& SharedBytes::operator=(const SharedBytes& other) noexcept {
    Header* header = other.header_;  // read before reset(): `other` may be *this
    if (header != nullptr) ++header->refs;
    reset();
    header_ = header;
    return *this;
}

SharedBytes& SharedBytes::operator=(SharedBytes&& other) noexcept {
    if (this != &other) {
        reset();
        header_ = std::exchange(other.header_, nullptr);
    }
    return *this;
}

void SharedBytes::reset() noexcept {
    Header* header = std::exchange(header_, nullptr);
    if (header == nullptr || --header->refs > 0) return;
    BlockPool* pool = header->pool;
    header->~Header();
    if (pool != nullptr) {
        pool->release(reinterpret_cast<std::uint8_t*>(header));
    } else {
        ::operator delete(static_cast<void*>(header));
    }
}

std::span<std::uint8_t> SharedBytes::writable() noexcept {
    if (header_ == nullptr) return {};
    return {reinterpret_cast<std::uint8_t*>(header_) + kHeaderSize, header_->size};
}

std::span<const std::uint8_t> SharedBytes::bytes() const noexcept {
    if (header_ == nullptr) return {};
    return {reinterpret_cast<const std::uint8_t*>(header_) + kHeaderSize, header_->size};
}

std::size_t SharedBytes::size() const noexcept { return header_ == nullptr ? 0 : header_->size; }

std::size_t SharedBytes::use_count() const noexcept { return header_ == nullptr ? 0 : header_->refs; }

}  // namespace sluice::core
