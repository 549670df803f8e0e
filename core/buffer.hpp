// core/buffer.hpp — a fixed-capacity byte buffer with room reserved in front.
//
//   +-------------------+------------------+------------------+
//   | prependable bytes |  readable bytes  |  writable bytes  |
//   |                   |    (content)     |                  |
//   +-------------------+------------------+------------------+
//   0       <=       read_      <=       write_     <=     capacity
//
// A producer writes into writable() and commit()s what it wrote; a consumer reads
// readable() and consume()s what it used. The prependable region starts out as
// `prepend_room` bytes (default kFramePrependRoom = 14, the largest RFC 6455 §5.2 frame
// header: 2 + 8 bytes of length + 4 of mask), so a payload written first can be framed
// afterwards by prepend()ing its header, without moving the payload.
//
// The buffer never reallocates: when it is full, append() says so and the caller decides
// (queue another block, apply backpressure). compact() moves the readable bytes back to
// the prepend boundary to regain writable room; that is the only memmove it ever does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::core {

// RFC 6455 §5.2: 2 fixed bytes + 8 bytes of extended length + 4 bytes of masking key.
inline constexpr std::size_t kFramePrependRoom = 14;

class Buffer {  // Does not own its storage: views memory its creator supplies (pool block or array).
 public:
    Buffer() noexcept = default;
    // Views `capacity` bytes at `storage`; the first `prepend_room` (clamped to capacity)
    // are kept free for prepend(). The storage must outlive the Buffer.
    Buffer(std::uint8_t* storage, std::size_t capacity, std::size_t prepend_room = kFramePrependRoom) noexcept;

    // The content: bytes committed and not yet consumed.
    std::span<std::uint8_t> readable() noexcept { return {storage_ + read_, write_ - read_}; }
    std::span<const std::uint8_t> readable() const noexcept { return {storage_ + read_, write_ - read_}; }
    std::size_t readable_size() const noexcept { return write_ - read_; }

    // Free room after the content, where the next bytes are written before commit().
    std::span<std::uint8_t> writable() noexcept { return {storage_ + write_, capacity_ - write_}; }
    std::size_t writable_size() const noexcept { return capacity_ - write_; }

    // Free room before the content, where prepend() writes.
    std::size_t prependable_size() const noexcept { return read_; }

    // n bytes were written into writable(); they become readable. n is clamped to
    // writable_size().
    void commit(std::size_t n) noexcept;

    // n readable bytes are done with. n is clamped to readable_size(). When the buffer
    // becomes empty it resets to the prepend boundary (prependable_size() == the original
    // prepend room, writable_size() maximal), which costs nothing since nothing moves.
    void consume(std::size_t n) noexcept;

    // Grows the content n bytes to the front and returns where to write them; nullptr
    // (and no change) if prependable_size() < n.
    std::uint8_t* prepend(std::size_t n) noexcept;

    // Copies bytes to the end of the content; false (and nothing written) if
    // writable_size() < bytes.size(). Does not compact by itself.
    bool append(std::span<const std::uint8_t> bytes) noexcept;

    // Moves the content back to the prepend boundary so all free room after it is
    // writable. A no-op when the content starts at or before the boundary.
    void compact() noexcept;

    // Drops the content; back to the state right after construction.
    void clear() noexcept { read_ = write_ = prepend_room_; }

    std::size_t capacity() const noexcept { return capacity_; }
    std::uint8_t* storage() noexcept { return storage_; }

 private:
    std::uint8_t* storage_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t prepend_room_ = 0;
    std::size_t read_ = 0;   // start of the content
    std::size_t write_ = 0;  // end of the content
};

}  // namespace sluice::core
