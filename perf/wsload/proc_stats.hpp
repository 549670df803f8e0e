// perf/wsload/proc_stats.hpp — what Linux says about the server and the cores, from /proc.
//
//   /proc/PID/stat    fields 14 and 15: utime, stime (clock ticks) -> the server's CPU time
//   /proc/PID/status  VmRSS (KiB)                                   -> its resident memory
//   /proc/stat        "cpuN user nice system idle iowait irq softirq steal" per core
//                                                                   -> each core's busy share
// Readers return false / 0 when the file is missing (another OS, a PID that exited), and
// the report then says "n/a". Owns nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace sluice::wsload {

struct CoreTimes {  // cumulative jiffies of one core
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};

// The process's user + system CPU time in seconds; negative if unreadable.
double process_cpu_seconds(int pid);

// The process's resident set in KiB; 0 if unreadable.
std::uint64_t process_rss_kib(int pid);

// One entry per core ("cpu0", "cpu1", ...); empty if unreadable.
std::vector<CoreTimes> core_times();

// Busy share (0..1) of each core between two snapshots.
std::vector<double> busy_shares(const std::vector<CoreTimes>& before, const std::vector<CoreTimes>& after);

}  // namespace sluice::wsload
