// app/deferred.hpp — a value that arrives later, from any thread, awaited by a coroutine
// upgrade hook (app/upgrade.hpp): a token lookup on a thread pool, a reply from a service.
//
//   sluice::Task check(sluice::Upgrade& up) {
//       sluice::Deferred<bool> valid = up.defer<bool>();
//       pool.submit([done = valid.completer(), token = std::string(up.query())] { done.set(verify(token)); });
//       std::optional<bool> ok = co_await valid;    // resumes on the connection's thread
//       if (ok == true) up.accept(); else up.reject(403);
//   }
//
//   Deferred<T>    the waiting side: made by Upgrade::defer<T>(), awaited once by the hook's
//                  Task, on the connection's thread. `co_await` yields std::optional<T>: the
//                  value, or nullopt if every Completer was dropped without setting one.
//   Completer<T>   the filling side: copyable, any thread. The first set() wins; later ones
//                  are ignored. Setting it after the connection ended (the handshake deadline
//                  answered, the peer left) is harmless: nobody waits any more.
//
// A set() from another thread posts the resumption to the connection's thread (its reactor's
// wake-up); one on that thread before the co_await makes the co_await not suspend at all.
// A Completer must not outlive its Server (it reaches the server's threads through it).
#pragma once

#include <coroutine>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace sluice {

class Upgrade;

namespace detail {

class ServerState;

// What a Deferred and its Completers share; owned by both sides' shared_ptrs.
class DeferredCore : public std::enable_shared_from_this<DeferredCore> {
 public:
    DeferredCore(ServerState* state, unsigned worker) noexcept : state_(state), worker_(worker) {}
    virtual ~DeferredCore() = default;
    DeferredCore(const DeferredCore&) = delete;
    DeferredCore& operator=(const DeferredCore&) = delete;

    // Any thread: runs `store` (which writes the value) and marks the core complete, once;
    // a coroutine already waiting is resumed on its connection's thread.
    template <class Store>
    void complete(Store&& store) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (complete_) return;
        store();
        complete_ = true;
        const bool waiting = static_cast<bool>(waiter_);
        lock.unlock();
        if (waiting) post_resume();
    }
    bool is_complete() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return complete_;
    }
    // The connection's thread: parks `h` unless already complete (then false: do not suspend).
    bool park(std::coroutine_handle<> h) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (complete_) return false;
        waiter_ = h;
        return true;
    }
    // The connection's thread: the waiting frame is being destroyed; never resume it.
    void forget() noexcept {
        std::lock_guard<std::mutex> lock(mutex_);
        waiter_ = {};
    }

 private:
    void post_resume();   // app/deferred.cpp: to the worker's reactor, which resumes waiter_
    mutable std::mutex mutex_;
    std::coroutine_handle<> waiter_;   // guarded by mutex_
    bool complete_ = false;            // guarded by mutex_
    ServerState* state_;
    unsigned worker_;
};

template <class T>
class DeferredState final : public DeferredCore {  // Owns the value once set.
 public:
    using DeferredCore::DeferredCore;
    std::optional<T> value;   // written once under complete(), read after is_complete()
};

// Completes its state with nothing when the last Completer copy is dropped.
template <class T>
struct CompleterLink {  // Shares the state; owned by every copy of one Completer.
    explicit CompleterLink(std::shared_ptr<DeferredState<T>> s) noexcept : state(std::move(s)) {}
    ~CompleterLink() {
        state->complete([] {});
    }
    CompleterLink(const CompleterLink&) = delete;
    CompleterLink& operator=(const CompleterLink&) = delete;
    std::shared_ptr<DeferredState<T>> state;
};

}  // namespace detail

template <class T>
class Completer {  // Shares the state with its Deferred; copyable, usable from any thread.
 public:
    void set(T value) const {
        detail::DeferredState<T>& s = *link_->state;
        s.complete([&s, &value] { s.value.emplace(std::move(value)); });
    }

 private:
    template <class>
    friend class Deferred;
    explicit Completer(std::shared_ptr<detail::CompleterLink<T>> link) noexcept : link_(std::move(link)) {}
    std::shared_ptr<detail::CompleterLink<T>> link_;
};

template <class T>
class [[nodiscard]] Deferred {  // Shares the state with its Completers; move-only, one connection's thread.
 public:
    Deferred(Deferred&& other) noexcept = default;
    Deferred& operator=(Deferred&&) = delete;
    Deferred(const Deferred&) = delete;
    Deferred& operator=(const Deferred&) = delete;
    ~Deferred() {
        if (state_) state_->forget();
    }

    // The filling side; every call returns a copy of the same one (so "all dropped" means all).
    Completer<T> completer() {
        std::shared_ptr<detail::CompleterLink<T>> link = link_.lock();
        if (!link) {
            link = std::make_shared<detail::CompleterLink<T>>(state_);
            link_ = link;
        }
        return Completer<T>(std::move(link));
    }

    bool await_ready() const { return state_->is_complete(); }
    bool await_suspend(std::coroutine_handle<> h) { return state_->park(h); }
    std::optional<T> await_resume() { return std::move(state_->value); }

 private:
    friend class Upgrade;
    Deferred(detail::ServerState* state, unsigned worker)
        : state_(std::make_shared<detail::DeferredState<T>>(state, worker)) {}
    std::shared_ptr<detail::DeferredState<T>> state_;
    std::weak_ptr<detail::CompleterLink<T>> link_;
};

}  // namespace sluice
