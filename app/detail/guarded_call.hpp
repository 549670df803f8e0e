// app/detail/guarded_call.hpp — the one way app/ runs user code (a handler, a client's
// on_error / on_reconnect, a ClientLoop::post job): what it throws never unwinds into the
// reactor loop; it is reported to `on_error` with its what() and the call answers false.
// Built with -fno-exceptions (a vendor's constrained target) user code's errors are its own
// business: this only calls it.
#pragma once

#include <string_view>
#if defined(__cpp_exceptions)
#include <exception>
#endif

namespace sluice::detail {

template <class F, class OnError>
bool guarded_call(F&& fn, OnError&& on_error) noexcept {
#if defined(__cpp_exceptions)
    try {
        fn();
        return true;
    } catch (const std::exception& e) {
        on_error(std::string_view(e.what()));
    } catch (...) {
        on_error(std::string_view("an exception not derived from std::exception"));
    }
    return false;
#else
    (void)on_error;
    fn();
    return true;
#endif
}

}  // namespace sluice::detail
