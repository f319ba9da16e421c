#include "service/ops_report.hpp"

#include "service/ops_summary.hpp"

namespace sb::service {

Result<boost::json::object> OpsReport::summary(const Principal& user, std::int64_t window_ms) {
  if (user.role != auth::Role::kAdmin) return call::make_error(call::ErrorCode::kForbidden);
  const std::int64_t now = ctx_.clock.now_ms();
  auto calls = ctx_.store.calls_created_since(user.org_id, now - window_ms);
  if (!calls) return calls.error();
  std::vector<CallWithQuality> rows;
  rows.reserve(calls->size());
  for (auto& c : *calls) {
    storage::CallQuality q;
    std::vector<storage::FeedbackEntry> feedback;
    // A call never accepted has neither.
    if (c.accepted_at_ms) {
      auto found = ctx_.store.quality_of(c.id);
      if (!found) return found.error();
      q = *found;
      auto given = ctx_.store.feedback_of(c.id);
      if (!given) return given.error();
      feedback = std::move(*given);
    }
    rows.push_back({std::move(c), std::move(q), std::move(feedback)});
  }
  auto queued = ctx_.store.queued_calls(user.org_id);
  if (!queued) return queued.error();
  const OpsContext context{window_ms, now, ctx_.timings.ring_timeout_ms,
                           static_cast<std::int64_t>(queued->size())};
  return summarize_calls(rows, context);
}

}  // namespace sb::service
