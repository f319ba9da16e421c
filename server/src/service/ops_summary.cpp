#include "service/ops_summary.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "service/call_json.hpp"

namespace sb::service {
namespace {

namespace json = boost::json;

json::object percentiles(const std::vector<double>& v) {
  return {{"count", v.size()},
          {"p50", percentile(v, 0.5)},
          {"p90", percentile(v, 0.9)},
          {"p99", percentile(v, 0.99)}};
}

/// A call's worst side, for ranking: loss weighs most, then round-trip time.
double badness(const storage::CallQuality& q) {
  double worst = -1;
  for (const auto& side : {q.caller, q.staff}) {
    if (!side) continue;
    worst = std::max(worst, side->loss_avg * 100.0 + side->rtt_avg + side->jitter_avg * 2.0);
  }
  return worst;
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

json::object summarize_calls(const std::vector<CallWithQuality>& calls, std::int64_t window_ms,
                             std::int64_t now_ms) {
  std::map<std::string, std::int64_t> by_state;
  std::map<std::string, std::int64_t> by_reason;
  std::vector<double> setup, connect;
  std::int64_t accepted = 0, connected = 0, media_failed = 0, relay = 0, with_candidate = 0;
  for (const auto& [c, q] : calls) {
    by_state[std::string(call::to_string(c.state))]++;
    if (c.end_reason) by_reason[std::string(call::to_string(c.state)) + "/" + *c.end_reason]++;
    if (c.accepted_at_ms) {
      ++accepted;
      setup.push_back(static_cast<double>(*c.accepted_at_ms - c.created_at_ms) / 1000.0);
    }
    if (c.active_at_ms && c.accepted_at_ms) {
      ++connected;
      connect.push_back(static_cast<double>(*c.active_at_ms - *c.accepted_at_ms) / 1000.0);
    }
    if (c.state == call::CallState::kFailed) ++media_failed;
    std::optional<std::string> candidate;
    for (const auto& side : {q.caller, q.staff}) {
      if (side && side->candidate_type) candidate = side->candidate_type;
      if (side && side->candidate_type == "relay") candidate = "relay";
    }
    if (candidate) {
      ++with_candidate;
      if (*candidate == "relay") ++relay;
    }
  }
  std::vector<const CallWithQuality*> ranked;
  for (const auto& c : calls) {
    if (badness(c.quality) >= 0) ranked.push_back(&c);
  }
  std::sort(ranked.begin(), ranked.end(),
            [](const auto* a, const auto* b) { return badness(a->quality) > badness(b->quality); });
  json::array worst;
  for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
    json::object item = call_to_json(ranked[i]->call);
    item["quality"] = quality_to_json(ranked[i]->quality);
    worst.push_back(std::move(item));
  }
  json::object states, reasons;
  for (const auto& [k, v] : by_state) states[k] = v;
  for (const auto& [k, v] : by_reason) reasons[k] = v;
  const std::int64_t attempts = connected + media_failed;
  return {
      {"window_seconds", window_ms / 1000},
      {"generated_at", now_ms},
      {"funnel",
       {{"created", calls.size()},
        {"accepted", accepted},
        {"connected", connected},
        {"by_state", std::move(states)},
        {"by_reason", std::move(reasons)}}},
      {"setup_seconds", percentiles(setup)},
      {"connect_seconds", percentiles(connect)},
      {"ice",
       {{"connected", connected},
        {"failed", media_failed},
        {"success_rate",
         attempts ? static_cast<double>(connected) / static_cast<double>(attempts) : 0.0},
        {"turn_share",
         with_candidate ? static_cast<double>(relay) / static_cast<double>(with_candidate) : 0.0}}},
      {"worst_calls", std::move(worst)},
  };
}

}  // namespace sb::service
