#include "service/missed_rings.hpp"

#include "service/call_reads.hpp"

namespace sb::service {

Result<std::vector<std::string>> missed_rings_not_counted(ServiceContext& ctx,
                                                          const std::string& org_id,
                                                          const std::string& call_id) {
  std::vector<std::string> not_counted;
  const auto started = ctx.started_at_ms;
  if (!started) return not_counted;
  // A ring begun before the end of the start's grace ends by its call's ring deadline at the
  // latest; past that, every ring counts and nothing needs reading.
  const std::int64_t grace_end = *started + ctx.timings.presence_grace_ms;
  if (ctx.clock.now_ms() > grace_end + ctx.timings.ring_timeout_ms) return not_counted;
  CallReads reads(ctx);
  auto parts = reads.participants_of(call_id);
  if (!parts) return parts.error();
  for (const auto& p : *parts) {
    if (p.outcome != storage::RingOutcome::kRinging) continue;
    std::optional<std::int64_t> connected;
    if (auto it = ctx.first_connected_ms.find(org_id + "/" + p.staff_id);
        it != ctx.first_connected_ms.end()) {
      connected = it->second;
    }
    if (!missed_ring_counts(p.rung_at_ms, started, ctx.timings.presence_grace_ms, connected)) {
      not_counted.push_back(p.staff_id);
    }
  }
  return not_counted;
}

}  // namespace sb::service
