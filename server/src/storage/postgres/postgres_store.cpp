#include "storage/postgres/postgres_store.hpp"

#include <algorithm>
#include <chrono>
#include <type_traits>

#include "obs/log.hpp"
#include "storage/migrations.hpp"
#include "storage/store_common.hpp"

namespace sb::storage::postgres {
namespace {

using call::ErrorCode;
using call::make_error;

// Times one store operation and tells the observer, if any, how it went.
class OperationTimer {
 public:
  explicit OperationTimer(const Store::OperationObserver& observer)
      : observer_(observer), started_(std::chrono::steady_clock::now()) {}
  OperationTimer(const OperationTimer&) = delete;
  OperationTimer& operator=(const OperationTimer&) = delete;
  ~OperationTimer() {
    if (!observer_) return;
    observer_(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(),
              error_);
  }
  void failed(const PostgresError& e) { error_ = e.message.empty() ? "postgres error" : e.message; }

 private:
  const Store::OperationObserver& observer_;
  std::chrono::steady_clock::time_point started_;
  std::string error_;
};

// Any constant will do, as long as every node uses the same: it serialises their migrations.
constexpr std::string_view kMigrationLock = "SELECT pg_advisory_xact_lock(7262837746357201)";

const std::string kCallColumns =
    "id, org_id, state, version, caller_id, caller_name, staff_id, staff_name, "
    "requested_staff_id, media_audio, media_video, metadata, created_at, ring_deadline, "
    "accepted_at, active_at, ended_at, end_reason";

Call read_call(const QueryResult& r, int row) {
  Call c;
  c.id = r.text(row, 0);
  c.org_id = r.text(row, 1);
  c.state = call::parse_call_state(r.text(row, 2)).value_or(call::CallState::kRinging);
  c.version = r.int64(row, 3);
  c.caller = {r.text(row, 4), r.text(row, 5)};
  if (!r.is_null(row, 6)) c.staff = Person{r.text(row, 6), r.text(row, 7)};
  c.requested_staff_id = r.opt_text(row, 8);
  c.media = {r.int64(row, 9) != 0, r.int64(row, 10) != 0};
  c.metadata = metadata_from_json(r.text(row, 11));
  c.created_at_ms = r.int64(row, 12);
  c.ring_deadline_ms = r.int64(row, 13);
  c.accepted_at_ms = r.opt_int64(row, 14);
  c.active_at_ms = r.opt_int64(row, 15);
  c.ended_at_ms = r.opt_int64(row, 16);
  c.end_reason = r.opt_text(row, 17);
  return c;
}

std::vector<Call> read_calls(const QueryResult& r) {
  std::vector<Call> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_call(r, i));
  return out;
}

std::vector<std::string> state_names(const std::vector<CallState>& states) {
  std::vector<std::string> out;
  for (auto s : states) out.emplace_back(call::to_string(s));
  return out;
}

}  // namespace

// Runs `fn`; a PostgreSQL failure becomes `unavailable` (CONTRACT 2: storage unreachable), and
// the open transaction, if any, has been rolled back by its guard.
template <typename F>
auto PostgresStore::guarded(F&& fn) -> Result<std::invoke_result_t<F>> {
  using T = std::invoke_result_t<F>;
  OperationTimer timer(observer_);
  try {
    if constexpr (std::is_void_v<T>) {
      fn();
      count_commit();
      return {};
    } else {
      auto result = fn();
      count_commit();
      return result;
    }
  } catch (const PostgresError& e) {
    timer.failed(e);
    return make_error(ErrorCode::kUnavailable);
  }
}

template <typename F>
auto PostgresStore::relaxed(F&& fn) -> std::invoke_result_t<F> {
  Database::Transaction tx(db_);
  db_.exec("SET LOCAL synchronous_commit = off");
  if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
    fn();
    tx.commit();
  } else {
    auto result = fn();
    tx.commit();
    return result;
  }
}

PostgresStore::PostgresStore(const std::string& url) : url_(url), db_(url) {}

PostgresStore::~PostgresStore() {
  group_.reset();  // Joins its thread before its connection goes.
}

void PostgresStore::enable_group_commit(GroupCommit::Post post) {
  if (group_) return;
  sync_db_ = std::make_unique<Database>(url_);
  db_.exec("SET synchronous_commit = off");
  group_ = std::make_unique<GroupCommit>(
      [this] {
        try {
          // A transaction with an id commits synchronously on this connection: PostgreSQL
          // flushes its WAL up to this commit, so every earlier commit is durable too.
          sync_db_->query("SELECT txid_current()");
          return true;
        } catch (const PostgresError& e) {
          obs::log_error("postgres.group_commit_failed", {{"error", e.message}});
          sync_db_->ping();  // Reconnects if the connection broke.
          return false;
        }
      },
      std::move(post));
}

void PostgresStore::stop_group_commit() {
  if (!group_) return;
  group_.reset();
  try {
    db_.exec("SET synchronous_commit = on");
  } catch (const PostgresError&) {
    // Shutting down: nothing more is written through this connection that needs it.
  }
}

void PostgresStore::after_commit_durable(std::function<void()> fn) {
  if (!group_) {
    fn();
    return;
  }
  group_->after_durable(std::move(fn));
}

