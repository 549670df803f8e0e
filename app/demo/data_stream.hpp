// app/demo/data_stream.hpp — /data: a live stream of JSON samples, one per interval.
//
//   {"type":"connected","interval_ms":100}                                  first
//   {"type":"sample","timestamp":1795830420123,"value":52.17,"sequence":0}  then one per tick
//
// timestamp: Unix milliseconds; value: a mean-reverting random walk in [0, 100];
// sequence: 0, 1, 2, ... per connection. Samples are sent by a connection timer
// (ctx.every), never by a sleep. A sample that would go over the connection's
// backpressure bound is dropped, not queued: a live chart wants the newest point.
// Messages from the client are read and ignored.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "app/demo/util.hpp"

namespace sluice {
class Server;
class StaticFiles;
}  // namespace sluice

namespace sluice::demo {

class DataStream {  // One per /data connection; owns its PRNG, value and sequence.
 public:
    explicit DataStream(std::uint64_t seed) noexcept : random_(seed) {}
    // The next sample as JSON, stamped `unix_ms`.
    std::string next(std::int64_t unix_ms);
    std::uint64_t sequence() const noexcept { return sequence_; }
    double value() const noexcept { return value_; }

    static std::string connected(std::chrono::milliseconds interval);

 private:
    Random random_;
    double value_ = 50.0;
    std::uint64_t sequence_ = 0;
};

void install_data_stream(Server& server, std::shared_ptr<const StaticFiles> pages, std::chrono::milliseconds interval);

}  // namespace sluice::demo
