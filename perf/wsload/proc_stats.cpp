#include "perf/wsload/proc_stats.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace sluice::wsload {

double process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (pid <= 0 || !std::getline(in, line)) return -1.0;
  // The command name (field 2) may hold spaces: fields resume after its closing ')'.
  const std::size_t paren = line.rfind(')');
  if (paren == std::string::npos) return -1.0;
  std::istringstream fields(line.substr(paren + 2));
  std::string field;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (n == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
}

std::uint64_t process_rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (pid > 0 && std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

std::vector<CoreTimes> core_times() {
  std::vector<CoreTimes> cores;
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    CoreTimes t;
    std::uint64_t v = 0;
    for (int n = 0; n < 8 && fields >> v; ++n) {
      t.total += v;
      if (n != 3 && n != 4) t.busy += v;  // idle and iowait are not busy
    }
    cores.push_back(t);
  }
  return cores;
}

std::vector<double> busy_shares(const std::vector<CoreTimes>& before, const std::vector<CoreTimes>& after) {
  std::vector<double> shares;
  for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) {
    const std::uint64_t total = after[i].total - before[i].total;
    const std::uint64_t busy = after[i].busy - before[i].busy;
    shares.push_back(total == 0 ? 0.0 : static_cast<double>(busy) / static_cast<double>(total));
  }
  return shares;
}

}  // namespace sluice::wsload
