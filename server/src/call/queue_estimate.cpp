#include "call/queue_estimate.hpp"

#include <algorithm>
#include <cmath>

namespace sb::call {

std::optional<double> estimate_wait_s(const QueueEstimateInput& in) {
  if (in.serving_staff <= 0 || in.recent_handle_times_ms.empty() || in.position < 1) {
    return std::nullopt;
  }
  const auto n = std::min<std::size_t>(in.recent_handle_times_ms.size(), kEstimateSample);
  double total_ms = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total_ms += static_cast<double>(std::max<std::int64_t>(in.recent_handle_times_ms[i], 0));
  }
  const double cycle_s =
      (total_ms / static_cast<double>(n) + static_cast<double>(in.wrap_up_ms)) / 1000.0;
  // Staff free up one every cycle/serving seconds on average (their calls started at unrelated
  // times); the call rings when the position-th of them does.
  const double wait =
      static_cast<double>(in.position) * cycle_s / static_cast<double>(in.serving_staff);
  return std::round(wait);
}

}  // namespace sb::call
