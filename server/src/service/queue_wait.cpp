#include "service/queue_wait.hpp"

#include "service/ops_summary.hpp"

namespace sb::service {

std::optional<double> settled_queue_wait_s(const call::Call& moved, call::CallState from,
                                           std::int64_t ring_timeout_ms, std::int64_t now_ms) {
  using call::CallState;
  if (!moved.queued_at_ms) return std::nullopt;
  const bool answered = moved.state == CallState::kAccepted;
  // From accepted or active it was observed when accepted.
  const bool ended_unanswered =
      call::is_terminal(moved.state) && (from == CallState::kQueued || from == CallState::kRinging);
  if (!answered && !ended_unanswered) return std::nullopt;
  return queue_wait_s(moved, ring_timeout_ms, now_ms);
}

}  // namespace sb::service
