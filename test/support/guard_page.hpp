// test/support/guard_page.hpp — places bytes so that the first byte past them is unmapped.
//
//   | ...page(s) read-write ... [ your bytes ] | PROT_NONE page |
//                                            ^ page boundary: reading here crashes
//
// A parser that reads even one byte beyond the span it was given dies with SIGSEGV (and
// under ASan, with a report naming the read), instead of silently reading a sentinel.
// Used by every parser test: feed GuardedBytes(input).span() rather than the input.
// Test-only (POSIX mmap/mprotect); not part of the library.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace sluice::test {

class GuardedBytes {  // Owns its mapping (data pages + the guard page); unmaps it on destruction.
 public:
    explicit GuardedBytes(std::span<const std::uint8_t> bytes) noexcept { place(bytes.data(), bytes.size()); }
    explicit GuardedBytes(std::string_view text) noexcept { place(text.data(), text.size()); }
    ~GuardedBytes() {
        if (base_ != nullptr) munmap(base_, mapped_);
    }
    GuardedBytes(const GuardedBytes&) = delete;
    GuardedBytes& operator=(const GuardedBytes&) = delete;

    // The copy of the bytes; data() + size() is the first byte of the PROT_NONE page.
    std::span<const std::uint8_t> span() const noexcept { return {data_, size_}; }
    std::string_view view() const noexcept { return {reinterpret_cast<const char*>(data_), size_}; }
    const std::uint8_t* data() const noexcept { return data_; }
    std::uint8_t* mutable_data() noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    // False only if mmap or mprotect failed (then span() is empty).
    bool ok() const noexcept { return base_ != nullptr; }
    static std::size_t page_size() noexcept { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

 private:
    void place(const void* bytes, std::size_t size) noexcept {
        const std::size_t page = page_size();
        const std::size_t data_pages = (size + page - 1) / page;
        mapped_ = (data_pages + 1) * page;
        void* base = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED) return;
        auto* guard = static_cast<std::uint8_t*>(base) + data_pages * page;
        if (mprotect(guard, page, PROT_NONE) != 0) {
            munmap(base, mapped_);
            return;
        }
        base_ = base;
        data_ = guard - size;
        size_ = size;
        if (size > 0) std::memcpy(data_, bytes, size);
    }

    void* base_ = nullptr;
    std::size_t mapped_ = 0;
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace sluice::test
