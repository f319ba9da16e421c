#pragma once
// The ops dashboard's view of the last hour: the funnel, set-up and connect time percentiles,
// ICE success and TURN share, and the worst calls by quality. Pure: rows in, JSON out.

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
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

boost::json::object summarize_calls(const std::vector<CallWithQuality>& calls,
                                    std::int64_t window_ms, std::int64_t now_ms);

}  // namespace sb::service
