// fuzz/lending_source.hpp — a proto::WsBufferSource for the frame harnesses that lends
// assembly buffers the way app/'s per-worker AssemblyCache does in production, and checks
// the receiver's side of the contract (proto/ws_receiver.hpp, "the memory contract"):
//
//   acquire(min, max): 0 < min <= max <= max_message_size, asked for with at most one
//                      block out, or two while growing (the new one before the old goes back);
//   release(p, cap):   p is a block we lent, with the capacity we reported, once;
//   at the end:        every block came back (checked by finish(), after the receiver died).
//
// Like the cache, it keeps the last few released blocks and lends the most recent one that
// fits [min, max]; otherwise it allocates a new one, and — unlike the cache, which always
// allocates exactly min — gives it an input-chosen capacity anywhere in [min, max], since a
// receiver must work with any block the contract allows. New blocks are filled with 0xA5 so
// that bytes read before they are written show up in the transcript. Acquisition number
// `refuse_at` returns null (the receiver must fail with 1011).
// Owns the blocks it keeps; lent blocks belong to the receiver until released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "proto/ws_receiver.hpp"

namespace sluice::fuzz {

class LendingSource {
 public:
    LendingSource(std::uint64_t max_message_size, std::size_t refuse_at, std::uint8_t seed) noexcept
        : max_message_(max_message_size), refuse_at_(refuse_at), seed_(seed) {}
    ~LendingSource() {
        for (const Block& b : kept_) std::free(b.data);
        for (const Block& b : lent_) std::free(b.data);  // only after a failed check
    }
    LendingSource(const LendingSource&) = delete;
    LendingSource& operator=(const LendingSource&) = delete;

    const proto::WsBufferSource* source() const noexcept { return &source_; }
    bool refused() const noexcept { return refused_; }
    std::size_t lent() const noexcept { return lent_.size(); }
    // The capacity of the one block out right now (0 if none): what the receiver reports.
    std::size_t lent_capacity() const noexcept { return lent_.empty() ? 0 : lent_.back().capacity; }
    void finish() const { SLUICE_FUZZ_CHECK(lent_.empty()); }

 private:
    struct Block {
        std::uint8_t* data = nullptr;
        std::size_t capacity = 0;
    };
    static constexpr std::size_t kKept = 4;  // as AssemblyCache::kMaxBlocks

    std::uint8_t* acquire(std::size_t min, std::size_t max, std::size_t& capacity) {
        SLUICE_FUZZ_CHECK(min > 0 && min <= max && max <= max_message_);
        SLUICE_FUZZ_CHECK(lent_.size() <= 1);
        if (acquisitions_++ == refuse_at_) {
            refused_ = true;
            return nullptr;
        }
        Block b;
        for (std::size_t i = kept_.size(); i-- > 0;) {
            if (kept_[i].capacity < min || kept_[i].capacity > max) continue;
            b = kept_[i];
            kept_.erase(kept_.begin() + static_cast<std::ptrdiff_t>(i));
            break;
        }
        if (b.data == nullptr) {
            seed_ = static_cast<std::uint8_t>(seed_ * 37 + 11);
            const std::size_t span = max - min;
            b.capacity = min + (seed_ % 4 == 0 ? span : span * (seed_ % 4) / 8);
            b.data = static_cast<std::uint8_t*>(std::malloc(b.capacity));
            SLUICE_FUZZ_CHECK(b.data != nullptr);
            std::memset(b.data, 0xA5, b.capacity);
        }
        lent_.push_back(b);
        capacity = b.capacity;
        return b.data;
    }

    void release(std::uint8_t* data, std::size_t capacity) {
        std::size_t i = 0;
        while (i < lent_.size() && lent_[i].data != data) ++i;
        SLUICE_FUZZ_CHECK(i < lent_.size());  // never lent, or released twice
        SLUICE_FUZZ_CHECK(lent_[i].capacity == capacity);
        const Block b = lent_[i];
        lent_.erase(lent_.begin() + static_cast<std::ptrdiff_t>(i));
        if (kept_.size() == kKept) {
            std::free(kept_.front().data);
            kept_.erase(kept_.begin());
        }
        kept_.push_back(b);
    }

    static std::uint8_t* acquire_fn(void* self, std::size_t min, std::size_t max, std::size_t& capacity) noexcept {
        return static_cast<LendingSource*>(self)->acquire(min, max, capacity);
    }
    static void release_fn(void* self, std::uint8_t* data, std::size_t capacity) noexcept {
        static_cast<LendingSource*>(self)->release(data, capacity);
    }

    std::uint64_t max_message_;
    std::size_t refuse_at_;
    std::uint8_t seed_;
    std::size_t acquisitions_ = 0;
    bool refused_ = false;
    std::vector<Block> kept_;
    std::vector<Block> lent_;
    proto::WsBufferSource source_{this, &acquire_fn, &release_fn};
};

}  // namespace sluice::fuzz
