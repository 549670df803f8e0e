#include "app/demo/data_stream.hpp"

#include <algorithm>
#include <cmath>

#include "app/context.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "app/static_files.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

Task data_session(Context& ctx, std::shared_ptr<const StaticFiles> pages, std::chrono::milliseconds interval) {
    if (!ctx.is_websocket()) {
        pages->serve(ctx, "/chart.html");
        co_return;
    }
    co_await ctx.send(DataStream::connected(interval));
    auto stream = std::make_shared<DataStream>(static_cast<std::uint64_t>(unix_time_ms()));
    // The timer is cancelled when the connection ends, so capturing ctx is safe.
    ctx.every(interval, [&ctx, stream] { ctx.send_now(stream->next(unix_time_ms())); });
    while (co_await ctx.receive()) {}
}

}  // namespace

std::string DataStream::next(std::int64_t unix_ms) {
    // Mean reversion toward 50 plus uniform noise, clamped to [0, 100], two decimals.
    value_ += (50.0 - value_) * 0.05 + (random_.uniform() - 0.5) * 10.0;
    value_ = std::clamp(value_, 0.0, 100.0);
    const double shown = std::round(value_ * 100.0) / 100.0;
    json::Writer w;
    w.begin_object()
        .field("type", "sample")
        .field("timestamp", std::int64_t{unix_ms})
        .field("value", shown)
        .field("sequence", sequence_++)
        .end_object();
    return w.take();
}

std::string DataStream::connected(std::chrono::milliseconds interval) {
    json::Writer w;
    w.begin_object().field("type", "connected").field("interval_ms", std::int64_t{interval.count()}).end_object();
    return w.take();
}

void install_data_stream(Server& server, std::shared_ptr<const StaticFiles> pages, std::chrono::milliseconds interval) {
    server.route("/data", [pages, interval](Context& ctx) { return data_session(ctx, pages, interval); });
}

}  // namespace sluice::demo