Result<void> PostgresStore::migrate() {
  return guarded([&] {
    // One transaction for all of it, under a lock every node takes: two nodes starting at once
    // apply each migration once, and a failed migration leaves the schema as it was.
    Database::Transaction tx(db_);
    db_.exec(std::string(kMigrationLock));
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at "
        "BIGINT NOT NULL)");
    for (const auto& m : postgres_migrations()) {
      if (db_.query("SELECT 1 FROM schema_migrations WHERE name = $1",
                    Params().add(std::string_view(m.name)))
              .rows() > 0) {
        continue;
      }
      db_.exec(std::string(m.sql));
      db_.query(
          "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, "
          "(EXTRACT(EPOCH FROM now()) * 1000)::BIGINT)",
          Params().add(std::string_view(m.name)));
    }
    tx.commit();
  });
}

bool PostgresStore::ping() {
  return db_.ping();
}

std::optional<Call> PostgresStore::load_call(const std::string& org_id,
                                             const std::string& call_id) {
  auto r = db_.query("SELECT " + kCallColumns + " FROM calls WHERE org_id = $1 AND id = $2",
                     Params().add(org_id).add(call_id));
  if (r.rows() == 0) return std::nullopt;
  return read_call(r, 0);
}

std::vector<std::string> PostgresStore::ringing_staff_of(const std::string& call_id) {
  auto r = db_.query(
      "SELECT staff_id FROM call_participants WHERE call_id = $1 AND outcome = 'ringing' "
      "ORDER BY staff_id",
      Params().add(call_id));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

void PostgresStore::touch_staff(const std::string& org_id, const std::string& staff_id,
                                std::int64_t now_ms) {
  db_.query("UPDATE staff SET since = $1 WHERE org_id = $2 AND staff_id = $3",
            Params().add(now_ms).add(org_id).add(staff_id));
}

void PostgresStore::count_missed_ring(const std::string& org_id, const std::string& staff_id,
                                      std::int64_t now_ms, int max_missed) {
  // CONTRACT 10.4: only rings that ran out on the staff member count.
  db_.query(
      "UPDATE staff SET missed_in_row = missed_in_row + 1, since = $1, "
      "status = CASE WHEN missed_in_row + 1 >= $2 AND status = 'available' THEN 'away' "
      "ELSE status END WHERE org_id = $3 AND staff_id = $4",
      Params().add(now_ms).add(max_missed).add(org_id).add(staff_id));
}

Result<CreateOutcome> PostgresStore::create_call(
    const Call& c, const std::vector<RingTarget>& ring,
    const std::optional<std::string>& idempotency_key) {
  OperationTimer timer(observer_);
  const CommitCounted counted{*this};
  try {
    Database::Transaction tx(db_);
    if (idempotency_key) {
      auto r = db_.query(
          "SELECT call_id FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3",
          Params().add(c.org_id).add(c.caller.id).add(*idempotency_key));
      if (r.rows() > 0) {
        auto existing = load_call(c.org_id, r.text(0, 0));
        tx.commit();
        if (existing) return CreateOutcome{*existing, false};
      }
    }
    {
      auto r = db_.query("SELECT id FROM calls WHERE org_id = $1 AND caller_id = $2 AND state IN " +
                             std::string(kOpenStatesSql),
                         Params().add(c.org_id).add(c.caller.id));
      if (r.rows() > 0) {
        auto error = make_error(ErrorCode::kCallInProgress);
        error.details["call_id"] = r.text(0, 0);
        return error;
      }
    }
    db_.query("INSERT INTO calls (" + kCallColumns +
                  ") VALUES ($1, $2, 'ringing', $3, $4, $5, NULL, NULL, $6, $7, $8, $9, $10, $11, "
                  "NULL, NULL, NULL, NULL)",
              Params()
                  .add(c.id)
                  .add(c.org_id)
                  .add(c.version)
                  .add(c.caller.id)
                  .add(c.caller.name)
                  .add(c.requested_staff_id)
                  .add(std::int64_t{c.media.audio ? 1 : 0})
                  .add(std::int64_t{c.media.video ? 1 : 0})
                  .add(metadata_to_json(c.metadata))
                  .add(c.created_at_ms)
                  .add(c.ring_deadline_ms));
    for (const auto& target : ring) {
      db_.query(
          "INSERT INTO call_participants (call_id, org_id, staff_id, rung_at, ring_until, "
          "outcome) VALUES ($1, $2, $3, $4, $5, 'ringing')",
          Params()
              .add(c.id)
              .add(c.org_id)
              .add(target.staff_id)
              .add(c.created_at_ms)
              .add(target.ring_until_ms));
      touch_staff(c.org_id, target.staff_id, c.created_at_ms);
    }
    if (idempotency_key) {
      db_.query(
          "INSERT INTO idempotency_keys (org_id, user_id, key, call_id, created_at) VALUES "
          "($1, $2, $3, $4, $5)",
          Params()
              .add(c.org_id)
              .add(c.caller.id)
              .add(*idempotency_key)
              .add(c.id)
              .add(c.created_at_ms));
    }
    auto created = load_call(c.org_id, c.id);
    write_outbox(*created, c.created_at_ms);
    tx.commit();
    return CreateOutcome{*created, true};
  } catch (const PostgresError& e) {
    // The unique index on open calls per caller is the last word on a race between two creates.
    if (e.is_unique_violation()) return make_error(ErrorCode::kCallInProgress);
    timer.failed(e);
    return make_error(ErrorCode::kUnavailable);
  }
}

Result<std::optional<Call>> PostgresStore::find_call(const std::string& org_id,
                                                     const std::string& call_id) {
  return guarded([&] { return load_call(org_id, call_id); });
}

Result<std::optional<Call>> PostgresStore::find_call_by_idempotency_key(
    const std::string& org_id, const std::string& caller_id, const std::string& key) {
  return guarded([&]() -> std::optional<Call> {
    auto r = db_.query(
        "SELECT call_id FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3",
        Params().add(org_id).add(caller_id).add(key));
    if (r.rows() == 0) return std::nullopt;
    return load_call(org_id, r.text(0, 0));
  });
}

Result<CallPage> PostgresStore::list_calls(const CallQuery& query) {
  return guarded([&] {
    // Every parameter is always passed (typed), the SQL only names those the query uses.
    std::string sql = "SELECT " + kCallColumns + " FROM calls WHERE org_id = $1";
    if (query.caller_id) sql += " AND caller_id = $2";
    if (query.state) sql += " AND state = $3";
    if (query.before) sql += " AND (created_at < $4 OR (created_at = $4 AND id < $5))";
    sql += " ORDER BY created_at DESC, id DESC LIMIT $6";
    Params params;
    params.add(query.org_id)
        .add(query.caller_id)
        .add(query.state ? std::optional<std::string>(call::to_string(*query.state)) : std::nullopt)
        .add(query.before ? std::optional<std::int64_t>(query.before->first) : std::nullopt)
        .add(query.before ? std::optional<std::string>(query.before->second) : std::nullopt)
        .add(query.limit + 1);
    CallPage page;
    page.calls = read_calls(db_.query(sql, params));
    if (static_cast<int>(page.calls.size()) > query.limit) {
      page.calls.pop_back();
      page.more = true;
    }
    return page;
  });
}

std::vector<Participant> PostgresStore::read_participants(const std::string& call_id) {
  auto r = db_.query(
      "SELECT staff_id, rung_at, ring_until, outcome FROM call_participants WHERE call_id = $1 "
      "ORDER BY rung_at, staff_id",
      Params().add(call_id));
  std::vector<Participant> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.text(i, 0), r.int64(i, 1), r.opt_int64(i, 2),
                   parse_ring_outcome(r.text(i, 3)).value_or(RingOutcome::kRinging)});
  }
  return out;
}

