#pragma once
// How long a queued call will wait (docs/queue.md). Pure: the service passes the
// call's place, how many staff serve it and how long the org's recent calls took.

#include <cstdint>
#include <optional>
#include <vector>

namespace sb::call {

struct QueueEstimateInput {
  /// 1-based place among the calls the same staff would take first.
  int position = 1;
  /// Staff who serve the call (its topic) and are available and connected, busy or not.
  int serving_staff = 0;
  /// Accept-to-end durations of the org's latest answered calls, newest first (ms).
  std::vector<std::int64_t> recent_handle_times_ms;
  /// The wrap-up each staff member takes after a call (--wrap-up).
  std::int64_t wrap_up_ms = 0;
};

/// How many of the newest handle times the estimate averages.
inline constexpr int kEstimateSample = 20;

/// Seconds until the call rings: `position` staff must free up first, and `serving_staff` free up
/// at one per (mean handle time + wrap-up) each. Nullopt without recent calls or serving staff.
std::optional<double> estimate_wait_s(const QueueEstimateInput& input);

}  // namespace sb::call
