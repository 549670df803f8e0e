// app/detail/memory_budget.cpp
#include "app/detail/memory_budget.hpp"

#include <string>

#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"
#include "proto/ws_close.hpp"

namespace sluice::detail {

void MemoryBudget::check(Worker& w) {
    const auto held = static_cast<std::int64_t>(w.pool.in_use() * w.pool.block_size() + w.assembly.lent());
    if (held != reported_) {
        w.state.memory_held.fetch_add(held - reported_, std::memory_order_relaxed);
        reported_ = held;
    }
    const auto budget = static_cast<std::int64_t>(w.settings.max_memory);
    const std::int64_t total = w.state.memory_held.load(std::memory_order_relaxed);
    if (total <= budget) {
        if (paused_) {
            paused_ = false;
            for (Connection* c : w.connections()) c->pause_for_budget(false);
        }
        return;
    }
    paused_ = true;   // new messages wait (a connection that arrived since is paused too)
    for (Connection* c : w.connections()) c->pause_for_budget(true);
    shed(w, total, budget);
}

// Largest first, until what is left (less what shed connections will give back) fits.
void MemoryBudget::shed(Worker& w, std::int64_t total, std::int64_t budget) {
    std::int64_t excess = total - budget;
    for (const Connection* c : w.connections()) {
        if (c->ws_ever() && !c->can_send()) excess -= static_cast<std::int64_t>(c->assembly_held() + c->buffered());
    }
    while (excess > 0) {
        Connection* largest = nullptr;
        std::size_t most = 0;
        for (Connection* c : w.connections()) {
            const std::size_t h = c->can_send() ? c->assembly_held() + c->buffered() : 0;
            if (h > most) {
                most = h;
                largest = c;
            }
        }
        if (largest == nullptr) return;   // what is left is not a WebSocket's (HTTP, shared frames)
        const bool message = largest->assembly_held() >= largest->buffered();
        const std::uint16_t code = message ? proto::kCloseMessageTooBig : proto::kClosePolicyViolation;
        w.state.log("memory budget: shedding #" + std::to_string(largest->id()) + " " + std::string(largest->peer()) +
                    " holding " + std::to_string(most) + " bytes (" + (message ? "a message being assembled" : "its output queue") +
                    "), " + std::to_string(total) + " held of max_memory " + std::to_string(budget) + ", closing with " +
                    std::to_string(code));
        w.metrics.shed_one(message ? Shed::message_1009 : Shed::queue_1008);
        largest->shed(code);
        excess -= static_cast<std::int64_t>(most);
    }
}

}  // namespace sluice::detail
