#include "service/quality_feedback.hpp"

#include "service/call_access.hpp"
#include "service/rules.hpp"

namespace sb::service {

using call::CallState;

Result<void> QualityFeedback::add_quality(const Principal& user, const std::string& call_id,
                                          const storage::QualitySample& sample) {
  auto c = access_.participant_call(user, call_id);
  if (!c) return c.error();
  // Samples race the hang-up by a moment; a minute after the end they are refused.
  const bool live = c->state == CallState::kAccepted || c->state == CallState::kActive;
  const bool just_ended = c->state == CallState::kEnded && c->ended_at_ms &&
                          ctx_.clock.now_ms() - *c->ended_at_ms < 60'000;
  if (!live && !just_ended) return invalid_transition(*c);
  const std::string side = c->caller.id == user.user_id ? "caller" : "staff";
  if (auto r = ctx_.store.add_quality_sample(call_id, side, sample); !r) return r.error();
  ctx_.hot.count_quality_sample(call_id);
  ctx_.observer.on_quality_sample();
  return {};
}

Result<Call> QualityFeedback::give_feedback(const Principal& user, const std::string& call_id,
                                            const storage::Feedback& feedback) {
  auto c = access_.participant_call(user, call_id);
  if (!c) return c;
  // docs/api.md#actions-on-a-call: feedback before the end is an invalid transition.
  if (!call::is_terminal(c->state)) return invalid_transition(*c);
  if (auto r = ctx_.store.save_feedback(call_id, user.user_id, feedback, ctx_.clock.now_ms()); !r) {
    return r.error();
  }
  return c;
}

std::optional<storage::CallQuality> QualityFeedback::quality_shown(const Call& c) {
  if (!call::is_terminal(c.state)) return std::nullopt;
  if (auto has = ctx_.hot.has_quality(c.id); has && !*has) return storage::CallQuality{};
  auto read = ctx_.store.quality_of(c.id);
  if (!read) return std::nullopt;
  return *read;
}

}  // namespace sb::service
