#pragma once
// How long one thread has been busy: running, or ready to run and waiting for a CPU. A thread
// that always has work is busy all the time whether it runs or waits for the core it shares, so
// the ratio of busy time to wall time says whether it keeps up (below 1) or falls behind (1).
// Linux's /proc/thread-self/schedstat gives both figures; where it is missing, the thread's CPU
// time alone stands in (it cannot see waiting for the CPU).

#include <cstdint>

namespace sb {

class ThreadBusyTime {
 public:
  /// Measures the calling thread.
  ThreadBusyTime();
  ~ThreadBusyTime();
  ThreadBusyTime(const ThreadBusyTime&) = delete;
  ThreadBusyTime& operator=(const ThreadBusyTime&) = delete;

  /// Nanoseconds the thread has been busy since it started. Call it on that thread when
  /// schedstat is missing: the CPU time clock is the caller's.
  std::int64_t busy_ns() const;

 private:
  int schedstat_fd_ = -1;
};

}  // namespace sb
