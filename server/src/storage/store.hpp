#pragma once
// The one storage interface (SQLite in sqlite/, PostgreSQL in postgres/). Every call transition
// is a single conditional UPDATE inside one transaction, so the database decides races: of two
// staff accepting at once exactly one UPDATE matches `state = 'ringing'`.
// All methods return call::Error{kUnavailable} when the database can't be reached; nothing is
// half-written then.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "call/call.hpp"
#include "call/effects.hpp"
#include "call/errors.hpp"
#include "call/routing.hpp"
#include "storage/group_commit.hpp"

namespace sb::storage {

using call::Call;
using call::CallState;
using call::Person;
using call::Result;

using call::RingOutcome;

struct Participant {
  std::string staff_id;
  std::int64_t rung_at_ms = 0;
  /// Set while a longest-idle ring step runs: when this staff member's ring ends.
  std::optional<std::int64_t> ring_until_ms;
  RingOutcome outcome = RingOutcome::kRinging;
};

struct RingTarget {
  std::string staff_id;
  std::optional<std::int64_t> ring_until_ms;
};

struct CreateOutcome {
  Call call;
  bool created = true;  // false: the Idempotency-Key matched an earlier create
};

/// A move of a call from one of `from` to `to`, with the data effects the state machine gives it
/// (spec/call-fsm.json "effects"), applied in the same transaction.
struct TransitionRequest {
  std::string org_id;
  std::string call_id;
  std::vector<CallState> from;
  CallState to = CallState::kRinging;
  std::optional<std::string> end_reason;
  std::int64_t now_ms = 0;
  /// Accept only: the staff member taking the call; they must be ringing for it.
  std::optional<Person> accepting_staff;
  /// What the move changes besides the call's row. The store follows them and decides nothing.
  call::Effects effects;
  /// With `ringing_staff` missed: who reaches this many missed rings in a row is set `away`.
  int max_missed = 3;
  /// With `ringing_staff` missed: staff whose missed ring does not count toward `max_missed`
  /// (the service decides, service/missed_rings.hpp).
  std::vector<std::string> missed_not_counted;
  /// With `staff_wrap_up`: how long the staff member's wrap-up lasts.
  std::int64_t wrap_up_ms = 0;
  /// With `ring_chosen_staff` (a promotion): who starts ringing, and the new ring deadline.
  std::vector<RingTarget> ring = {};
  std::optional<std::int64_t> ring_deadline_ms = {};
  /// A requeue of a call that never queued: when it joined the queue and its queue deadline
  /// (a call that queued before keeps its own).
  std::optional<std::int64_t> queued_at_ms = {};
  std::optional<std::int64_t> queue_deadline_ms = {};
  /// Transfer only (docs/queue.md#transfer): the new call, inserted in the same transaction with
  /// its ring targets; the moved call's `transferred_to` names it.
  std::optional<Call> successor = {};
  std::vector<RingTarget> successor_ring = {};
  /// Accept only: the ICE server profile drawn for the call (docs/config.md#ice-server-profiles).
  std::optional<std::string> ice_profile = {};
};

struct TransitionOutcome {
  /// The call after the move; nullopt when it was not in one of `from` (or, for accept, the
  /// staff member was not ringing for it).
  std::optional<Call> call;
  /// Staff whose status or state the move changed.
  std::vector<std::string> staff_changed;
  /// The call's ring participants after the move, read in the same transaction; nullopt when
  /// the move did not change them (no ring started, ended or accepted), so nobody reads again
  /// what is already known.
  std::optional<std::vector<Participant>> participants;
  /// Accept only: other calls that were ringing for the accepting staff member and no longer
  /// are (docs/api.md#routing); their participants changed too.
  std::vector<std::string> rings_stopped;
  /// Transfer only: the new call as inserted, and its participants.
  std::optional<Call> successor = {};
  std::vector<Participant> successor_participants = {};
};

struct DeclineOutcome {
  bool declined = false;  // false: this staff member was not ringing for the call
  int still_ringing = 0;  // staff still ringing for the call afterwards
};

struct StaffEntry {
  std::string id;
  std::string name;
  call::StaffStatus status = call::StaffStatus::kOffline;  // effective: offline when not connected
  call::StaffStatus chosen_status = call::StaffStatus::kOffline;
  call::StaffState state = call::StaffState::kIdle;
  bool connected = false;
  std::int64_t since_ms = 0;
  std::optional<std::string> call_id;
  std::int64_t idle_since_ms = 0;
  int missed_in_row = 0;
  /// The topics they serve (docs/queue.md#topics), from the `skills` claim of their last token.
  std::vector<std::string> skills = {};
};

struct CallQuery {
  std::string org_id;
  std::optional<std::string> caller_id;  // clients see their own calls only
  std::optional<CallState> state;
  int limit = 50;
  /// Cursor: calls strictly older than this (created_at, id) pair.
  std::optional<std::pair<std::int64_t, std::string>> before;
};

struct CallPage {
  std::vector<Call> calls;
  bool more = false;
};

/// A call reference for timers and recovery.
struct CallRef {
  std::string org_id;
  std::string call_id;
  std::int64_t deadline_ms = 0;
};

/// A staff member in wrap-up after a call, until `until_ms`.
struct WrapUpRef {
  std::string org_id;
  std::string staff_id;
  std::int64_t until_ms = 0;
};

/// A user whose open connections were on a node that died (docs/decisions/0011).
struct ReapedPresence {
  std::string org_id;
  std::string user_id;
  bool staff = false;
  /// When the dead node was last heard from: their graces run from then.
  std::int64_t disconnected_at_ms = 0;
};

/// A user's open connections on this node.
struct LocalPresence {
  std::string org_id;
  std::string user_id;
  int connections = 0;
};

struct RingStepRef {
  std::string org_id;
  std::string call_id;
  std::string staff_id;
  std::int64_t ring_until_ms = 0;
};

/// Open calls whose timer is due, whichever node set it.
struct DueCalls {
  /// Past their ring deadline (`deadline_ms`).
  std::vector<CallRef> ringing;
  /// Past their queue deadline (`deadline_ms`).
  std::vector<CallRef> queued;
  /// Accepted at or before the cut-off (`deadline_ms` holds when), so past the connect timeout.
  std::vector<CallRef> accepted;
};

/// One quality sample of one side of a call (docs/openapi.yaml).
/// A figure the browser could not read yet (no RTT before the first RTCP report, say) is absent,
/// and leaves that figure's average alone rather than dragging it towards zero.
struct QualitySample {
  std::optional<double> rtt_ms;
  std::optional<double> jitter_ms;
  std::optional<double> packet_loss_pct;
  std::optional<double> audio_in_kbps, audio_out_kbps, video_in_kbps, video_out_kbps;
  std::optional<std::string> candidate_type;
  std::optional<std::string> ice_state;
};

/// The running summary of one side's samples. Each figure is averaged over the samples that had
/// it, and is absent when none did.
struct QualitySummary {
  int samples = 0;
  std::optional<double> rtt_avg, rtt_max;
  std::optional<double> jitter_avg, jitter_max;
  std::optional<double> loss_avg, loss_max;
  std::optional<double> audio_in_avg, audio_out_avg, video_in_avg, video_out_avg;
  std::optional<std::string> candidate_type;
  int reconnects = 0;
};

struct CallQuality {
  std::optional<QualitySummary> caller;
  std::optional<QualitySummary> staff;
};

struct Feedback {
  int score = 0;
  std::vector<std::string> issues;
  std::string comment;
};

/// One participant's feedback on a call, as stored.
struct FeedbackEntry {
  std::string user_id;
  Feedback feedback;
  std::int64_t created_at_ms = 0;
};

struct WebhookEvent {
  std::int64_t id = 0;
  std::string call_id;
  std::int64_t version = 0;
  std::string payload;
  int attempts = 0;
  std::int64_t created_at_ms = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Told after each store operation how long it took and, when it failed, why (the database's
  /// own words: for the log, never for a client). For metrics and logs.
  using OperationObserver = std::function<void(double seconds, std::string_view error)>;
  virtual void set_operation_observer(OperationObserver observer) = 0;

  /// Turns on group commit (group_commit.hpp): from now on commits do not wait for the disk,
  /// and after_commit_durable() holds announcements until one sync covers them. `post` runs a
  /// function on the io thread. Throws std::runtime_error when it can't be set up.
  virtual void enable_group_commit(GroupCommit::Post post) = 0;
  /// Runs `fn` on the io thread once every write committed so far is durable. Whatever
  /// announces a write (an answer, an event) goes through here. Without group commit, commits
  /// are durable when they return, and `fn` runs at once.
  virtual void after_commit_durable(std::function<void()> fn) = 0;
  /// Stops the group commit's thread (at shutdown, before the io thread's context goes);
  /// whatever still waits is dropped. Commits wait for the disk again afterwards.
  virtual void stop_group_commit() = 0;
  /// How long the oldest announcement has been waiting for its commit to be durable (ms).
  virtual double commit_wait_ms() const = 0;
  /// Syncs the group commit has done so far (each made every commit before it durable).
  virtual std::int64_t durable_syncs() const = 0;

  /// Creates the schema or upgrades it to the newest migration.
  virtual Result<void> migrate() = 0;
  /// True when the database answers and writes can succeed: it takes writes, and no write
  /// failed in the last few seconds unless one succeeded since (docs/api.md#failures, for /readyz).
  virtual bool ping() = 0;

  // --- Calls ---

  /// Inserts `call` in state ringing with its ring targets. With an idempotency key seen before
  /// for this caller, returns that call instead (created = false). A caller who already has a
  /// non-terminal call gets call_in_progress with details.call_id.
  virtual Result<CreateOutcome> create_call(const Call& call, const std::vector<RingTarget>& ring,
                                            const std::optional<std::string>& idempotency_key) = 0;
  virtual Result<std::optional<Call>> find_call(const std::string& org_id,
                                                const std::string& call_id) = 0;
  /// The call an earlier create of this caller made with `key`, if any.
  virtual Result<std::optional<Call>> find_call_by_idempotency_key(const std::string& org_id,
                                                                   const std::string& caller_id,
                                                                   const std::string& key) = 0;
  virtual Result<CallPage> list_calls(const CallQuery& query) = 0;
  virtual Result<std::vector<Participant>> participants(const std::string& call_id) = 0;
  /// The user's non-terminal calls: as caller, as the accepted staff member, or ringing for them.
  virtual Result<std::vector<Call>> open_calls_of_user(const std::string& org_id,
                                                       const std::string& user_id) = 0;

  virtual Result<TransitionOutcome> transition(const TransitionRequest& request) = 0;

  /// Rings more staff for a call that is still ringing, including staff whose ring was
  /// withdrawn and who are back. Returns the targets actually rung.
  virtual Result<std::vector<std::string>> add_ring_targets(const std::string& org_id,
                                                            const std::string& call_id,
                                                            const std::vector<RingTarget>& ring,
                                                            std::int64_t now_ms) = 0;
  virtual Result<DeclineOutcome> decline(const std::string& org_id, const std::string& call_id,
                                         const std::string& staff_id, std::int64_t now_ms) = 0;
  /// Ends one staff member's longest-idle ring step, if still ringing: outcome missed, and, if
  /// `counts_as_missed`, one more missed ring in a row (away at `max_missed`). Returns whether
  /// it was still ringing.
  virtual Result<bool> end_ring_step(const std::string& org_id, const std::string& call_id,
                                     const std::string& staff_id, std::int64_t now_ms,
                                     int max_missed, bool counts_as_missed) = 0;
  /// Takes back every ring of a staff member who went offline: outcome withdrawn, not counted
  /// as missed (docs/api.md#presence, #routing). Returns the ids of the calls that were ringing for
  /// them.
  virtual Result<std::vector<std::string>> withdraw_rings(const std::string& org_id,
                                                          const std::string& staff_id,
                                                          std::int64_t now_ms) = 0;

  // --- The queue (docs/queue.md) ---

  /// The org's queued calls, first in first out (queued_at, then id).
  virtual Result<std::vector<Call>> queued_calls(const std::string& org_id) = 0;
  /// Every queued call of every org; `deadline_ms` is its queue deadline.
  virtual Result<std::vector<CallRef>> queued_call_refs() = 0;
  /// How long the org's most recent answered calls lasted, accept to end (ms), newest first.
  virtual Result<std::vector<std::int64_t>> recent_handle_times_ms(const std::string& org_id,
                                                                   int limit) = 0;

  // --- Staff and presence ---

  /// The topics a staff member serves (docs/queue.md#topics), from their token's `skills` claim.
  virtual Result<void> set_staff_skills(const std::string& org_id, const std::string& staff_id,
                                        const std::vector<std::string>& skills) = 0;

  /// Records a staff member (or admin) on first sight and refreshes their name.
  virtual Result<void> upsert_staff(const std::string& org_id, const std::string& staff_id,
                                    const std::string& name, std::int64_t now_ms) = 0;
  virtual Result<void> set_staff_status(const std::string& org_id, const std::string& staff_id,
                                        call::StaffStatus status, std::int64_t now_ms) = 0;
  /// Every staff member of the org. `presence_grace_ms` decides who still counts as connected.
  virtual Result<std::vector<StaffEntry>> list_staff(const std::string& org_id, std::int64_t now_ms,
                                                     std::int64_t presence_grace_ms) = 0;
  virtual Result<std::optional<StaffEntry>> find_staff(const std::string& org_id,
                                                       const std::string& staff_id,
                                                       std::int64_t now_ms,
                                                       std::int64_t presence_grace_ms) = 0;

  /// One more open connection of the user on `node_id`.
  virtual Result<void> presence_connect(const std::string& org_id, const std::string& user_id,
                                        const std::string& node_id) = 0;
  /// One connection fewer; returns the user's open connections left on all nodes.
  virtual Result<int> presence_disconnect(const std::string& org_id, const std::string& user_id,
                                          const std::string& node_id, std::int64_t now_ms) = 0;
  /// Open connections now, or closed less than `grace_ms` ago.
  virtual Result<bool> is_present(const std::string& org_id, const std::string& user_id,
                                  std::int64_t now_ms, std::int64_t grace_ms) = 0;
  /// True if the user ever opened a connection (callers who never did are not "gone").
  virtual Result<bool> ever_connected(const std::string& org_id, const std::string& user_id) = 0;
  /// At start-up: this node's connections are gone; graces restart from `now_ms`
  /// (docs/api.md#presence). An empty `node_id` is every node's: a node alone.
  virtual Result<void> presence_reset(const std::string& node_id, std::int64_t now_ms) = 0;

  // --- Node liveness (docs/decisions/0011-dead-node-presence.md) ---

  /// This node is alive at `now_ms`. False when it had no row: its first beat, or other nodes
  /// took it for dead and took its presence over (it should then restore it).
  virtual Result<bool> node_heartbeat(const std::string& node_id, std::int64_t now_ms) = 0;
  /// Nodes other than `self` not heard from since `dead_before_ms`: their users' open
  /// connections count as closed when the node was last heard from, and the node's row goes.
  /// Each user comes back to one caller only, when nodes race.
  virtual Result<std::vector<ReapedPresence>> reap_dead_nodes(const std::string& self,
                                                              std::int64_t dead_before_ms) = 0;
  /// This node's open connections as they are, after other nodes took it for dead.
  virtual Result<void> presence_restore(const std::string& node_id,
                                        const std::vector<LocalPresence>& users) = 0;

  // --- Quality and feedback ---

  /// Folds one sample into the side's summary ("caller" or "staff").
  virtual Result<void> add_quality_sample(const std::string& call_id, const std::string& side,
                                          const QualitySample& sample) = 0;
  virtual Result<CallQuality> quality_of(const std::string& call_id) = 0;
  /// Replaces this user's feedback on the call.
  virtual Result<void> save_feedback(const std::string& call_id, const std::string& user_id,
                                     const Feedback& feedback, std::int64_t now_ms) = 0;
  /// Every participant's feedback on the call, oldest first.
  virtual Result<std::vector<FeedbackEntry>> feedback_of(const std::string& call_id) = 0;
  /// Calls of the org created at or after `since_ms`, for the ops dashboard.
  virtual Result<std::vector<Call>> calls_created_since(const std::string& org_id,
                                                        std::int64_t since_ms) = 0;

  // --- Webhook outbox ---

  /// When set, every create and transition writes the call, rendered by `render`, to the
  /// outbox in the same transaction. A terminal call is rendered with its quality summary.
  using OutboxRenderer = std::function<std::string(const Call&, const CallQuality*)>;
  virtual void enable_outbox(OutboxRenderer render) = 0;
  /// Undelivered events due by `now_ms` that are each the oldest undelivered one of their call,
  /// so a call's versions go out in order.
  virtual Result<std::vector<WebhookEvent>> due_webhooks(std::int64_t now_ms, int limit) = 0;
  virtual Result<void> webhook_delivered(std::int64_t id, std::int64_t now_ms) = 0;
  virtual Result<void> webhook_failed(std::int64_t id, std::int64_t next_attempt_ms,
                                      const std::string& error) = 0;
  virtual Result<std::int64_t> webhook_pending() = 0;

  // --- Timers and recovery ---

  virtual Result<std::vector<CallRef>> ringing_calls() = 0;
  /// Accepted calls; `deadline_ms` holds when they were accepted.
  virtual Result<std::vector<CallRef>> accepted_calls() = 0;
  virtual Result<std::vector<CallRef>> open_calls() = 0;
  virtual Result<std::vector<RingStepRef>> open_ring_steps() = 0;
  /// Calls still ringing or queued with a deadline at or before `due_by_ms`, and calls still
  /// accepted at or before `accepted_by_ms`; `limit` in all, earliest first within each kind.
  /// One indexed query: it runs every half second on every node.
  virtual Result<DueCalls> due_calls(std::int64_t due_by_ms, std::int64_t accepted_by_ms,
                                     int limit) = 0;
  /// Rings of longest-idle routing whose step ended at or before `due_by_ms`.
  virtual Result<std::vector<RingStepRef>> due_ring_steps(std::int64_t due_by_ms, int limit) = 0;
  /// Staff whose wrap-up ends after `now_ms`.
  virtual Result<std::vector<WrapUpRef>> wrap_ups_after(std::int64_t now_ms) = 0;
  /// Wrap-ups that ended at or before `due_by_ms` and whose end no node has handled.
  virtual Result<std::vector<WrapUpRef>> due_wrap_up_ends(std::int64_t due_by_ms, int limit) = 0;
  /// Marks that wrap-up's end handled: true for the one caller that did, false if another did or
  /// a new wrap-up began.
  virtual Result<bool> claim_wrap_up_end(const WrapUpRef& wrap_up) = 0;
};

}  // namespace sb::storage
