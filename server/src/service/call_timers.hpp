#pragma once
// Every timer of the call service, and what happens when one fires: ring deadlines, connect
// deadlines, longest-idle ring steps, wrap-up ends, ICE refreshes and the two graces of a user
// who went away. Also sets them all again after a restart (recover) and, every
// --due-check-interval (500 ms), runs whatever the database says is past its deadline
// (take_over_due): the timers of a node that died, and those whose write failed
// (docs/decisions/0010-timer-takeover.md).

#include <cstdint>
#include <string>

#include "call/effects.hpp"
#include "service/call_reads.hpp"
#include "service/context.hpp"
#include "service/timer_table.hpp"

namespace sb::service {

class Announcer;
class Presence;
class Router;
class Transitions;

class CallTimers {
 public:
  CallTimers(ServiceContext& ctx, CallReads& reads, Transitions& transitions, Router& router,
             Announcer& announcer, Presence& presence)
      : ctx_(ctx),
        reads_(reads),
        transitions_(transitions),
        router_(router),
        announcer_(announcer),
        presence_(presence),
        table_(ctx.scheduler) {}

  /// After a start or a crash: graces restart now, and every timer the database implies is set
  /// again (ring deadlines that passed fire at once).
  Result<void> recover();
  /// How long past its deadline a timer is left to the node that set it. Long enough that a
  /// live node's own timer runs first (no double work), short enough for the promise that a
  /// dead node's calls end within about a second of their deadlines (docs/api.md#failures).
  static constexpr std::int64_t kTakeOverAfterMs = 250;
  /// Runs the handler of every ring, queue, connect and ring-step deadline that passed more
  /// than kTakeOverAfterMs ago and is still open in the database, whichever node set it; the
  /// database's conditional UPDATE decides if two nodes try. False when the database could not
  /// be read.
  bool take_over_due();

  void schedule_ring_timeout(const std::string& org_id, const std::string& call_id,
                             std::int64_t at_ms);
  void schedule_queue_timeout(const std::string& org_id, const std::string& call_id,
                              std::int64_t at_ms);
  void schedule_connect_timeout(const std::string& org_id, const std::string& call_id,
                                std::int64_t at_ms);
  void schedule_ring_step(const std::string& org_id, const std::string& call_id,
                          const std::string& staff_id, std::int64_t at_ms);
  void schedule_wrap_up_end(const std::string& org_id, const std::string& staff_id,
                            std::int64_t at_ms);
  void schedule_ice_refresh(const std::string& org_id, const std::string& call_id,
                            std::int64_t at_ms);
  /// The user's last connection closed at `now_ms`: both graces start.
  void schedule_graces(const std::string& org_id, const std::string& user_id, bool staff,
                       std::int64_t now_ms);
  void cancel_graces(const std::string& org_id, const std::string& user_id);
  void cancel(const TimerKey& key) { table_.cancel(key); }
  /// Cancels the call's timers of the given kinds (a transition's "stop_timers").
  void stop(const std::string& call_id, call::TimerSet kinds);

 private:
  void on_ring_timeout(const std::string& org_id, const std::string& call_id);
  void on_connect_timeout(const std::string& org_id, const std::string& call_id);
  void on_queue_timeout(const std::string& org_id, const std::string& call_id);
  /// Announces the staff member idle and rings them for waiting calls, once across nodes.
  void on_wrap_up_end(const storage::WrapUpRef& wrap_up);
  void on_ring_step_end(const std::string& org_id, const std::string& call_id,
                        const std::string& staff_id);

  ServiceContext& ctx_;
  CallReads& reads_;
  Transitions& transitions_;
  Router& router_;
  Announcer& announcer_;
  Presence& presence_;
  TimerTable table_;
};

}  // namespace sb::service
