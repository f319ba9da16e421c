#pragma once
// Helpers of the load generator that need no Asio or Beast (so they compile in a second):
// HS256 tokens, percentiles, /proc readers and a tiny JSON line writer.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sbbench {

/// Claims of a Switchboard token (docs/api.md#identity).
struct TokenClaims {
  std::string sub;
  std::string org;
  std::string role;  // "client", "staff" or "admin".
  std::string name;
  std::int64_t ttl_s = 3600;
};

/// An HS256 JWT signed with `secret` (OpenSSL HMAC-SHA256), `iat` now and `exp` now + ttl.
std::string mint_hs256(const TokenClaims& claims, std::string_view secret);

/// Nanoseconds of the monotonic clock; both ends of a relayed message live in this process.
inline std::int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Latency samples in microseconds; percentiles by nearest rank.
class Samples {
 public:
  void add(double us) { values_.push_back(us); }
  std::size_t size() const { return values_.size(); }
  /// `q` in [0, 1]; 0 when empty. Sorts the samples the first time it is asked.
  double percentile(double q);
  double max();
  double mean() const;

 private:
  std::vector<double> values_;
  bool sorted_ = false;
};

/// utime + stime of a process in seconds (/proc/<pid>/stat); negative when unreadable.
double process_cpu_seconds(int pid);
/// Seconds a process spent runnable but waiting for a CPU (/proc/<pid>/schedstat, field 2);
/// negative when unreadable. High values mean something else competes for the core.
double process_runq_wait_seconds(int pid);
/// The 1-minute load average (/proc/loadavg).
double load_average_1m();
/// This process's user + system CPU seconds (getrusage).
double self_cpu_seconds();
/// VmRSS of a process in KiB (/proc/<pid>/status); negative when unreadable.
long process_rss_kib(int pid);
/// Number of open file descriptors of a process (/proc/<pid>/fd); negative when unreadable.
long process_fd_count(int pid);
/// Raises this process's soft open-file limit to the hard limit; returns the new soft limit.
long raise_fd_limit();

/// Today's date and time in UTC, ISO 8601 to the second.
std::string utc_now_iso();

/// Builds one line of JSON from key/value pairs, for the machine-readable output.
class JsonLine {
 public:
  JsonLine& num(std::string_view key, double value);
  JsonLine& integer(std::string_view key, long long value);
  JsonLine& str(std::string_view key, std::string_view value);
  /// `raw` must be valid JSON (an array or object built by another JsonLine).
  JsonLine& raw(std::string_view key, std::string_view raw);
  std::string done() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view k);
  std::string body_;
};

/// "[a,b,c]" from already-serialised JSON values.
std::string json_array(const std::vector<std::string>& items);

/// Parses "1,8,32" into numbers; empty on a bad list.
std::vector<long> parse_list(std::string_view text);

}  // namespace sbbench
