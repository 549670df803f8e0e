#include "core/buffer.hpp"

#include <cstring>

namespace sluice::core {

Buffer::Buffer(std::uint8_t* storage, std::size_t capacity, std::size_t prepend_room) noexcept
    : storage_(storage),
      capacity_(storage == nullptr ? 0 : capacity),
      prepend_room_(prepend_room < capacity_ ? prepend_room : capacity_),
      read_(prepend_room_),
      write_(prepend_room_) {}

void Buffer::commit(std::size_t n) noexcept {
    const std::size_t room = writable_size();
    write_ += n < room ? n : room;
}

void Buffer::consume(std::size_t n) noexcept {
    if (n >= readable_size()) {
        clear();
        return;
    }
    read_ += n;
}

std::uint8_t* Buffer::prepend(std::size_t n) noexcept {
    if (n > read_) return nullptr;
    read_ -= n;
    return storage_ + read_;
}

bool Buffer::append(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() > writable_size()) return false;
    if (!bytes.empty()) std::memcpy(storage_ + write_, bytes.data(), bytes.size());
    write_ += bytes.size();
    return true;
}

void Buffer::compact() noexcept {
    // Content that already starts at or before the boundary (after prepend()) stays put:
    // moving it forward would only lose writable room.
    if (read_ <= prepend_room_) return;
    const std::size_t size = readable_size();
    if (size > 0) std::memmove(storage_ + prepend_room_, storage_ + read_, size);
    read_ = prepend_room_;
    write_ = prepend_room_ + size;
}

}  // namespace sluice::core
