// app/detail/http_adapter.cpp
#include "app/detail/http_adapter.hpp"

#include "app/detail/connection.hpp"

namespace sluice::detail {

void HttpAdapter::on_request(Connection& c) { (*handler_)(c.context()); }

// The handler has returned by now (it is called synchronously). A stream it began stays
// open: its timers may write to it, and end_stream() ends it.
void HttpAdapter::settle_request(Connection& c) {
    if (!c.responded() && !c.settle_push()) c.respond(500, "the handler did not respond\n", kTextPlain);
}

}  // namespace sluice::detail
