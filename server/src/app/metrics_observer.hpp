#pragma once
// Feeds the call service's reports into the Prometheus metrics.

#include "obs/metrics.hpp"
#include "service/call_observer.hpp"

namespace sb::app {

class MetricsObserver final : public service::CallObserver {
 public:
  explicit MetricsObserver(obs::Metrics& metrics) : metrics_(metrics) {}

  void on_created(const call::Call&) override { metrics_.call_created(); }

  void on_transition(const call::Call& c, call::CallState) override {
    if (c.state == call::CallState::kAccepted && c.accepted_at_ms) {
      metrics_.call_setup(static_cast<double>(*c.accepted_at_ms - c.created_at_ms) / 1000.0);
    }
    if (c.state == call::CallState::kActive && c.active_at_ms && c.accepted_at_ms) {
      metrics_.call_connect(static_cast<double>(*c.active_at_ms - *c.accepted_at_ms) / 1000.0,
                            c.ice_profile.value_or("unknown"));
    }
    if (call::is_terminal(c.state)) {
      metrics_.call_finished(call::to_string(c.state), reason_label(c.end_reason));
    }
  }

  void on_accept_conflict() override { metrics_.accept_conflict(); }
  void on_ring_timeout_lateness(double seconds) override {
    metrics_.ring_timeout_lateness(seconds);
  }
  void on_queue_wait(double seconds) override { metrics_.queue_wait(seconds); }
  void on_ice_result(std::string_view result, std::string_view candidate,
                     std::string_view profile) override {
    metrics_.ice_result(result, candidate, profile);
  }
  void on_quality_sample() override { metrics_.quality_sample(); }
  void on_event(std::string_view type) override { metrics_.event_sent(type); }

 private:
  // Clients may end a call with a reason of their own; the label keeps to the known ones.
  static std::string_view reason_label(const std::optional<std::string>& reason) {
    static constexpr std::string_view kKnown[] = {
        "hangup",           "timeout",       "caller_cancelled", "caller_left",
        "all_declined",     "ice_failed",    "media_failed",     "connect_timeout",
        "participant_lost", "queue_timeout", "transferred"};
    if (!reason) return "none";
    for (auto known : kKnown) {
      if (known == *reason) return known;
    }
    return "other";
  }

  obs::Metrics& metrics_;
};

}  // namespace sb::app
