#include "util/thread_busy_time.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <ctime>

namespace sb {
namespace {

BusyTime cpu_time() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return {};
  return {static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec, 0};
}

}  // namespace

ThreadBusyTime::ThreadBusyTime()
    : schedstat_fd_(::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)) {}

ThreadBusyTime::~ThreadBusyTime() {
  if (schedstat_fd_ >= 0) ::close(schedstat_fd_);
}

BusyTime ThreadBusyTime::now() {
  if (schedstat_fd_ < 0) return cpu_time();
  if (auto busy = read_schedstat()) return *busy;
  // Never mix the two clocks: from the first unreadable schedstat on, CPU time alone.
  ::close(schedstat_fd_);
  schedstat_fd_ = -1;
  return cpu_time();
}

std::optional<BusyTime> ThreadBusyTime::read_schedstat() const {
  // "<ns on a CPU> <ns waiting for one> <timeslices>\n"
  std::array<char, 96> text{};
  const ssize_t n = ::pread(schedstat_fd_, text.data(), text.size() - 1, 0);
  if (n <= 0) return std::nullopt;
  const char* end = text.data() + n;
  BusyTime busy;
  auto r = std::from_chars(text.data(), end, busy.running_ns);
  if (r.ec != std::errc{} || r.ptr == end || *r.ptr != ' ') return std::nullopt;
  r = std::from_chars(r.ptr + 1, end, busy.waiting_ns);
  if (r.ec != std::errc{}) return std::nullopt;
  return busy;
}

}  // namespace sb
