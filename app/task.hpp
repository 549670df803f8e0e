// app/task.hpp — the coroutine type of a handler: `sluice::Task chat(sluice::Context& ctx)`.
//
// A Task starts EAGERLY: calling the handler runs its body up to the first suspension
// (a `co_await ctx.receive()` with nothing to receive yet, a send over backpressure, a
// sub-task that suspends). It never resumes itself: the connection that owns it resumes it
// when what it waits for happens, on the connection's thread.
//
// Ownership: the Task owns its coroutine frame and destroys it in its destructor, done or
// not. The server keeps each handler's Task inside the connection, so a frame is destroyed
// when its connection ends, never later (a frame suspended in receive() when the peer
// vanishes is first resumed with "no message", and destroyed at the latest when the
// connection object goes).
//
// A Task may also be awaited by another Task (`co_await helper(ctx)`): the awaiting one
// resumes when the helper finishes (symmetric transfer, no stack growth).
//
//   caller ──calls──▶ handler body ──co_await (not ready)──▶ back to caller, Task not done
//   connection ──resume()──▶ body continues ──returns──▶ final suspend: done() == true
//
// An exception escaping a handler is caught at the frame's edge and kept (failed() is
// true, rethrow_if_failed() rethrows it); the server then closes that connection with
// 1011 (RFC 6455 §7.4.1 "internal error") or answers 500.
#pragma once

#include <coroutine>
#include <exception>
#include <utility>

namespace sluice {

class Task {  // Owns its coroutine frame (move-only); destroying the Task destroys the frame.
 public:
    struct promise_type {
        std::coroutine_handle<> continuation;   // a Task awaiting this one, if any
        std::exception_ptr error;

        Task get_return_object() noexcept {
            return Task(std::coroutine_handle<promise_type>::from_promise(*this));
        }
        std::suspend_never initial_suspend() const noexcept { return {}; }   // eager start
        // Stay suspended at the end so the owner can see done() and destroy the frame;
        // hand control to the awaiting Task, if there is one.
        struct FinalAwaiter {
            bool await_ready() const noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) const noexcept {
                auto next = h.promise().continuation;
                return next ? next : std::noop_coroutine();
            }
            void await_resume() const noexcept {}
        };
        FinalAwaiter final_suspend() const noexcept { return {}; }
        void return_void() const noexcept {}
        void unhandled_exception() noexcept { error = std::current_exception(); }
    };

    Task() noexcept = default;
    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            reset();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { reset(); }

    // True when a frame is held (a handler was called and the Task not reset).
    bool valid() const noexcept { return static_cast<bool>(handle_); }
    explicit operator bool() const noexcept { return valid(); }
    // True when the body ran to its end (or threw). An empty Task counts as done.
    bool done() const noexcept { return !handle_ || handle_.done(); }
    // True when the body ended with an exception.
    bool failed() const noexcept { return handle_ && handle_.promise().error != nullptr; }
    // Built with -fno-exceptions nothing is ever thrown, so nothing is rethrown either.
    void rethrow_if_failed() const {
#if defined(__cpp_exceptions)
        if (failed()) std::rethrow_exception(handle_.promise().error);
#endif
    }
    // Resumes a suspended, not-done body (the owner calls this when the awaited event came).
    void resume() const {
        if (handle_ && !handle_.done()) handle_.resume();
    }
    // Destroys the frame now (its locals are destroyed; the body does not run further).
    void reset() noexcept {
        if (handle_) std::exchange(handle_, {}).destroy();
    }

    // `co_await sub_task`: ready if the sub-task is already done; otherwise the awaiting
    // coroutine resumes when it finishes. The awaited Task must outlive the co_await (it
    // does when written `co_await helper(ctx)`: the temporary lives in the caller's frame).
    bool await_ready() const noexcept { return done(); }
    void await_suspend(std::coroutine_handle<> awaiting) const noexcept { handle_.promise().continuation = awaiting; }
    void await_resume() const { rethrow_if_failed(); }

 private:
    explicit Task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
    std::coroutine_handle<promise_type> handle_;
};

}  // namespace sluice