Result<std::vector<Participant>> PostgresStore::participants(const std::string& call_id) {
  return guarded([&] { return read_participants(call_id); });
}

Result<std::vector<Call>> PostgresStore::open_calls_of_user(const std::string& org_id,
                                                            const std::string& user_id) {
  return guarded([&] {
    return read_calls(
        db_.query("SELECT " + kCallColumns + " FROM calls WHERE org_id = $1 AND state IN " +
                      std::string(kOpenStatesSql) +
                      " AND (caller_id = $2 OR staff_id = $2 OR id IN (SELECT call_id FROM "
                      "call_participants WHERE org_id = $1 AND staff_id = $2 AND outcome = "
                      "'ringing')) ORDER BY created_at, id",
                  Params().add(org_id).add(user_id)));
  });
}

Result<TransitionOutcome> PostgresStore::transition(const TransitionRequest& r) {
  OperationTimer timer(observer_);
  const CommitCounted counted{*this};
  try {
    Database::Transaction tx(db_);
    TransitionOutcome out;
    const bool terminal = call::is_terminal(r.to);
    std::string sql =
        "UPDATE calls SET state = $1, version = version + 1, "
        "end_reason = COALESCE($2, end_reason), "
        "accepted_at = CASE WHEN $1 = 'accepted' THEN $3 ELSE accepted_at END, "
        "active_at = CASE WHEN $1 = 'active' THEN $3 ELSE active_at END, "
        "ended_at = CASE WHEN $4 THEN $3 ELSE ended_at END, "
        "staff_id = COALESCE($5, staff_id), staff_name = COALESCE($6, staff_name) "
        "WHERE org_id = $7 AND id = $8 AND state = ANY ($9)";
    if (r.accepting_staff) {
      sql +=
          " AND EXISTS (SELECT 1 FROM call_participants WHERE call_id = $8 AND staff_id = $5 "
          "AND outcome = 'ringing')";
    }
    std::optional<std::string> staff_id, staff_name;
    if (r.accepting_staff) {
      staff_id = r.accepting_staff->id;
      staff_name = r.accepting_staff->name;
    }
    auto moved = db_.query(sql, Params()
                                    .add(call::to_string(r.to))
                                    .add(r.end_reason)
                                    .add(r.now_ms)
                                    .add(terminal)
                                    .add(staff_id)
                                    .add(staff_name)
                                    .add(r.org_id)
                                    .add(r.call_id)
                                    .add_text_array(state_names(r.from)));
    if (moved.affected() == 0) return out;  // The database says: not in `from`. Nothing changed.
    // Who was ringing for the call: they are the ones whose state changes with the move. Read
    // after the CAS so the losers of an accept race run no extra query.
    const std::vector<std::string> was_ringing = ringing_staff_of(r.call_id);

    out.call = load_call(r.org_id, r.call_id);
    const Call& c = *out.call;
    auto set_ringing_outcome = [&](std::string_view outcome) {
      db_.query(
          "UPDATE call_participants SET outcome = $1, ended_at = $2 WHERE call_id = $3 AND "
          "outcome = 'ringing'",
          Params().add(outcome).add(r.now_ms).add(r.call_id));
    };

    if (r.to == CallState::kAccepted) {
      db_.query(
          "UPDATE call_participants SET outcome = 'accepted', ended_at = $1 WHERE call_id = $2 "
          "AND staff_id = $3",
          Params().add(r.now_ms).add(r.call_id).add(c.staff->id));
      set_ringing_outcome(to_string(RingOutcome::kTaken));
      // CONTRACT 10.3: accepting one call stops the others ringing for this staff member.
      auto stopped = db_.query(
          "UPDATE call_participants SET outcome = 'stopped', ended_at = $1 WHERE org_id = $2 "
          "AND staff_id = $3 AND outcome = 'ringing' RETURNING call_id",
          Params().add(r.now_ms).add(r.org_id).add(c.staff->id));
      for (int i = 0; i < stopped.rows(); ++i) out.rings_stopped.push_back(stopped.text(i, 0));
      db_.query("UPDATE staff SET missed_in_row = 0 WHERE org_id = $1 AND staff_id = $2",
                Params().add(r.org_id).add(c.staff->id));
      out.staff_changed = was_ringing;
    } else if (terminal && r.from.size() == 1 && r.from.front() == CallState::kRinging) {
      set_ringing_outcome(to_string(r.ringing_outcome));
      for (const auto& id : was_ringing) {
        if (r.to == CallState::kMissed) {
          count_missed_ring(r.org_id, id, r.now_ms, r.max_missed);
        } else {
          touch_staff(r.org_id, id, r.now_ms);
        }
      }
      out.staff_changed = was_ringing;
    } else if (terminal && c.staff) {
      db_.query(
          "UPDATE staff SET last_call_end = $1, wrap_up_until = $1 + $2, since = $1 "
          "WHERE org_id = $3 AND staff_id = $4",
          Params().add(r.now_ms).add(r.wrap_up_ms).add(r.org_id).add(c.staff->id));
      out.staff_changed = {c.staff->id};
    }
    write_outbox(c, r.now_ms);
    if (r.to == CallState::kAccepted && c.staff) {
      touch_staff(r.org_id, c.staff->id, r.now_ms);
      if (std::find(out.staff_changed.begin(), out.staff_changed.end(), c.staff->id) ==
          out.staff_changed.end()) {
        out.staff_changed.push_back(c.staff->id);
      }
    }
    out.participants = read_participants(r.call_id);
    tx.commit();
    return out;
  } catch (const PostgresError& e) {
    // The one-open-call-per-staff index refused a second accept: the move is not allowed.
    if (e.is_unique_violation()) return TransitionOutcome{};
    timer.failed(e);
    return make_error(ErrorCode::kUnavailable);
  }
}

