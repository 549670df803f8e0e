// perf/wsload/histogram.hpp — a fixed-size log-linear latency histogram (nanoseconds).
//
// Values below 128 ns get one bucket each; above, every power of two is split into 64
// buckets, so any recorded value is known to within 1/64 (1.6%). 2,304 counters cover up
// to ~2^40 ns (18 minutes); larger values land in the last bucket. Recording is O(1) and
// allocation-free, so every message of a run is recorded, never a sample.
// Owns its counters (a fixed array).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sluice::wsload {

class Histogram {
 public:
  static constexpr std::size_t kSubBits = 6;                       // 64 buckets per octave
  static constexpr std::size_t kLinear = std::size_t{2} << kSubBits;  // 0..127: exact
  static constexpr std::size_t kOctaves = 34;
  static constexpr std::size_t kBuckets = kLinear + kOctaves * (std::size_t{1} << kSubBits);

  void record(std::uint64_t ns) noexcept {
    ++counts_[index(ns)];
    ++total_;
    if (ns > max_) max_ = ns;
  }

  void merge(const Histogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    if (other.max_ > max_) max_ = other.max_;
  }

  std::uint64_t count() const noexcept { return total_; }
  std::uint64_t max() const noexcept { return max_; }

  // The value at quantile q (0..1): the upper edge of the bucket holding it, capped by max.
  std::uint64_t quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_));
    if (rank >= total_) rank = total_ - 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen > rank) {
        const std::uint64_t edge = upper_edge(i);
        return edge < max_ ? edge : max_;
      }
    }
    return max_;
  }

 private:
  static std::size_t index(std::uint64_t ns) noexcept {
    if (ns < kLinear) return static_cast<std::size_t>(ns);
    const auto msb = static_cast<std::size_t>(63 - std::countl_zero(ns));  // >= 7
    const std::size_t octave = msb - (kSubBits + 1);
    if (octave >= kOctaves) return kBuckets - 1;
    const auto sub = static_cast<std::size_t>((ns >> (msb - kSubBits)) & ((1u << kSubBits) - 1));
    return kLinear + octave * (std::size_t{1} << kSubBits) + sub;
  }

  static std::uint64_t upper_edge(std::size_t i) noexcept {
    if (i < kLinear) return i;
    const std::size_t octave = (i - kLinear) >> kSubBits;
    const std::size_t sub = (i - kLinear) & ((std::size_t{1} << kSubBits) - 1);
    const std::size_t shift = octave + 1;  // msb - kSubBits
    return ((std::uint64_t{1} << kSubBits | sub) + 1) << shift;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace sluice::wsload
