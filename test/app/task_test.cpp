// test/app/task_test.cpp — the coroutine type: eager start, resumption by its owner,
// nested tasks, exceptions kept, frames destroyed with the Task.
#include "app/task.hpp"

#include <doctest/doctest.h>

#include <coroutine>
#include <stdexcept>
#include <vector>

using sluice::Task;

namespace {

// A hand-driven awaitable: parks the coroutine until the test resumes it (what a
// connection does with receive()).
struct Gate {
    std::coroutine_handle<> waiting;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept { waiting = h; }
    void await_resume() const noexcept {}
    void open() { std::exchange(waiting, {}).resume(); }
};

struct Counted {
    int* alive;
    explicit Counted(int* a) : alive(a) { ++*alive; }
    ~Counted() { --*alive; }
};

Task steps(std::vector<int>& log, Gate& gate) {
    log.push_back(1);
    co_await gate;
    log.push_back(2);
    co_await gate;
    log.push_back(3);
}

Task child(std::vector<int>& log, Gate& gate) {
    log.push_back(10);
    co_await gate;
    log.push_back(11);
}

Task parent(std::vector<int>& log, Gate& gate) {
    log.push_back(0);
    co_await child(log, gate);
    log.push_back(1);
}

Task holds(int* alive, Gate& gate) {
    Counted c(alive);
    co_await gate;
}

Task throws(Gate& gate) {
    co_await gate;
    throw std::runtime_error("boom");
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("task: starts eagerly and runs to its first suspension") {
    std::vector<int> log;
    Gate gate;
    Task t = steps(log, gate);
    CHECK(log == std::vector<int>{1});
    CHECK(t.valid());
    CHECK_FALSE(t.done());
    gate.open();
    CHECK(log == std::vector<int>{1, 2});
    gate.open();
    CHECK(log == std::vector<int>{1, 2, 3});
    CHECK(t.done());
    CHECK_FALSE(t.failed());
}

TEST_CASE("task: a task that never suspends is done at once") {
    auto immediate = []() -> Task { co_return; };
    Task t = immediate();
    CHECK(t.done());
    Task empty;
    CHECK(empty.done());
    CHECK_FALSE(empty.valid());
}

TEST_CASE("task: awaiting a sub-task resumes the parent when the child finishes") {
    std::vector<int> log;
    Gate gate;
    Task t = parent(log, gate);
    CHECK(log == std::vector<int>{0, 10});
    CHECK_FALSE(t.done());
    gate.open();   // resumes the child, which finishes and transfers to the parent
    CHECK(log == std::vector<int>{0, 10, 11, 1});
    CHECK(t.done());
}

TEST_CASE("task: destroying a suspended task destroys its frame and locals (ASan proves no leak)") {
    int alive = 0;
    Gate gate;
    {
        Task t = holds(&alive, gate);
        CHECK(alive == 1);
    }
    CHECK(alive == 0);
    Task a = holds(&alive, gate);
    Task b;
    b = std::move(a);   // moving transfers the frame
    CHECK_FALSE(a.valid());
    CHECK(alive == 1);
    b.reset();
    CHECK(alive == 0);
}

TEST_CASE("task: an exception is kept in the frame, not thrown into the resumer") {
    Gate gate;
    Task t = throws(gate);
    CHECK_NOTHROW(gate.open());
    CHECK(t.done());
    CHECK(t.failed());
    CHECK_THROWS_AS(t.rethrow_if_failed(), std::runtime_error);
}

}  // TEST_SUITE
