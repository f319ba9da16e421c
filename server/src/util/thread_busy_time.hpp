#pragma once
// How long one thread has been running, and how long it has been ready to run but waiting for a
// CPU. A thread that always has work is busy all the time whether it runs or waits for the core it
// shares, so the share of wall time it was either says whether it keeps up (below 1) or falls
// behind (1). Running time alone tells a thread that works from one that mostly sleeps and, on a
// crowded machine, waits a while each time it wakes up. Linux's /proc/thread-self/schedstat gives
// both figures; where it is missing, the thread's CPU time stands in and waiting reads 0.

#include <cstdint>
#include <optional>

namespace sb {

struct BusyTime {
  std::int64_t running_ns = 0;
  std::int64_t waiting_ns = 0;  // ready to run, waiting for a CPU
};

class ThreadBusyTime {
 public:
  /// Measures the calling thread.
  ThreadBusyTime();
  ~ThreadBusyTime();
  ThreadBusyTime(const ThreadBusyTime&) = delete;
  ThreadBusyTime& operator=(const ThreadBusyTime&) = delete;

  /// Since the thread started. Call it on that thread: without schedstat, the CPU time clock is
  /// the caller's.
  BusyTime now();

 private:
  std::optional<BusyTime> read_schedstat() const;

  int schedstat_fd_ = -1;
};

}  // namespace sb
