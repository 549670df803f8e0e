// app/deferred.cpp — the one cross-thread step of a Deferred: resuming its waiter on the
// connection's thread (app/deferred.hpp).
#include "app/deferred.hpp"

#include "app/detail/worker.hpp"

namespace sluice::detail {

void DeferredCore::post_resume() {
    // Under the lock that keeps the worker alive while it is posted to (as Server::publish).
    std::lock_guard<std::mutex> workers(state_->workers_mutex);
    if (worker_ >= state_->workers.size() || !state_->workers[worker_]) return;   // the server stopped
    Worker* w = state_->workers[worker_].get();
    w->reactor.post([w, self = shared_from_this()] {
        Worker::Scope scope(*w);   // what the resumed hook did is written out when this ends
        std::coroutine_handle<> h;
        {
            std::lock_guard<std::mutex> lock(self->mutex_);
            h = std::exchange(self->waiter_, {});
        }
        if (h) h.resume();   // null: the waiting frame was destroyed meanwhile (forget())
    });
}

}  // namespace sluice::detail
