#pragma once
// The ops dashboard's view of the last hour: the funnel, set-up and connect time percentiles,
// ICE success and TURN share, the queue, and the worst calls by quality. Pure: rows in, JSON out.

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "call/call.hpp"
#include "storage/store.hpp"

namespace sb::service {

struct CallWithQuality {
  call::Call call;
  storage::CallQuality quality;
  std::vector<storage::FeedbackEntry> feedback;
};

/// `p` in [0, 1] of `values` (nearest rank); 0 for none.
double percentile(std::vector<double> values, double p);

/// What the summary needs besides the calls.
struct OpsContext {
  std::int64_t window_ms = 0;
  std::int64_t now_ms = 0;
  /// --ring-timeout: a promoted call's ring deadline minus it is when it left the queue.
  std::int64_t ring_timeout_ms = 0;
  /// Calls of the org queued now.
  std::int64_t queued_now = 0;
};

/// How long a call that waited in the queue waited (queued until it rang, or until it ended or
/// now while it never rang), in seconds; nullopt for a call that never queued.
std::optional<double> queue_wait_s(const call::Call& c, std::int64_t ring_timeout_ms,
                                   std::int64_t now_ms);

boost::json::object summarize_calls(const std::vector<CallWithQuality>& calls,
                                    const OpsContext& context);

}  // namespace sb::service
