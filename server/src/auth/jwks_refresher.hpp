#pragma once
// Keeps the verifier's key set (--jwt-jwks-url) current: fetched at start, again when the
// provider's Cache-Control max-age runs out (5 minutes without one), sooner after a failure,
// and when a token names an unknown `kid` (a rotation), but never more often than the minimum
// gap, so tokens with made-up kids cannot turn the server into a load generator for the
// provider. Runs on the io thread; fetching goes through a seam and never blocks.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt_verifier.hpp"
#include "util/clock.hpp"
#include "util/scheduler.hpp"

namespace sb::auth {

/// What a GET of the key set URL gave.
struct JwksResponse {
  int status = 0;          // 0 when no response came (error says why).
  std::string error = {};  // Empty on a response, whatever its status.
  std::string body = {};
  std::string cache_control = {};  // The Cache-Control header, as sent.
};

/// The outgoing GET (net::HttpClient in the server, a fake in tests); `done` runs exactly once,
/// later, on the io thread.
using JwksGetter = std::function<void(std::function<void(JwksResponse)> done)>;

struct JwksTimings {
  std::int64_t min_gap_ms = 10'000;  // Between the starts of two refreshes for an unknown kid.
  std::int64_t default_period_ms = 5 * 60'000;  // Without a usable max-age.
  std::int64_t min_period_ms = 60'000;          // max-age is clamped into these bounds.
  std::int64_t max_period_ms = 60 * 60'000;
  std::int64_t first_retry_ms = 1'000;  // After a failure; doubles up to max_retry_ms.
  std::int64_t max_retry_ms = 60'000;
};

/// One finished refresh, for the log and the metrics.
struct JwksRefreshReport {
  std::string_view reason;  // "start", "periodic", "retry" or "unknown_kid".
  bool ok = false;
  std::string error = {};    // Why it failed; the previous keys stay in use.
  std::size_t keys = 0;      // Usable keys installed.
  int ignored = 0;           // JWKs that do not fit the pinned algorithm (auth/jwks.hpp).
  std::int64_t next_ms = 0;  // When the next refresh is due.
};

/// The refresh period a Cache-Control header asks for (`max-age`, clamped), or the default.
std::int64_t jwks_period_ms(std::string_view cache_control, const JwksTimings& timings);

class JwksRefresher {
 public:
  JwksRefresher(JwtVerifier& verifier, JwksGetter get, Scheduler& scheduler, const Clock& clock,
                JwksTimings timings, std::function<void(const JwksRefreshReport&)> on_refresh);
  ~JwksRefresher();
  JwksRefresher(const JwksRefresher&) = delete;
  JwksRefresher& operator=(const JwksRefresher&) = delete;

  /// The first fetch. Start-up does not wait for it; the verifier has no keys until it lands.
  void start();
  /// A token named a kid the key set lacks: refresh now, or as soon as the gap allows. Tokens
  /// in between are refused, as any token with an unknown kid.
  void unknown_kid();

 private:
  enum class Reason { kStart, kPeriodic, kRetry, kUnknownKid };
  static std::string_view name_of(Reason reason);
  void fetch(Reason reason);
  void finished(Reason reason, const JwksResponse& response);
  void schedule(std::int64_t at_ms, Reason reason);

  JwtVerifier& verifier_;
  JwksGetter get_;
  Scheduler& scheduler_;
  const Clock& clock_;
  JwksTimings timings_;
  std::function<void(const JwksRefreshReport&)> on_refresh_;

  bool in_flight_ = false;
  std::optional<std::int64_t> last_start_ms_;
  std::int64_t retry_ms_;
  std::optional<TimerId> timer_;
  std::int64_t timer_at_ms_ = 0;
  // Responses that arrive after destruction are dropped.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sb::auth
