// app/detail/connection_active.hpp — the worker's spare ActiveStates (connection.hpp): what
// only a busy connection needs (its WebSocket session's receive state, its output queue).
//
// A connection takes one on its first byte in or out and gives it back when its WebSocket is
// idle again (no partial frame or message, nothing queued, open): an idle WebSocket keeps a
// pointer here, not the 240 bytes. A few spares are kept so a busy loop does not allocate.
#pragma once

#include <cstddef>
#include <vector>

namespace sluice::core {
class BlockPool;
}

namespace sluice::detail {

struct ActiveState;

class ActivePool {  // Owns the spare ActiveStates of one worker; its thread only.
 public:
    ActivePool();
    ~ActivePool();
    ActivePool(const ActivePool&) = delete;
    ActivePool& operator=(const ActivePool&) = delete;

    // A spare, or a new one (output queue on `pool`, bounded by `bound` bytes): no session.
    ActiveState* take(core::BlockPool* pool, std::size_t bound);
    // Back from an idle connection: empty queue, no session. Kept up to kMaxSpares, else freed.
    void give(ActiveState* a) noexcept;
    std::size_t spares() const noexcept { return spare_.size(); }

    static constexpr std::size_t kMaxSpares = 256;   // at most 64 KiB kept for the next busy ones

 private:
    std::vector<ActiveState*> spare_;
};

}  // namespace sluice::detail
