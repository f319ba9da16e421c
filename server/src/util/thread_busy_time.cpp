#include "util/thread_busy_time.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <ctime>
#include <string_view>

namespace sb {
namespace {

std::int64_t cpu_time_ns() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

ThreadBusyTime::ThreadBusyTime()
    : schedstat_fd_(::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)) {}

ThreadBusyTime::~ThreadBusyTime() {
  if (schedstat_fd_ >= 0) ::close(schedstat_fd_);
}

std::int64_t ThreadBusyTime::busy_ns() const {
  // "<ns on a CPU> <ns waiting for one> <timeslices>\n"
  std::array<char, 96> text{};
  const ssize_t n =
      schedstat_fd_ < 0 ? -1 : ::pread(schedstat_fd_, text.data(), text.size() - 1, 0);
  if (n <= 0) return cpu_time_ns();
  const char* p = text.data();
  const char* end = p + n;
  std::int64_t running = 0;
  std::int64_t waiting = 0;
  auto r = std::from_chars(p, end, running);
  if (r.ec != std::errc{} || r.ptr == end || *r.ptr != ' ') return cpu_time_ns();
  r = std::from_chars(r.ptr + 1, end, waiting);
  if (r.ec != std::errc{}) return cpu_time_ns();
  return running + waiting;
}

}  // namespace sb
