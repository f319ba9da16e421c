#include "service/call_json.hpp"

#include <boost/json.hpp>

#include "util/clock.hpp"

namespace sb::service {
namespace {

boost::json::value time_or_null(const std::optional<std::int64_t>& ms) {
  if (!ms) return nullptr;
  return boost::json::string(format_rfc3339_ms(*ms));
}

boost::json::object person(const call::Person& p) {
  return {{"id", p.id}, {"name", p.name}};
}

}  // namespace

boost::json::object call_to_json(const call::Call& c) {
  boost::json::object metadata;
  for (const auto& [k, v] : c.metadata) metadata[k] = v;
  boost::json::object out;
  out.reserve(24);  // Every field below, without rehashing on the way.
  out["id"] = c.id;
  out["org_id"] = c.org_id;
  out["state"] = call::to_string(c.state);
  out["version"] = c.version;
  out["caller"] = person(c.caller);
  out["staff"] = c.staff ? boost::json::value(person(*c.staff)) : boost::json::value(nullptr);
  out["media"] = {{"audio", c.media.audio}, {"video", c.media.video}};
  out["metadata"] = std::move(metadata);
  out["created_at"] = format_rfc3339_ms(c.created_at_ms);
  out["ring_deadline"] = format_rfc3339_ms(c.ring_deadline_ms);
  out["accepted_at"] = time_or_null(c.accepted_at_ms);
  out["active_at"] = time_or_null(c.active_at_ms);
  out["ended_at"] = time_or_null(c.ended_at_ms);
  out["end_reason"] = c.end_reason ? boost::json::value(*c.end_reason) : nullptr;
  // v1.1 (docs/queue.md).
  out["topic"] = c.topic ? boost::json::value(*c.topic) : nullptr;
  out["queued_at"] = time_or_null(c.queued_at_ms);
  if (c.state == call::CallState::kQueued && c.queue) {
    boost::json::value estimate = nullptr;
    if (c.queue->estimated_wait_s) estimate = *c.queue->estimated_wait_s;
    out["queue"] = {{"position", c.queue->position}, {"estimated_wait_s", estimate}};
  }
  out["transferred_from"] =
      c.transferred_from ? boost::json::value(*c.transferred_from) : boost::json::value(nullptr);
  out["transferred_to"] =
      c.transferred_to ? boost::json::value(*c.transferred_to) : boost::json::value(nullptr);
  // docs/config.md#ice-server-profiles: null until the call is accepted.
  out["ice_profile"] =
      c.ice_profile ? boost::json::value(*c.ice_profile) : boost::json::value(nullptr);
  if (c.transfer_target) out["transfer_target"] = person(*c.transfer_target);
  return out;
}

boost::json::object staff_to_json(const storage::StaffEntry& e) {
  boost::json::object out;
  out.reserve(8);
  out["id"] = e.id;
  out["name"] = e.name;
  out["status"] = call::to_string(e.status);
  out["state"] = call::to_string(e.state);
  out["connected"] = e.connected;
  out["since"] = format_rfc3339_ms(e.since_ms);
  out["call_id"] = e.call_id ? boost::json::value(*e.call_id) : nullptr;
  boost::json::array skills;
  for (const auto& topic : e.skills) skills.emplace_back(topic);
  out["skills"] = std::move(skills);
  return out;
}

namespace {

boost::json::value figure(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::value summary_to_json(const std::optional<storage::QualitySummary>& s) {
  if (!s) return nullptr;
  return boost::json::object{
      {"samples", s->samples},
      {"rtt_ms", {{"avg", figure(s->rtt_avg)}, {"max", figure(s->rtt_max)}}},
      {"jitter_ms", {{"avg", figure(s->jitter_avg)}, {"max", figure(s->jitter_max)}}},
      {"packet_loss_pct", {{"avg", figure(s->loss_avg)}, {"max", figure(s->loss_max)}}},
      {"bitrate_kbps",
       {{"audio_in", figure(s->audio_in_avg)},
        {"audio_out", figure(s->audio_out_avg)},
        {"video_in", figure(s->video_in_avg)},
        {"video_out", figure(s->video_out_avg)}}},
      {"candidate_type",
       s->candidate_type ? boost::json::value(*s->candidate_type) : boost::json::value(nullptr)},
      {"reconnects", s->reconnects},
  };
}

}  // namespace

boost::json::object quality_to_json(const storage::CallQuality& q) {
  return {{"caller", summary_to_json(q.caller)}, {"staff", summary_to_json(q.staff)}};
}

boost::json::object call_for_wire(const call::Call& c,
                                  const std::optional<storage::CallQuality>& quality) {
  auto out = call_to_json(c);
  if (call::is_terminal(c.state)) {
    out["quality"] = quality ? boost::json::value(quality_to_json(*quality)) : nullptr;
  }
  return out;
}

}  // namespace sb::service