Result<std::vector<std::string>> PostgresStore::add_ring_targets(
    const std::string& org_id, const std::string& call_id, const std::vector<RingTarget>& ring,
    std::int64_t now_ms) {
  return guarded([&] {
    Database::Transaction tx(db_);
    std::vector<std::string> added;
    for (const auto& target : ring) {
      auto r = db_.query(
          "INSERT INTO call_participants (call_id, org_id, staff_id, rung_at, ring_until, "
          "outcome) SELECT $1, $2, $3, $4, $5, 'ringing' WHERE EXISTS (SELECT 1 FROM calls "
          "WHERE id = $1 AND org_id = $2 AND state = 'ringing') ON CONFLICT (call_id, "
          "staff_id) DO UPDATE SET rung_at = $4, ring_until = $5, outcome = 'ringing', "
          "ended_at = NULL WHERE call_participants.outcome = 'withdrawn'",
          Params()
              .add(call_id)
              .add(org_id)
              .add(target.staff_id)
              .add(now_ms)
              .add(target.ring_until_ms));
      if (r.affected() > 0) {
        touch_staff(org_id, target.staff_id, now_ms);
        added.push_back(target.staff_id);
      }
    }
    tx.commit();
    return added;
  });
}

Result<DeclineOutcome> PostgresStore::decline(const std::string& org_id, const std::string& call_id,
                                              const std::string& staff_id, std::int64_t now_ms) {
  return guarded([&] {
    Database::Transaction tx(db_);
    DeclineOutcome out;
    auto r = db_.query(
        "UPDATE call_participants SET outcome = 'declined', ended_at = $1 WHERE org_id = $2 AND "
        "call_id = $3 AND staff_id = $4 AND outcome = 'ringing' AND EXISTS (SELECT 1 FROM calls "
        "WHERE id = call_participants.call_id AND state = 'ringing')",
        Params().add(now_ms).add(org_id).add(call_id).add(staff_id));
    out.declined = r.affected() > 0;
    if (out.declined) touch_staff(org_id, staff_id, now_ms);
    out.still_ringing = static_cast<int>(ringing_staff_of(call_id).size());
    tx.commit();
    return out;
  });
}

