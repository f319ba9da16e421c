#include "auth/jwks_refresher.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace sb::auth {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::int64_t jwks_period_ms(std::string_view cache_control, const JwksTimings& timings) {
  const std::string header = lowercase(cache_control);
  std::optional<std::int64_t> max_age_s;
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto directive = trimmed(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    // no-cache asks for a revalidation per use, which a key set does not need; the default
    // period stands in for it.
    if (directive == "no-cache" || directive == "no-store") return timings.default_period_ms;
    if (directive.starts_with("max-age=")) {
      const auto value = directive.substr(8);
      std::int64_t seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
        max_age_s = seconds;
      }
    }
  }
  if (!max_age_s) return timings.default_period_ms;
  const std::int64_t capped_s = std::min(*max_age_s, timings.max_period_ms / 1000);
  return std::clamp(capped_s * 1000, timings.min_period_ms, timings.max_period_ms);
}

JwksRefresher::JwksRefresher(JwtVerifier& verifier, JwksGetter get, Scheduler& scheduler,
                             const Clock& clock, JwksTimings timings,
                             std::function<void(const JwksRefreshReport&)> on_refresh)
    : verifier_(verifier),
      get_(std::move(get)),
      scheduler_(scheduler),
      clock_(clock),
      timings_(timings),
      on_refresh_(std::move(on_refresh)),
      retry_ms_(timings.first_retry_ms) {}

JwksRefresher::~JwksRefresher() {
  *alive_ = false;
  if (timer_) scheduler_.cancel(*timer_);
}

std::string_view JwksRefresher::name_of(Reason reason) {
  switch (reason) {
    case Reason::kStart:
      return "start";
    case Reason::kPeriodic:
      return "periodic";
    case Reason::kRetry:
      return "retry";
    case Reason::kUnknownKid:
      return "unknown_kid";
  }
  return "periodic";
}

void JwksRefresher::start() {
  fetch(Reason::kStart);
}

void JwksRefresher::unknown_kid() {
  // The refresh under way reads the provider's current set anyway.
  if (in_flight_) return;
  const std::int64_t earliest =
      last_start_ms_ ? *last_start_ms_ + timings_.min_gap_ms : clock_.now_ms();
  if (earliest <= clock_.now_ms()) {
    fetch(Reason::kUnknownKid);
  } else if (!timer_ || timer_at_ms_ > earliest) {
    schedule(earliest, Reason::kUnknownKid);
  }
}

void JwksRefresher::fetch(Reason reason) {
  if (in_flight_) return;
  if (timer_) scheduler_.cancel(*timer_);
  timer_.reset();
  in_flight_ = true;
  last_start_ms_ = clock_.now_ms();
  get_([this, reason, alive = alive_](JwksResponse response) {
    if (*alive) finished(reason, response);
  });
}

void JwksRefresher::finished(Reason reason, const JwksResponse& response) {
  in_flight_ = false;
  JwksRefreshReport report;
  report.reason = name_of(reason);
  std::optional<ParsedJwks> parsed;
  if (response.status == 0) {
    report.error = response.error;
  } else if (response.status != 200) {
    report.error = "HTTP status " + std::to_string(response.status);
  } else if (parsed = parse_jwks(response.body, verifier_.algorithm()); !parsed) {
    report.error = "the response is not a JWKS document";
  } else if (parsed->keys.empty()) {
    // Installing it would refuse every token; more likely the wrong URL or --jwt-algorithm.
    report.error = "no key in the set fits " + std::string(to_string(verifier_.algorithm()));
    report.ignored = parsed->ignored;
  } else {
    report.ok = true;
    report.keys = parsed->keys.size();
    report.ignored = parsed->ignored;
    verifier_.replace_jwks(std::move(parsed->keys));
  }
  const std::int64_t now = clock_.now_ms();
  if (report.ok) {
    retry_ms_ = timings_.first_retry_ms;
    report.next_ms = now + jwks_period_ms(response.cache_control, timings_);
    schedule(report.next_ms, Reason::kPeriodic);
  } else {
    report.next_ms = now + retry_ms_;
    schedule(report.next_ms, Reason::kRetry);
    retry_ms_ = std::min(retry_ms_ * 2, timings_.max_retry_ms);
  }
  if (on_refresh_) on_refresh_(report);
}

void JwksRefresher::schedule(std::int64_t at_ms, Reason reason) {
  if (timer_) scheduler_.cancel(*timer_);
  timer_at_ms_ = at_ms;
  timer_ = scheduler_.schedule_at(at_ms, [this, reason] {
    timer_.reset();
    fetch(reason);
  });
}

}  // namespace sb::auth
