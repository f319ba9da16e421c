#include "service/timer_table.hpp"

namespace sb::service {

void TimerTable::schedule(const TimerKey& key, std::int64_t at_ms, std::function<void()> fn) {
  cancel(key);
  timers_[key] = scheduler_.schedule_at(at_ms, [this, key, fn = std::move(fn)] {
    timers_.erase(key);
    fn();
  });
}

void TimerTable::cancel(const TimerKey& key) {
  auto it = timers_.find(key);
  if (it == timers_.end()) return;
  scheduler_.cancel(it->second);
  timers_.erase(it);
}

void TimerTable::cancel_call(const std::string& call_id) {
  cancel(TimerKey::ring_timeout(call_id));
  cancel(TimerKey::connect_timeout(call_id));
  cancel(TimerKey::ice_refresh(call_id));
  cancel_ring_steps(call_id);
}

void TimerTable::cancel_ring_steps(const std::string& call_id) {
  // The call's ring steps, in key order from the one with the smallest staff id (empty).
  for (auto it = timers_.lower_bound(TimerKey::ring_step(call_id, ""));
       it != timers_.end() && it->first.kind == TimerKind::kRingStep &&
       it->first.call_id == call_id;) {
    scheduler_.cancel(it->second);
    it = timers_.erase(it);
  }
}

}  // namespace sb::service