Result<bool> PostgresStore::end_ring_step(const std::string& org_id, const std::string& call_id,
                                          const std::string& staff_id, std::int64_t now_ms,
                                          int max_missed) {
  return guarded([&] {
    Database::Transaction tx(db_);
    auto r = db_.query(
        "UPDATE call_participants SET outcome = 'missed', ended_at = $1 WHERE org_id = $2 AND "
        "call_id = $3 AND staff_id = $4 AND outcome = 'ringing'",
        Params().add(now_ms).add(org_id).add(call_id).add(staff_id));
    bool ended = r.affected() > 0;
    if (ended) count_missed_ring(org_id, staff_id, now_ms, max_missed);
    tx.commit();
    return ended;
  });
}

Result<std::vector<std::string>> PostgresStore::withdraw_rings(const std::string& org_id,
                                                               const std::string& staff_id,
                                                               std::int64_t now_ms) {
  return guarded([&] {
    Database::Transaction tx(db_);
    // One statement takes the rings back and names their calls: nothing can slip in between.
    auto r = db_.query(
        "WITH taken AS (UPDATE call_participants SET outcome = 'withdrawn', ended_at = $1 "
        "WHERE org_id = $2 AND staff_id = $3 AND outcome = 'ringing' "
        "RETURNING call_id, rung_at) SELECT call_id FROM taken ORDER BY rung_at, call_id",
        Params().add(now_ms).add(org_id).add(staff_id));
    std::vector<std::string> calls;
    for (int i = 0; i < r.rows(); ++i) calls.push_back(r.text(i, 0));
    if (!calls.empty()) touch_staff(org_id, staff_id, now_ms);
    tx.commit();
    return calls;
  });
}

Result<void> PostgresStore::upsert_staff(const std::string& org_id, const std::string& staff_id,
                                         const std::string& name, std::int64_t now_ms) {
  return guarded([&] {
    db_.query(
        "INSERT INTO staff (org_id, staff_id, name, status, since, available_since, "
        "last_call_end, wrap_up_until, missed_in_row) VALUES ($1, $2, $3, 'offline', $4, 0, 0, "
        "0, 0) ON CONFLICT (org_id, staff_id) DO UPDATE SET name = excluded.name WHERE "
        "staff.name <> excluded.name",
        Params().add(org_id).add(staff_id).add(name).add(now_ms));
  });
}

Result<void> PostgresStore::set_staff_status(const std::string& org_id, const std::string& staff_id,
                                             call::StaffStatus status, std::int64_t now_ms) {
  return guarded([&] {
    const auto name = call::to_string(status);
    // Becoming available starts the idle clock of longest-idle and forgives missed rings.
    db_.query(
        "UPDATE staff SET since = $1, "
        "available_since = CASE WHEN $2 = 'available' AND status <> 'available' THEN $1 "
        "ELSE available_since END, "
        "missed_in_row = CASE WHEN $2 = 'available' AND status <> 'available' THEN 0 "
        "ELSE missed_in_row END, "
        "status = $2 WHERE org_id = $3 AND staff_id = $4",
        Params().add(now_ms).add(name).add(org_id).add(staff_id));
  });
}

