// app/detail/assembly_cache.hpp — one worker's released message assembly buffers, lent again.
//
// A WebSocket message that spans reads is assembled in a buffer proto::WsReceiver takes
// when it needs one and gives back once the message is delivered (usually within the same
// read). Without a cache that is one std::malloc + std::free per such message, and glibc
// trims the heap top with brk() after each free. The worker keeps the few blocks released
// last and lends them to the next message whose size they fit (proto::WsBufferSource):
//
//   WsReceiver ── acquire(min, max) ──▶ cached block with min <= capacity <= max, else malloc(min)
//              ◀─ release(block) ────── kept if kMaxBlocks / kMaxBytes allow, else free
//
// A block is lent only within the [min, max] the receiver asks for, so its memory contract
// (capacity at most twice the bytes held, never past max_message_size) holds unchanged.
// An idle connection holds none; the cache itself holds at most kMaxBytes per worker.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "proto/ws_receiver.hpp"

namespace sluice::detail {

class AssemblyCache {  // Owns the blocks it keeps (std::malloc'd); lent blocks belong to the borrower until released.
 public:
    static constexpr std::size_t kMaxBlocks = 4;             // blocks kept at once
    static constexpr std::size_t kMaxBytes = 1024 * 1024;    // their total size

    AssemblyCache() noexcept = default;
    ~AssemblyCache();
    AssemblyCache(const AssemblyCache&) = delete;
    AssemblyCache& operator=(const AssemblyCache&) = delete;

    // The source to give a WsSession / WsReceiver; valid while this cache lives.
    const proto::WsBufferSource* source() const noexcept { return &source_; }

    std::uint8_t* acquire(std::size_t min, std::size_t max, std::size_t& capacity) noexcept;
    void release(std::uint8_t* data, std::size_t capacity) noexcept;

    std::size_t blocks() const noexcept { return count_; }   // kept right now
    std::size_t bytes() const noexcept { return bytes_; }
    std::size_t allocations() const noexcept { return allocations_; }   // std::malloc calls, ever
    std::size_t lent() const noexcept { return lent_; }   // bytes held by borrowers now (max_memory counts them)

 private:
    static std::uint8_t* acquire_fn(void* self, std::size_t min, std::size_t max, std::size_t& capacity) noexcept;
    static void release_fn(void* self, std::uint8_t* data, std::size_t capacity) noexcept;

    struct Block {
        std::uint8_t* data = nullptr;
        std::size_t capacity = 0;
    };
    std::array<Block, kMaxBlocks> kept_{};
    std::size_t count_ = 0;
    std::size_t bytes_ = 0;
    std::size_t allocations_ = 0;
    std::size_t lent_ = 0;
    proto::WsBufferSource source_{this, &acquire_fn, &release_fn};   // what source() points to
};

}  // namespace sluice::detail
