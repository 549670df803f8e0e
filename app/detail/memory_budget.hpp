// app/detail/memory_budget.hpp — max_memory: the bytes held in WebSocket assembly buffers and
// output queues, all connections of all threads together, kept under a budget.
//
//   every worker callback's end (Worker::leave) ─▶ check():
//     held here = output pool blocks in use × block size + assembly bytes lent
//     the change since the last check ─▶ ServerState's total (one atomic add, only on change)
//     total > max_memory ─▶ pause reading on this thread's WebSockets (new messages wait)
//                           and shed this thread's largest consumer while still over:
//                           a message being assembled -> close 1009, a queue -> close 1008,
//                           a log line each, sluice_memory_shed_total{code}
//     total <= max_memory ─▶ reading resumes
//
// A shed connection sends nothing more and reads nothing more; its memory returns when its
// peer takes the close (or after close_timeout), so it is counted as leaving, not shed twice.
// Off (max_memory 0, the default) it costs one test per callback.
//
// The bound: checked at the end of each callback, so the total can pass the budget by what
// one callback adds on each thread before reading stops: one read (at most the reactor's
// 256 KiB receive buffer) into an assembly buffer, plus what the handlers queue in that
// callback. Not one block: holding it to one block would mean refusing a buffer mid-read,
// which the receiver can only answer with 1011. Shared frames larger than an output block
// (heap-allocated) are not counted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::detail {

class Worker;

class MemoryBudget {  // One per Worker, used by its thread only.
 public:
    void check(Worker& w);

 private:
    void shed(Worker& w, std::int64_t total, std::int64_t budget);
    std::int64_t reported_ = 0;   // this thread's share of ServerState::memory_held
    bool paused_ = false;         // this thread's WebSockets are not read
};

}  // namespace sluice::detail