std::vector<StaffEntry> PostgresStore::query_staff(const std::string& org_id,
                                                   const std::optional<std::string>& staff_id,
                                                   std::int64_t now_ms,
                                                   std::int64_t presence_grace_ms) {
  std::string sql =
      "SELECT s.staff_id, s.name, s.status, s.since, s.available_since, s.last_call_end, "
      "s.wrap_up_until, s.missed_in_row, "
      "(SELECT c.id FROM calls c WHERE c.org_id = s.org_id AND c.staff_id = s.staff_id AND "
      "c.state IN ('accepted', 'active') LIMIT 1), "
      "EXISTS (SELECT 1 FROM call_participants p WHERE p.org_id = s.org_id AND p.staff_id = "
      "s.staff_id AND p.outcome = 'ringing'), "
      "EXISTS (SELECT 1 FROM presence pr WHERE pr.org_id = s.org_id AND pr.user_id = "
      "s.staff_id AND (pr.connections > 0 OR pr.disconnected_at > $2)) "
      "FROM staff s WHERE s.org_id = $1";
  if (staff_id) sql += " AND s.staff_id = $3";
  sql += " ORDER BY s.staff_id";
  auto q = db_.query(sql, Params().add(org_id).add(now_ms - presence_grace_ms).add(staff_id));
  std::vector<StaffEntry> out;
  for (int i = 0; i < q.rows(); ++i) {
    StaffEntry e;
    e.id = q.text(i, 0);
    e.name = q.text(i, 1);
    e.chosen_status = call::parse_staff_status(q.text(i, 2)).value_or(call::StaffStatus::kOffline);
    e.since_ms = q.int64(i, 3);
    const std::int64_t available_since = q.int64(i, 4);
    const std::int64_t last_call_end = q.int64(i, 5);
    const std::int64_t wrap_up_until = q.int64(i, 6);
    e.missed_in_row = static_cast<int>(q.int64(i, 7));
    e.call_id = q.opt_text(i, 8);
    const bool ringing = q.boolean(i, 9);
    e.connected = q.boolean(i, 10);
    derive_staff_view(e, ringing, available_since, last_call_end, wrap_up_until, now_ms);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<StaffEntry>> PostgresStore::list_staff(const std::string& org_id,
                                                          std::int64_t now_ms,
                                                          std::int64_t presence_grace_ms) {
  return guarded([&] { return query_staff(org_id, std::nullopt, now_ms, presence_grace_ms); });
}

Result<std::optional<StaffEntry>> PostgresStore::find_staff(const std::string& org_id,
                                                            const std::string& staff_id,
                                                            std::int64_t now_ms,
                                                            std::int64_t presence_grace_ms) {
  return guarded([&]() -> std::optional<StaffEntry> {
    auto all = query_staff(org_id, staff_id, now_ms, presence_grace_ms);
    if (all.empty()) return std::nullopt;
    return all.front();
  });
}

Result<void> PostgresStore::presence_connect(const std::string& org_id, const std::string& user_id,
                                             const std::string& node_id) {
  return guarded([&] {
    // Presence is rebuilt at every start (presence_reset): a lost write costs nothing.
    relaxed([&] {
      db_.query(
          "INSERT INTO presence (org_id, user_id, node_id, connections, disconnected_at) VALUES "
          "($1, $2, $3, 1, NULL) ON CONFLICT (org_id, user_id, node_id) DO UPDATE SET "
          "connections = presence.connections + 1, disconnected_at = NULL",
          Params().add(org_id).add(user_id).add(node_id));
    });
  });
}

Result<int> PostgresStore::presence_disconnect(const std::string& org_id,
                                               const std::string& user_id,
                                               const std::string& node_id, std::int64_t now_ms) {
  return guarded([&] {
    return relaxed([&] {
      db_.query(
          "UPDATE presence SET connections = GREATEST(connections - 1, 0), disconnected_at = "
          "CASE WHEN connections <= 1 THEN $1 ELSE disconnected_at END WHERE org_id = $2 AND "
          "user_id = $3 AND node_id = $4",
          Params().add(now_ms).add(org_id).add(user_id).add(node_id));
      auto q = db_.query(
          "SELECT COALESCE(SUM(connections), 0) FROM presence WHERE org_id = $1 AND user_id = $2",
          Params().add(org_id).add(user_id));
      return static_cast<int>(q.int64(0, 0));
    });
  });
}

Result<bool> PostgresStore::is_present(const std::string& org_id, const std::string& user_id,
                                       std::int64_t now_ms, std::int64_t grace_ms) {
  return guarded([&] {
    auto q = db_.query(
        "SELECT EXISTS (SELECT 1 FROM presence WHERE org_id = $1 AND user_id = $2 AND "
        "(connections > 0 OR disconnected_at > $3))",
        Params().add(org_id).add(user_id).add(now_ms - grace_ms));
    return q.boolean(0, 0);
  });
}

Result<bool> PostgresStore::ever_connected(const std::string& org_id, const std::string& user_id) {
  return guarded([&] {
    auto q = db_.query("SELECT EXISTS (SELECT 1 FROM presence WHERE org_id = $1 AND user_id = $2)",
                       Params().add(org_id).add(user_id));
    return q.boolean(0, 0);
  });
}

Result<void> PostgresStore::presence_reset(const std::string& node_id, std::int64_t now_ms) {
  return guarded([&] {
    db_.query(
        "UPDATE presence SET connections = 0, disconnected_at = $1 WHERE node_id = $2 AND "
        "connections > 0",
        Params().add(now_ms).add(node_id));
  });
}

void PostgresStore::write_outbox(const Call& c, std::int64_t now_ms) {
  if (!render_outbox_) return;
  std::optional<CallQuality> quality;
  if (call::is_terminal(c.state)) {
    auto q = quality_of(c.id);
    if (!q) throw PostgresError{"", "quality lookup failed"};
    quality = *q;
  }
  db_.query(
      "INSERT INTO webhook_outbox (call_id, version, payload, created_at, next_attempt_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      Params()
          .add(c.id)
          .add(c.version)
          .add(render_outbox_(c, quality ? &*quality : nullptr))
          .add(now_ms)
          .add(now_ms));
}

void PostgresStore::enable_outbox(OutboxRenderer render) {
  render_outbox_ = std::move(render);
}

Result<std::vector<WebhookEvent>> PostgresStore::due_webhooks(std::int64_t now_ms, int limit) {
  return guarded([&] {
    // The oldest undelivered event of each call, if it is due: later versions wait for it.
    auto q = db_.query(
        "SELECT o.id, o.call_id, o.version, o.payload, o.attempts, o.created_at FROM "
        "webhook_outbox o WHERE o.delivered_at IS NULL AND o.next_attempt_at <= $1 AND o.id = "
        "(SELECT MIN(p.id) FROM webhook_outbox p WHERE p.call_id = o.call_id AND "
        "p.delivered_at IS NULL) ORDER BY o.id LIMIT $2",
        Params().add(now_ms).add(limit));
    std::vector<WebhookEvent> out;
    for (int i = 0; i < q.rows(); ++i) {
      out.push_back({q.int64(i, 0), q.text(i, 1), q.int64(i, 2), q.text(i, 3),
                     static_cast<int>(q.int64(i, 4)), q.int64(i, 5)});
    }
    return out;
  });
}

Result<void> PostgresStore::webhook_delivered(std::int64_t id, std::int64_t now_ms) {
  return guarded([&] {
    db_.query("UPDATE webhook_outbox SET delivered_at = $1, attempts = attempts + 1 WHERE id = $2",
              Params().add(now_ms).add(id));
  });
}

Result<void> PostgresStore::webhook_failed(std::int64_t id, std::int64_t next_attempt_ms,
                                           const std::string& error) {
  return guarded([&] {
    db_.query(
        "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = "
        "$2 WHERE id = $3",
        Params().add(next_attempt_ms).add(error).add(id));
  });
}

Result<std::int64_t> PostgresStore::webhook_pending() {
  return guarded([&] {
    auto q = db_.query("SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NULL");
    return q.int64(0, 0);
  });
}

Result<void> PostgresStore::add_quality_sample(const std::string& call_id, const std::string& side,
                                               const QualitySample& s) {
  return guarded([&] {
    // A figure the sample lacks (NULL) adds nothing to its sum, maximum or count. A reconnect:
    // the side was connected and now reports it lost the connection.
    db_.query(
        "INSERT INTO call_quality (call_id, side, samples, rtt_sum, rtt_max, rtt_n, jitter_sum, "
        "jitter_max, jitter_n, loss_sum, loss_max, loss_n, audio_in_sum, audio_in_n, "
        "audio_out_sum, audio_out_n, video_in_sum, video_in_n, video_out_sum, video_out_n, "
        "candidate_type, ice_state, reconnects) VALUES ($1, $2, 1, "
        "COALESCE($3, 0), COALESCE($3, 0), ($3 IS NOT NULL)::INTEGER, "
        "COALESCE($4, 0), COALESCE($4, 0), ($4 IS NOT NULL)::INTEGER, "
        "COALESCE($5, 0), COALESCE($5, 0), ($5 IS NOT NULL)::INTEGER, "
        "COALESCE($6, 0), ($6 IS NOT NULL)::INTEGER, COALESCE($7, 0), ($7 IS NOT NULL)::INTEGER, "
        "COALESCE($8, 0), ($8 IS NOT NULL)::INTEGER, COALESCE($9, 0), ($9 IS NOT NULL)::INTEGER, "
        "$10, $11, 0) "
        "ON CONFLICT (call_id, side) DO UPDATE SET samples = call_quality.samples + 1, "
        "rtt_sum = call_quality.rtt_sum + COALESCE($3, 0), "
        "rtt_max = GREATEST(call_quality.rtt_max, COALESCE($3, 0)), "
        "rtt_n = call_quality.rtt_n + ($3 IS NOT NULL)::INTEGER, "
        "jitter_sum = call_quality.jitter_sum + COALESCE($4, 0), "
        "jitter_max = GREATEST(call_quality.jitter_max, COALESCE($4, 0)), "
        "jitter_n = call_quality.jitter_n + ($4 IS NOT NULL)::INTEGER, "
        "loss_sum = call_quality.loss_sum + COALESCE($5, 0), "
        "loss_max = GREATEST(call_quality.loss_max, COALESCE($5, 0)), "
        "loss_n = call_quality.loss_n + ($5 IS NOT NULL)::INTEGER, "
        "audio_in_sum = call_quality.audio_in_sum + COALESCE($6, 0), "
        "audio_in_n = call_quality.audio_in_n + ($6 IS NOT NULL)::INTEGER, "
        "audio_out_sum = call_quality.audio_out_sum + COALESCE($7, 0), "
        "audio_out_n = call_quality.audio_out_n + ($7 IS NOT NULL)::INTEGER, "
        "video_in_sum = call_quality.video_in_sum + COALESCE($8, 0), "
        "video_in_n = call_quality.video_in_n + ($8 IS NOT NULL)::INTEGER, "
        "video_out_sum = call_quality.video_out_sum + COALESCE($9, 0), "
        "video_out_n = call_quality.video_out_n + ($9 IS NOT NULL)::INTEGER, "
        "candidate_type = COALESCE($10, call_quality.candidate_type), "
        "reconnects = call_quality.reconnects + CASE WHEN call_quality.ice_state IN "
        "('connected', 'completed') AND $11 IN ('disconnected', 'failed') THEN 1 ELSE 0 END, "
        "ice_state = COALESCE($11, call_quality.ice_state)",
        Params()
            .add(call_id)
            .add(side)
            .add(s.rtt_ms)
            .add(s.jitter_ms)
            .add(s.packet_loss_pct)
            .add(s.audio_in_kbps)
            .add(s.audio_out_kbps)
            .add(s.video_in_kbps)
            .add(s.video_out_kbps)
            .add(s.candidate_type)
            .add(s.ice_state));
  });
}

Result<CallQuality> PostgresStore::quality_of(const std::string& call_id) {
  return guarded([&] {
    auto q = db_.query(
        "SELECT side, samples, rtt_sum, rtt_max, rtt_n, jitter_sum, jitter_max, jitter_n, "
        "loss_sum, loss_max, loss_n, audio_in_sum, audio_in_n, audio_out_sum, audio_out_n, "
        "video_in_sum, video_in_n, video_out_sum, video_out_n, candidate_type, reconnects "
        "FROM call_quality WHERE call_id = $1",
        Params().add(call_id));
    CallQuality out;
    for (int i = 0; i < q.rows(); ++i) {
      QualitySummary s;
      s.samples = static_cast<int>(q.int64(i, 1));
      s.rtt_avg = quality_average(q.real(i, 2), q.int64(i, 4));
      s.rtt_max = quality_maximum(q.real(i, 3), q.int64(i, 4));
      s.jitter_avg = quality_average(q.real(i, 5), q.int64(i, 7));
      s.jitter_max = quality_maximum(q.real(i, 6), q.int64(i, 7));
      s.loss_avg = quality_average(q.real(i, 8), q.int64(i, 10));
      s.loss_max = quality_maximum(q.real(i, 9), q.int64(i, 10));
      s.audio_in_avg = quality_average(q.real(i, 11), q.int64(i, 12));
      s.audio_out_avg = quality_average(q.real(i, 13), q.int64(i, 14));
      s.video_in_avg = quality_average(q.real(i, 15), q.int64(i, 16));
      s.video_out_avg = quality_average(q.real(i, 17), q.int64(i, 18));
      s.candidate_type = q.opt_text(i, 19);
      s.reconnects = static_cast<int>(q.int64(i, 20));
      (q.text(i, 0) == "caller" ? out.caller : out.staff) = s;
    }
    return out;
  });
}

Result<void> PostgresStore::save_feedback(const std::string& call_id, const std::string& user_id,
                                          const Feedback& f, std::int64_t now_ms) {
  return guarded([&] {
    const std::string issues = string_list_to_json(f.issues);
    db_.query(
        "INSERT INTO call_feedback (call_id, user_id, score, issues, comment, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (call_id, user_id) DO UPDATE SET score = "
        "excluded.score, issues = excluded.issues, comment = excluded.comment, created_at = "
        "excluded.created_at",
        Params().add(call_id).add(user_id).add(f.score).add(issues).add(f.comment).add(now_ms));
  });
}

Result<std::vector<FeedbackEntry>> PostgresStore::feedback_of(const std::string& call_id) {
  return guarded([&] {
    auto q = db_.query(
        "SELECT user_id, score, issues, comment, created_at FROM call_feedback WHERE call_id = "
        "$1 ORDER BY created_at, user_id",
        Params().add(call_id));
    std::vector<FeedbackEntry> out;
    for (int i = 0; i < q.rows(); ++i) {
      FeedbackEntry e;
      e.user_id = q.text(i, 0);
      e.feedback.score = static_cast<int>(q.int64(i, 1));
      e.feedback.issues = string_list_from_json(q.text(i, 2));
      e.feedback.comment = q.text(i, 3);
      e.created_at_ms = q.int64(i, 4);
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<std::vector<Call>> PostgresStore::calls_created_since(const std::string& org_id,
                                                             std::int64_t since_ms) {
  return guarded([&] {
    return read_calls(db_.query("SELECT " + kCallColumns +
                                    " FROM calls WHERE org_id = $1 AND created_at >= $2 ORDER BY "
                                    "created_at",
                                Params().add(org_id).add(since_ms)));
  });
}

Result<std::vector<CallRef>> PostgresStore::call_refs(const std::string& sql) {
  return guarded([&] {
    auto q = db_.query(sql);
    std::vector<CallRef> out;
    for (int i = 0; i < q.rows(); ++i) out.push_back({q.text(i, 0), q.text(i, 1), q.int64(i, 2)});
    return out;
  });
}

Result<std::vector<CallRef>> PostgresStore::ringing_calls() {
  return call_refs(
      "SELECT org_id, id, ring_deadline FROM calls WHERE state = 'ringing' ORDER BY "
      "ring_deadline");
}

Result<std::vector<CallRef>> PostgresStore::accepted_calls() {
  return call_refs(
      "SELECT org_id, id, accepted_at FROM calls WHERE state = 'accepted' ORDER BY accepted_at");
}

Result<std::vector<CallRef>> PostgresStore::open_calls() {
  return call_refs("SELECT org_id, id, created_at FROM calls WHERE state IN " +
                   std::string(kOpenStatesSql));
}

Result<std::vector<RingStepRef>> PostgresStore::open_ring_steps() {
  return guarded([&] {
    auto q = db_.query(
        "SELECT org_id, call_id, staff_id, ring_until FROM call_participants WHERE outcome = "
        "'ringing' AND ring_until IS NOT NULL");
    std::vector<RingStepRef> out;
    for (int i = 0; i < q.rows(); ++i) {
      out.push_back({q.text(i, 0), q.text(i, 1), q.text(i, 2), q.int64(i, 3)});
    }
    return out;
  });
}

Result<std::vector<WrapUpRef>> PostgresStore::wrap_ups_after(std::int64_t now_ms) {
  return guarded([&] {
    auto q = db_.query("SELECT org_id, staff_id, wrap_up_until FROM staff WHERE wrap_up_until > $1",
                       Params().add(now_ms));
    std::vector<WrapUpRef> out;
    for (int i = 0; i < q.rows(); ++i) out.push_back({q.text(i, 0), q.text(i, 1), q.int64(i, 2)});
    return out;
  });
}

}  // namespace sb::storage::postgres
