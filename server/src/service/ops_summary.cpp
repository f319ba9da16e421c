#include "service/ops_summary.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <utility>

#include "service/call_json.hpp"
#include "service/ice_profile_summary.hpp"

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
    // A figure nobody measured does not make a call look good or bad.
    worst = std::max(worst, side->loss_avg.value_or(0) * 100.0 + side->rtt_avg.value_or(0) +
                                side->jitter_avg.value_or(0) * 2.0);
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

std::optional<double> queue_wait_s(const call::Call& c, std::int64_t ring_timeout_ms,
                                   std::int64_t now_ms) {
  if (!c.queued_at_ms) return std::nullopt;
  // While a call is queued its ring deadline is its queue deadline; promoting it sets a ring
  // deadline of then + --ring-timeout (docs/queue.md).
  const bool rang = !c.queue_deadline_ms || c.ring_deadline_ms != *c.queue_deadline_ms;
  const std::int64_t left =
      rang ? c.ring_deadline_ms - ring_timeout_ms : c.ended_at_ms.value_or(now_ms);
  return static_cast<double>(std::max<std::int64_t>(left - *c.queued_at_ms, 0)) / 1000.0;
}

namespace {

/// The org's queue: how many wait now, how long the window's queued calls waited, and how many
/// gave up waiting (queue timeouts, callers who left the queue).
json::object summarize_queue(const std::vector<CallWithQuality>& calls, const OpsContext& ctx) {
  std::vector<double> waits;
  std::int64_t timeouts = 0, abandoned = 0;
  for (const auto& row : calls) {
    const auto& c = row.call;
    const auto wait = queue_wait_s(c, ctx.ring_timeout_ms, ctx.now_ms);
    if (!wait) continue;
    waits.push_back(*wait);
    if (c.end_reason == "queue_timeout") ++timeouts;
    const bool never_rang = c.queue_deadline_ms && c.ring_deadline_ms == *c.queue_deadline_ms;
    if (c.state == call::CallState::kCancelled && never_rang) ++abandoned;
  }
  return {{"length", ctx.queued_now},
          {"queued", waits.size()},
          {"wait_seconds", percentiles(waits)},
          {"timeouts", timeouts},
          {"abandoned", abandoned}};
}

/// Ratings of the window: how many, their average and spread, the issues named, and the
/// low ratings (1 or 2) with their comments, newest first, for whoever reads the dashboard.
json::object summarize_feedback(const std::vector<CallWithQuality>& calls) {
  std::int64_t count = 0, total = 0;
  std::map<int, std::int64_t> by_score;
  std::map<std::string, std::int64_t> issues;
  std::vector<std::pair<std::int64_t, json::object>> low;
  for (const auto& row : calls) {
    for (const auto& entry : row.feedback) {
      const auto& f = entry.feedback;
      ++count;
      total += f.score;
      by_score[f.score]++;
      for (const auto& issue : f.issues) issues[issue]++;
      if (f.score > 2) continue;
      json::array named;
      for (const auto& issue : f.issues) named.emplace_back(issue);
      const bool from_caller = entry.user_id == row.call.caller.id;
      low.emplace_back(entry.created_at_ms, json::object{{"call_id", row.call.id},
                                                         {"from", from_caller ? "caller" : "staff"},
                                                         {"score", f.score},
                                                         {"issues", std::move(named)},
                                                         {"comment", f.comment}});
    }
  }
  std::sort(low.begin(), low.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  json::array low_list;
  for (std::size_t i = 0; i < low.size() && i < 10; ++i) low_list.push_back(low[i].second);
  json::object scores;
  for (int score = 1; score <= 5; ++score) scores[std::to_string(score)] = by_score[score];
  json::object issue_counts;
  for (const auto& [issue, n] : issues) issue_counts[issue] = n;
  return {
      {"count", count},
      {"average_score", count ? json::value(static_cast<double>(total) / static_cast<double>(count))
                              : json::value(nullptr)},
      {"by_score", std::move(scores)},
      {"issues", std::move(issue_counts)},
      {"low_scores", std::move(low_list)}};
}

}  // namespace

json::object summarize_calls(const std::vector<CallWithQuality>& calls, const OpsContext& ctx) {
  std::map<std::string, std::int64_t> by_state;
  std::map<std::string, std::int64_t> by_reason;
  std::vector<double> setup, connect;
  std::int64_t accepted = 0, connected = 0, media_failed = 0, relay = 0, with_candidate = 0;
  std::int64_t queued = 0, queue_timeouts = 0;
  for (const auto& row : calls) {
    const auto& c = row.call;
    const auto& q = row.quality;
    if (c.queued_at_ms) ++queued;
    if (c.end_reason == "queue_timeout") ++queue_timeouts;
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
      {"window_seconds", ctx.window_ms / 1000},
      {"generated_at", ctx.now_ms},
      {"funnel",
       {{"created", calls.size()},
        {"queued", queued},
        {"queue_timeouts", queue_timeouts},
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
      {"ice_profiles", summarize_ice_profiles(calls)},
      {"queue", summarize_queue(calls, ctx)},
      {"worst_calls", std::move(worst)},
      {"feedback", summarize_feedback(calls)},
  };
}

}  // namespace sb::service
