#include "storage/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "obs/log.hpp"
#include "storage/migrations.hpp"
#include "storage/store_common.hpp"

namespace sb::storage::sqlite {
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
  void failed(const SqliteError& e) { error_ = e.message.empty() ? "sqlite error" : e.message; }

 private:
  const Store::OperationObserver& observer_;
  std::chrono::steady_clock::time_point started_;
  std::string error_;
};

const std::string kCallColumns =
    "id, org_id, state, version, caller_id, caller_name, staff_id, staff_name, "
    "requested_staff_id, media_audio, media_video, metadata, created_at, ring_deadline, "
    "accepted_at, active_at, ended_at, end_reason";

Call read_call(const Statement& row) {
  Call c;
  c.id = row.text(0);
  c.org_id = row.text(1);
  c.state = call::parse_call_state(row.text(2)).value_or(call::CallState::kRinging);
  c.version = row.int64(3);
  c.caller = {row.text(4), row.text(5)};
  if (!row.is_null(6)) c.staff = Person{row.text(6), row.text(7)};
  c.requested_staff_id = row.opt_text(8);
  c.media = {row.int64(9) != 0, row.int64(10) != 0};
  c.metadata = metadata_from_json(row.text(11));
  c.created_at_ms = row.int64(12);
  c.ring_deadline_ms = row.int64(13);
  c.accepted_at_ms = row.opt_int64(14);
  c.active_at_ms = row.opt_int64(15);
  c.ended_at_ms = row.opt_int64(16);
  c.end_reason = row.opt_text(17);
  return c;
}

std::string state_list(const std::vector<CallState>& states) {
  std::string out = "(";
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (i) out += ", ";
    out += "'";
    out += call::to_string(states[i]);
    out += "'";
  }
  return out + ")";
}

}  // namespace

// Runs `fn`; an SQLite failure becomes `unavailable` (CONTRACT 2: storage unreachable), and the
// open transaction, if any, has been rolled back by its guard.
template <typename F>
auto SqliteStore::guarded(F&& fn) -> Result<std::invoke_result_t<F>> {
  using T = std::invoke_result_t<F>;
  OperationTimer timer(observer_);
  try {
    if constexpr (std::is_void_v<T>) {
      fn();
      return {};
    } else {
      return fn();
    }
  } catch (const SqliteError& e) {
    timer.failed(e);
    return make_error(ErrorCode::kUnavailable);
  }
}

namespace {

/// WAL pages after which the writer asks the checkpointer for a checkpoint now rather than at
/// its next tick (about 4 MiB of 4 KiB pages).
constexpr int kCheckpointNudgePages = 1000;
/// The WAL file is cut back to this size whenever SQLite starts it again from the beginning.
constexpr std::int64_t kWalSizeLimitBytes = 16 * 1024 * 1024;
constexpr std::chrono::milliseconds kCheckpointInterval{500};
/// WAL size past which a checkpoint makes the writer wait until it has caught up.
constexpr std::int64_t kWalRestartBytes = 32 * 1024 * 1024;

bool is_in_memory(const std::string& path) {
  return path == ":memory:" || path.empty() || path.starts_with("file::memory:");
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : db_(path), path_(path) {
  db_.exec("PRAGMA journal_mode = WAL");
  // FULL: a committed transition survives power loss, not only a crash of the process.
  db_.exec("PRAGMA synchronous = FULL");
  db_.exec("PRAGMA foreign_keys = ON");
  db_.exec("PRAGMA journal_size_limit = " + std::to_string(kWalSizeLimitBytes));
  if (!is_in_memory(path)) {
    checkpointer_ = std::make_unique<WalCheckpointer>(path, kCheckpointInterval, kWalRestartBytes);
    // Replaces SQLite's own autocheckpoint, which would run on this (the io) thread.
    // Called after every commit on this connection.
    sqlite3_wal_hook(
        db_.handle(),
        [](void* self, sqlite3*, const char*, int pages) {
          auto* store = static_cast<SqliteStore*>(self);
          if (store->syncer_) store->syncer_->committed();
          if (pages >= kCheckpointNudgePages) store->checkpointer_->nudge();
          return SQLITE_OK;
        },
        this);
  }
}

SqliteStore::~SqliteStore() {
  sqlite3_wal_hook(db_.handle(), nullptr, nullptr);
  syncer_.reset();
  checkpointer_.reset();
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void SqliteStore::enable_group_commit(GroupCommit::Post post) {
  if (!checkpointer_ || syncer_) return;           // In memory: nothing to make durable.
  db_.exec("PRAGMA user_version = user_version");  // Makes sure the -wal file exists.
  const std::string wal = path_ + "-wal";
  if (wal_fd_ >= 0) ::close(wal_fd_);  // From a group commit stopped before.
  wal_fd_ = ::open(wal.c_str(), O_RDWR | O_CLOEXEC);
  if (wal_fd_ < 0) throw std::runtime_error("cannot open " + wal + ": " + std::strerror(errno));
  // NORMAL in WAL mode: a commit appends to the WAL without fsync; checkpoints still fsync
  // both files in the right order, so an fdatasync of the WAL is all a commit needs.
  db_.exec("PRAGMA synchronous = NORMAL");
  syncer_ = std::make_unique<GroupCommit>(
      [fd = wal_fd_] {
        if (::fdatasync(fd) == 0) return true;
        obs::log_error("sqlite.wal_fsync_failed", {{"error", std::strerror(errno)}});
        return false;
      },
      std::move(post));
}

void SqliteStore::stop_group_commit() {
  if (!syncer_) return;
  syncer_.reset();
  try {
    db_.exec("PRAGMA synchronous = FULL");
  } catch (const SqliteError&) {
    // Shutting down: nothing more is written through this connection that needs it.
  }
}

void SqliteStore::after_commit_durable(std::function<void()> fn) {
  if (!syncer_) {
    fn();
    return;
  }
  syncer_->after_durable(std::move(fn));
}

std::int64_t SqliteStore::checkpoints() const {
  return checkpointer_ ? checkpointer_->checkpoints() : 0;
}

Result<void> SqliteStore::migrate() {
  return guarded([&] {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at "
        "BIGINT NOT NULL)");
    for (const auto& m : migrations()) {
      auto check = db_.prepare("SELECT 1 FROM schema_migrations WHERE name = ?");
      check.bind(1, m.name);
      if (check.step()) continue;
      Database::Transaction tx(db_);
      db_.exec(std::string(m.sql));
      db_.prepare(
             "INSERT INTO schema_migrations (name, applied_at) VALUES (?, "
             "CAST(strftime('%s','now') AS INTEGER) * 1000)")
          .bind(1, m.name)
          .run();
      tx.commit();
    }
  });
}

bool SqliteStore::ping() {
  try {
    db_.prepare("SELECT 1").run();
    return true;
  } catch (const SqliteError&) {
    return false;
  }
}

std::optional<Call> SqliteStore::load_call(const std::string& org_id, const std::string& call_id) {
  auto q = db_.prepare("SELECT " + kCallColumns + " FROM calls WHERE org_id = ? AND id = ?");
  q.bind(1, org_id).bind(2, call_id);
  if (!q.step()) return std::nullopt;
  return read_call(q);
}

std::vector<std::string> SqliteStore::ringing_staff_of(const std::string& call_id) {
  auto q = db_.prepare(
      "SELECT staff_id FROM call_participants WHERE call_id = ? AND outcome = 'ringing'");
  q.bind(1, call_id);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.text(0));
  return out;
}

void SqliteStore::touch_staff(const std::string& org_id, const std::string& staff_id,
                              std::int64_t now_ms) {
  db_.prepare("UPDATE staff SET since = ? WHERE org_id = ? AND staff_id = ?")
      .bind(1, now_ms)
      .bind(2, org_id)
      .bind(3, staff_id)
      .run();
}

void SqliteStore::count_missed_ring(const std::string& org_id, const std::string& staff_id,
                                    std::int64_t now_ms, int max_missed) {
  // CONTRACT 10.4: only rings that ran out on the staff member count.
  db_.prepare(
         "UPDATE staff SET missed_in_row = missed_in_row + 1, since = ?, "
         "status = CASE WHEN missed_in_row + 1 >= ? AND status = 'available' THEN 'away' "
         "ELSE status END WHERE org_id = ? AND staff_id = ?")
      .bind(1, now_ms)
      .bind(2, max_missed)
      .bind(3, org_id)
      .bind(4, staff_id)
      .run();
}

Result<CreateOutcome> SqliteStore::create_call(const Call& c, const std::vector<RingTarget>& ring,
                                               const std::optional<std::string>& idempotency_key) {
  OperationTimer timer(observer_);
  try {
    Database::Transaction tx(db_);
    if (idempotency_key) {
      auto q = db_.prepare(
          "SELECT call_id FROM idempotency_keys WHERE org_id = ? AND user_id = ? AND key = ?");
      q.bind(1, c.org_id).bind(2, c.caller.id).bind(3, *idempotency_key);
      if (q.step()) {
        auto existing = load_call(c.org_id, q.text(0));
        tx.commit();
        if (existing) return CreateOutcome{*existing, false};
      }
    }
    {
      auto q = db_.prepare("SELECT id FROM calls WHERE org_id = ? AND caller_id = ? AND state IN " +
                           std::string(kOpenStatesSql));
      q.bind(1, c.org_id).bind(2, c.caller.id);
      if (q.step()) {
        auto error = make_error(ErrorCode::kCallInProgress);
        error.details["call_id"] = q.text(0);
        return error;
      }
    }
    db_.prepare("INSERT INTO calls (" + kCallColumns +
                ") VALUES (?, ?, 'ringing', ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, NULL, NULL, "
                "NULL, NULL)")
        .bind(1, c.id)
        .bind(2, c.org_id)
        .bind(3, c.version)
        .bind(4, c.caller.id)
        .bind(5, c.caller.name)
        .bind(6, c.requested_staff_id)
        .bind(7, c.media.audio)
        .bind(8, c.media.video)
        .bind(9, metadata_to_json(c.metadata))
        .bind(10, c.created_at_ms)
        .bind(11, c.ring_deadline_ms)
        .run();
    for (const auto& target : ring) {
      db_.prepare(
             "INSERT INTO call_participants (call_id, org_id, staff_id, rung_at, ring_until, "
             "outcome) VALUES (?, ?, ?, ?, ?, 'ringing')")
          .bind(1, c.id)
          .bind(2, c.org_id)
          .bind(3, target.staff_id)
          .bind(4, c.created_at_ms)
          .bind(5, target.ring_until_ms)
          .run();
      touch_staff(c.org_id, target.staff_id, c.created_at_ms);
    }
    if (idempotency_key) {
      db_.prepare(
             "INSERT INTO idempotency_keys (org_id, user_id, key, call_id, created_at) VALUES "
             "(?, ?, ?, ?, ?)")
          .bind(1, c.org_id)
          .bind(2, c.caller.id)
          .bind(3, *idempotency_key)
          .bind(4, c.id)
          .bind(5, c.created_at_ms)
          .run();
    }
    auto created = load_call(c.org_id, c.id);
    write_outbox(*created, c.created_at_ms);
    tx.commit();
    return CreateOutcome{*created, true};
  } catch (const SqliteError& e) {
    // The unique index on open calls per caller is the last word on a race between two creates.
    if (e.is_constraint()) return make_error(ErrorCode::kCallInProgress);
    timer.failed(e);
    return make_error(ErrorCode::kUnavailable);
  }
}

Result<std::optional<Call>> SqliteStore::find_call(const std::string& org_id,
                                                   const std::string& call_id) {
  return guarded([&] { return load_call(org_id, call_id); });
}

Result<std::optional<Call>> SqliteStore::find_call_by_idempotency_key(const std::string& org_id,
                                                                      const std::string& caller_id,
                                                                      const std::string& key) {
  return guarded([&]() -> std::optional<Call> {
    auto q = db_.prepare(
        "SELECT call_id FROM idempotency_keys WHERE org_id = ? AND user_id = ? AND key = ?");
    q.bind(1, org_id).bind(2, caller_id).bind(3, key);
    if (!q.step()) return std::nullopt;
    return load_call(org_id, q.text(0));
  });
}

Result<CallPage> SqliteStore::list_calls(const CallQuery& query) {
  return guarded([&] {
    std::string sql = "SELECT " + kCallColumns + " FROM calls WHERE org_id = ?1";
    if (query.caller_id) sql += " AND caller_id = ?2";
    if (query.state) sql += " AND state = ?3";
    if (query.before) sql += " AND (created_at < ?4 OR (created_at = ?4 AND id < ?5))";
    sql += " ORDER BY created_at DESC, id DESC LIMIT ?6";
    auto q = db_.prepare(sql);
    q.bind(1, query.org_id);
    if (query.caller_id) q.bind(2, *query.caller_id);
    if (query.state) q.bind(3, call::to_string(*query.state));
    if (query.before) q.bind(4, query.before->first).bind(5, query.before->second);
    q.bind(6, query.limit + 1);
    CallPage page;
    while (q.step()) page.calls.push_back(read_call(q));
    if (static_cast<int>(page.calls.size()) > query.limit) {
      page.calls.pop_back();
      page.more = true;
    }
    return page;
  });
}

std::vector<Participant> SqliteStore::read_participants(const std::string& call_id) {
  auto q = db_.prepare(
      "SELECT staff_id, rung_at, ring_until, outcome FROM call_participants WHERE call_id = ? "
      "ORDER BY rung_at, staff_id");
  q.bind(1, call_id);
  std::vector<Participant> out;
  while (q.step()) {
    out.push_back({q.text(0), q.int64(1), q.opt_int64(2),
                   parse_ring_outcome(q.text(3)).value_or(RingOutcome::kRinging)});
  }
  return out;
}

Result<std::vector<Participant>> SqliteStore::participants(const std::string& call_id) {
  return guarded([&] { return read_participants(call_id); });
}

Result<std::vector<Call>> SqliteStore::open_calls_of_user(const std::string& org_id,
                                                          const std::string& user_id) {
  return guarded([&] {
    auto q = db_.prepare("SELECT " + kCallColumns + " FROM calls WHERE org_id = ?1 AND state IN " +
                         std::string(kOpenStatesSql) +
                         " AND (caller_id = ?2 OR staff_id = ?2 OR id IN (SELECT call_id FROM "
                         "call_participants WHERE org_id = ?1 AND staff_id = ?2 AND outcome = "
                         "'ringing')) ORDER BY created_at, id");
    q.bind(1, org_id).bind(2, user_id);
    std::vector<Call> out;
    while (q.step()) out.push_back(read_call(q));
    return out;
  });
}

Result<TransitionOutcome> SqliteStore::transition(const TransitionRequest& r) {
  OperationTimer timer(observer_);
  try {
    Database::Transaction tx(db_);
    TransitionOutcome out;
    const bool terminal = call::is_terminal(r.to);
    std::string sql =
        "UPDATE calls SET state = ?1, version = version + 1, "
        "end_reason = COALESCE(?2, end_reason), "
        "accepted_at = CASE WHEN ?1 = 'accepted' THEN ?3 ELSE accepted_at END, "
        "active_at = CASE WHEN ?1 = 'active' THEN ?3 ELSE active_at END, "
        "ended_at = CASE WHEN ?4 THEN ?3 ELSE ended_at END, "
        "staff_id = COALESCE(?5, staff_id), staff_name = COALESCE(?6, staff_name) "
        "WHERE org_id = ?7 AND id = ?8 AND state IN " +
        state_list(r.from);
    if (r.accepting_staff) {
      sql +=
          " AND EXISTS (SELECT 1 FROM call_participants WHERE call_id = ?8 AND staff_id = ?5 "
          "AND outcome = 'ringing')";
    }
    std::optional<std::string> staff_id, staff_name;
    if (r.accepting_staff) {
      staff_id = r.accepting_staff->id;
      staff_name = r.accepting_staff->name;
    }
    db_.prepare(sql)
        .bind(1, call::to_string(r.to))
        .bind(2, r.end_reason)
        .bind(3, r.now_ms)
        .bind(4, terminal)
        .bind(5, staff_id)
        .bind(6, staff_name)
        .bind(7, r.org_id)
        .bind(8, r.call_id)
        .run();
    if (db_.changes() == 0) return out;  // The database says: not in `from`. Nothing changed.
    // Who was ringing for the call: they are the ones whose state changes with the move. Read
    // after the CAS so the losers of an accept race run no extra query.
    const std::vector<std::string> was_ringing = ringing_staff_of(r.call_id);

    out.call = load_call(r.org_id, r.call_id);
    const Call& c = *out.call;
    auto set_ringing_outcome = [&](std::string_view outcome) {
      db_.prepare(
             "UPDATE call_participants SET outcome = ?, ended_at = ? WHERE call_id = ? AND "
             "outcome = 'ringing'")
          .bind(1, outcome)
          .bind(2, r.now_ms)
          .bind(3, r.call_id)
          .run();
    };

    if (r.to == CallState::kAccepted) {
      db_.prepare(
             "UPDATE call_participants SET outcome = 'accepted', ended_at = ? WHERE call_id = ? "
             "AND staff_id = ?")
          .bind(1, r.now_ms)
          .bind(2, r.call_id)
          .bind(3, c.staff->id)
          .run();
      set_ringing_outcome(to_string(RingOutcome::kTaken));
      // CONTRACT 10.3: accepting one call stops the others ringing for this staff member.
      {
        auto stopped = db_.prepare(
            "UPDATE call_participants SET outcome = 'stopped', ended_at = ? WHERE org_id = ? "
            "AND staff_id = ? AND outcome = 'ringing' RETURNING call_id");
        stopped.bind(1, r.now_ms).bind(2, r.org_id).bind(3, c.staff->id);
        while (stopped.step()) out.rings_stopped.push_back(stopped.text(0));
      }
      db_.prepare("UPDATE staff SET missed_in_row = 0 WHERE org_id = ? AND staff_id = ?")
          .bind(1, r.org_id)
          .bind(2, c.staff->id)
          .run();
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
      db_.prepare(
             "UPDATE staff SET last_call_end = ?1, wrap_up_until = ?1 + ?2, since = ?1 "
             "WHERE org_id = ?3 AND staff_id = ?4")
          .bind(1, r.now_ms)
          .bind(2, r.wrap_up_ms)
          .bind(3, r.org_id)
          .bind(4, c.staff->id)
          .run();
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
  } catch (const SqliteError& e) {
    // The one-open-call-per-staff index refused a second accept: the move is not allowed.
    if (e.is_constraint()) return TransitionOutcome{};
    timer.failed(e);
    return make_error(ErrorCode::kUnavailable);
  }
}

Result<std::vector<std::string>> SqliteStore::add_ring_targets(const std::string& org_id,
                                                               const std::string& call_id,
                                                               const std::vector<RingTarget>& ring,
                                                               std::int64_t now_ms) {
  return guarded([&] {
    Database::Transaction tx(db_);
    std::vector<std::string> added;
    for (const auto& target : ring) {
      db_.prepare(
             "INSERT INTO call_participants (call_id, org_id, staff_id, rung_at, ring_until, "
             "outcome) SELECT ?1, ?2, ?3, ?4, ?5, 'ringing' WHERE EXISTS (SELECT 1 FROM calls "
             "WHERE id = ?1 AND org_id = ?2 AND state = 'ringing') ON CONFLICT (call_id, "
             "staff_id) DO UPDATE SET rung_at = ?4, ring_until = ?5, outcome = 'ringing', "
             "ended_at = NULL WHERE call_participants.outcome = 'withdrawn'")
          .bind(1, call_id)
          .bind(2, org_id)
          .bind(3, target.staff_id)
          .bind(4, now_ms)
          .bind(5, target.ring_until_ms)
          .run();
      if (db_.changes() > 0) {
        touch_staff(org_id, target.staff_id, now_ms);
        added.push_back(target.staff_id);
      }
    }
    tx.commit();
    return added;
  });
}

Result<DeclineOutcome> SqliteStore::decline(const std::string& org_id, const std::string& call_id,
                                            const std::string& staff_id, std::int64_t now_ms) {
  return guarded([&] {
    Database::Transaction tx(db_);
    DeclineOutcome out;
    db_.prepare(
           "UPDATE call_participants SET outcome = 'declined', ended_at = ? WHERE org_id = ? AND "
           "call_id = ? AND staff_id = ? AND outcome = 'ringing' AND EXISTS (SELECT 1 FROM calls "
           "WHERE id = call_participants.call_id AND state = 'ringing')")
        .bind(1, now_ms)
        .bind(2, org_id)
        .bind(3, call_id)
        .bind(4, staff_id)
        .run();
    out.declined = db_.changes() > 0;
    if (out.declined) touch_staff(org_id, staff_id, now_ms);
    out.still_ringing = static_cast<int>(ringing_staff_of(call_id).size());
    tx.commit();
    return out;
  });
}

Result<bool> SqliteStore::end_ring_step(const std::string& org_id, const std::string& call_id,
                                        const std::string& staff_id, std::int64_t now_ms,
                                        int max_missed) {
  return guarded([&] {
    Database::Transaction tx(db_);
    db_.prepare(
           "UPDATE call_participants SET outcome = 'missed', ended_at = ? WHERE org_id = ? AND "
           "call_id = ? AND staff_id = ? AND outcome = 'ringing'")
        .bind(1, now_ms)
        .bind(2, org_id)
        .bind(3, call_id)
        .bind(4, staff_id)
        .run();
    bool ended = db_.changes() > 0;
    if (ended) count_missed_ring(org_id, staff_id, now_ms, max_missed);
    tx.commit();
    return ended;
  });
}

Result<std::vector<std::string>> SqliteStore::withdraw_rings(const std::string& org_id,
                                                             const std::string& staff_id,
                                                             std::int64_t now_ms) {
  return guarded([&] {
    Database::Transaction tx(db_);
    auto q = db_.prepare(
        "SELECT call_id FROM call_participants WHERE org_id = ? AND staff_id = ? AND outcome = "
        "'ringing' ORDER BY rung_at, call_id");
    q.bind(1, org_id).bind(2, staff_id);
    std::vector<std::string> calls;
    while (q.step()) calls.push_back(q.text(0));
    if (!calls.empty()) {
      db_.prepare(
             "UPDATE call_participants SET outcome = 'withdrawn', ended_at = ? WHERE org_id = ? "
             "AND staff_id = ? AND outcome = 'ringing'")
          .bind(1, now_ms)
          .bind(2, org_id)
          .bind(3, staff_id)
          .run();
      touch_staff(org_id, staff_id, now_ms);
    }
    tx.commit();
    return calls;
  });
}

Result<void> SqliteStore::upsert_staff(const std::string& org_id, const std::string& staff_id,
                                       const std::string& name, std::int64_t now_ms) {
  return guarded([&] {
    db_.prepare(
           "INSERT INTO staff (org_id, staff_id, name, status, since, available_since, "
           "last_call_end, wrap_up_until, missed_in_row) VALUES (?, ?, ?, 'offline', ?, 0, 0, 0, "
           "0) ON CONFLICT (org_id, staff_id) DO UPDATE SET name = excluded.name WHERE name <> "
           "excluded.name")
        .bind(1, org_id)
        .bind(2, staff_id)
        .bind(3, name)
        .bind(4, now_ms)
        .run();
  });
}

Result<void> SqliteStore::set_staff_status(const std::string& org_id, const std::string& staff_id,
                                           call::StaffStatus status, std::int64_t now_ms) {
  return guarded([&] {
    const auto name = call::to_string(status);
    // Becoming available starts the idle clock of longest-idle and forgives missed rings.
    db_.prepare(
           "UPDATE staff SET since = ?1, "
           "available_since = CASE WHEN ?2 = 'available' AND status <> 'available' THEN ?1 "
           "ELSE available_since END, "
           "missed_in_row = CASE WHEN ?2 = 'available' AND status <> 'available' THEN 0 "
           "ELSE missed_in_row END, "
           "status = ?2 WHERE org_id = ?3 AND staff_id = ?4")
        .bind(1, now_ms)
        .bind(2, name)
        .bind(3, org_id)
        .bind(4, staff_id)
        .run();
  });
}

std::vector<StaffEntry> SqliteStore::query_staff(const std::string& org_id,
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
      "s.staff_id AND (pr.connections > 0 OR pr.disconnected_at > ?2)) "
      "FROM staff s WHERE s.org_id = ?1";
  if (staff_id) sql += " AND s.staff_id = ?3";
  sql += " ORDER BY s.staff_id";
  auto q = db_.prepare(sql);
  q.bind(1, org_id).bind(2, now_ms - presence_grace_ms);
  if (staff_id) q.bind(3, *staff_id);
  std::vector<StaffEntry> out;
  while (q.step()) {
    StaffEntry e;
    e.id = q.text(0);
    e.name = q.text(1);
    e.chosen_status = call::parse_staff_status(q.text(2)).value_or(call::StaffStatus::kOffline);
    e.since_ms = q.int64(3);
    const std::int64_t available_since = q.int64(4);
    const std::int64_t last_call_end = q.int64(5);
    const std::int64_t wrap_up_until = q.int64(6);
    e.missed_in_row = static_cast<int>(q.int64(7));
    e.call_id = q.opt_text(8);
    const bool ringing = q.int64(9) != 0;
    e.connected = q.int64(10) != 0;
    derive_staff_view(e, ringing, available_since, last_call_end, wrap_up_until, now_ms);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<StaffEntry>> SqliteStore::list_staff(const std::string& org_id,
                                                        std::int64_t now_ms,
                                                        std::int64_t presence_grace_ms) {
  return guarded([&] { return query_staff(org_id, std::nullopt, now_ms, presence_grace_ms); });
}

Result<std::optional<StaffEntry>> SqliteStore::find_staff(const std::string& org_id,
                                                          const std::string& staff_id,
                                                          std::int64_t now_ms,
                                                          std::int64_t presence_grace_ms) {
  return guarded([&]() -> std::optional<StaffEntry> {
    auto all = query_staff(org_id, staff_id, now_ms, presence_grace_ms);
    if (all.empty()) return std::nullopt;
    return all.front();
  });
}

Result<void> SqliteStore::presence_connect(const std::string& org_id, const std::string& user_id,
                                           const std::string& node_id) {
  return guarded([&] {
    // Presence is rebuilt at every start (presence_reset): a lost write costs nothing.
    Database::RelaxedDurability relaxed(db_);
    db_.prepare(
           "INSERT INTO presence (org_id, user_id, node_id, connections, disconnected_at) VALUES "
           "(?, ?, ?, 1, NULL) ON CONFLICT (org_id, user_id, node_id) DO UPDATE SET "
           "connections = connections + 1, disconnected_at = NULL")
        .bind(1, org_id)
        .bind(2, user_id)
        .bind(3, node_id)
        .run();
  });
}

Result<int> SqliteStore::presence_disconnect(const std::string& org_id, const std::string& user_id,
                                             const std::string& node_id, std::int64_t now_ms) {
  return guarded([&] {
    Database::RelaxedDurability relaxed(db_);
    Database::Transaction tx(db_);
    db_.prepare(
           "UPDATE presence SET connections = MAX(connections - 1, 0), disconnected_at = CASE "
           "WHEN connections <= 1 THEN ? ELSE disconnected_at END WHERE org_id = ? AND user_id "
           "= ? AND node_id = ?")
        .bind(1, now_ms)
        .bind(2, org_id)
        .bind(3, user_id)
        .bind(4, node_id)
        .run();
    auto q = db_.prepare(
        "SELECT COALESCE(SUM(connections), 0) FROM presence WHERE org_id = ? AND user_id = ?");
    q.bind(1, org_id).bind(2, user_id);
    q.step();
    int left = static_cast<int>(q.int64(0));
    tx.commit();
    return left;
  });
}

Result<bool> SqliteStore::is_present(const std::string& org_id, const std::string& user_id,
                                     std::int64_t now_ms, std::int64_t grace_ms) {
  return guarded([&] {
    auto q = db_.prepare(
        "SELECT EXISTS (SELECT 1 FROM presence WHERE org_id = ? AND user_id = ? AND "
        "(connections > 0 OR disconnected_at > ?))");
    q.bind(1, org_id).bind(2, user_id).bind(3, now_ms - grace_ms);
    q.step();
    return q.int64(0) != 0;
  });
}

Result<bool> SqliteStore::ever_connected(const std::string& org_id, const std::string& user_id) {
  return guarded([&] {
    auto q = db_.prepare("SELECT EXISTS (SELECT 1 FROM presence WHERE org_id = ? AND user_id = ?)");
    q.bind(1, org_id).bind(2, user_id);
    q.step();
    return q.int64(0) != 0;
  });
}

Result<void> SqliteStore::presence_reset(const std::string& node_id, std::int64_t now_ms) {
  return guarded([&] {
    db_.prepare(
           "UPDATE presence SET connections = 0, disconnected_at = ? WHERE node_id = ? AND "
           "connections > 0")
        .bind(1, now_ms)
        .bind(2, node_id)
        .run();
  });
}

void SqliteStore::write_outbox(const Call& c, std::int64_t now_ms) {
  if (!render_outbox_) return;
  std::optional<CallQuality> quality;
  if (call::is_terminal(c.state)) {
    auto q = quality_of(c.id);
    if (!q) throw SqliteError{SQLITE_ERROR, "quality lookup failed"};
    quality = *q;
  }
  db_.prepare(
         "INSERT INTO webhook_outbox (call_id, version, payload, created_at, next_attempt_at) "
         "VALUES (?, ?, ?, ?, ?)")
      .bind(1, c.id)
      .bind(2, c.version)
      .bind(3, render_outbox_(c, quality ? &*quality : nullptr))
      .bind(4, now_ms)
      .bind(5, now_ms)
      .run();
}

void SqliteStore::enable_outbox(OutboxRenderer render) {
  render_outbox_ = std::move(render);
}

Result<std::vector<WebhookEvent>> SqliteStore::due_webhooks(std::int64_t now_ms, int limit) {
  return guarded([&] {
    // The oldest undelivered event of each call, if it is due: later versions wait for it.
    auto q = db_.prepare(
        "SELECT o.id, o.call_id, o.version, o.payload, o.attempts, o.created_at FROM "
        "webhook_outbox o WHERE o.delivered_at IS NULL AND o.next_attempt_at <= ? AND o.id = "
        "(SELECT MIN(p.id) FROM webhook_outbox p WHERE p.call_id = o.call_id AND "
        "p.delivered_at IS NULL) ORDER BY o.id LIMIT ?");
    q.bind(1, now_ms).bind(2, limit);
    std::vector<WebhookEvent> out;
    while (q.step()) {
      out.push_back(
          {q.int64(0), q.text(1), q.int64(2), q.text(3), static_cast<int>(q.int64(4)), q.int64(5)});
    }
    return out;
  });
}

Result<void> SqliteStore::webhook_delivered(std::int64_t id, std::int64_t now_ms) {
  return guarded([&] {
    db_.prepare("UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?")
        .bind(1, now_ms)
        .bind(2, id)
        .run();
  });
}

Result<void> SqliteStore::webhook_failed(std::int64_t id, std::int64_t next_attempt_ms,
                                         const std::string& error) {
  return guarded([&] {
    db_.prepare(
           "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = "
           "? WHERE id = ?")
        .bind(1, next_attempt_ms)
        .bind(2, error)
        .bind(3, id)
        .run();
  });
}

Result<std::int64_t> SqliteStore::webhook_pending() {
  return guarded([&] {
    auto q = db_.prepare("SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NULL");
    q.step();
    return q.int64(0);
  });
}

Result<void> SqliteStore::add_quality_sample(const std::string& call_id, const std::string& side,
                                             const QualitySample& s) {
  return guarded([&] {
    // A figure the sample lacks (NULL) adds nothing to its sum, maximum or count. A reconnect:
    // the side was connected and now reports it lost the connection.
    db_.prepare(
           "INSERT INTO call_quality (call_id, side, samples, rtt_sum, rtt_max, rtt_n, jitter_sum, "
           "jitter_max, jitter_n, loss_sum, loss_max, loss_n, audio_in_sum, audio_in_n, "
           "audio_out_sum, audio_out_n, video_in_sum, video_in_n, video_out_sum, video_out_n, "
           "candidate_type, ice_state, reconnects) VALUES (?1, ?2, 1, "
           "COALESCE(?3, 0), COALESCE(?3, 0), ?3 IS NOT NULL, "
           "COALESCE(?4, 0), COALESCE(?4, 0), ?4 IS NOT NULL, "
           "COALESCE(?5, 0), COALESCE(?5, 0), ?5 IS NOT NULL, "
           "COALESCE(?6, 0), ?6 IS NOT NULL, COALESCE(?7, 0), ?7 IS NOT NULL, "
           "COALESCE(?8, 0), ?8 IS NOT NULL, COALESCE(?9, 0), ?9 IS NOT NULL, ?10, ?11, 0) "
           "ON CONFLICT (call_id, side) DO UPDATE SET samples = samples + 1, "
           "rtt_sum = rtt_sum + COALESCE(?3, 0), rtt_max = MAX(rtt_max, COALESCE(?3, 0)), "
           "rtt_n = rtt_n + (?3 IS NOT NULL), "
           "jitter_sum = jitter_sum + COALESCE(?4, 0), "
           "jitter_max = MAX(jitter_max, COALESCE(?4, 0)), jitter_n = jitter_n + (?4 IS NOT NULL), "
           "loss_sum = loss_sum + COALESCE(?5, 0), loss_max = MAX(loss_max, COALESCE(?5, 0)), "
           "loss_n = loss_n + (?5 IS NOT NULL), "
           "audio_in_sum = audio_in_sum + COALESCE(?6, 0), audio_in_n = audio_in_n + (?6 IS NOT "
           "NULL), audio_out_sum = audio_out_sum + COALESCE(?7, 0), "
           "audio_out_n = audio_out_n + (?7 IS NOT NULL), "
           "video_in_sum = video_in_sum + COALESCE(?8, 0), video_in_n = video_in_n + (?8 IS NOT "
           "NULL), video_out_sum = video_out_sum + COALESCE(?9, 0), "
           "video_out_n = video_out_n + (?9 IS NOT NULL), "
           "candidate_type = COALESCE(?10, candidate_type), "
           "reconnects = reconnects + CASE WHEN ice_state IN ('connected', 'completed') AND ?11 "
           "IN ('disconnected', 'failed') THEN 1 ELSE 0 END, "
           "ice_state = COALESCE(?11, ice_state)")
        .bind(1, call_id)
        .bind(2, side)
        .bind(3, s.rtt_ms)
        .bind(4, s.jitter_ms)
        .bind(5, s.packet_loss_pct)
        .bind(6, s.audio_in_kbps)
        .bind(7, s.audio_out_kbps)
        .bind(8, s.video_in_kbps)
        .bind(9, s.video_out_kbps)
        .bind(10, s.candidate_type)
        .bind(11, s.ice_state)
        .run();
  });
}

Result<CallQuality> SqliteStore::quality_of(const std::string& call_id) {
  return guarded([&] {
    auto q = db_.prepare(
        "SELECT side, samples, rtt_sum, rtt_max, rtt_n, jitter_sum, jitter_max, jitter_n, "
        "loss_sum, loss_max, loss_n, audio_in_sum, audio_in_n, audio_out_sum, audio_out_n, "
        "video_in_sum, video_in_n, video_out_sum, video_out_n, candidate_type, reconnects "
        "FROM call_quality WHERE call_id = ?");
    q.bind(1, call_id);
    CallQuality out;
    while (q.step()) {
      QualitySummary s;
      s.samples = static_cast<int>(q.int64(1));
      s.rtt_avg = quality_average(q.real(2), q.int64(4));
      s.rtt_max = quality_maximum(q.real(3), q.int64(4));
      s.jitter_avg = quality_average(q.real(5), q.int64(7));
      s.jitter_max = quality_maximum(q.real(6), q.int64(7));
      s.loss_avg = quality_average(q.real(8), q.int64(10));
      s.loss_max = quality_maximum(q.real(9), q.int64(10));
      s.audio_in_avg = quality_average(q.real(11), q.int64(12));
      s.audio_out_avg = quality_average(q.real(13), q.int64(14));
      s.video_in_avg = quality_average(q.real(15), q.int64(16));
      s.video_out_avg = quality_average(q.real(17), q.int64(18));
      s.candidate_type = q.opt_text(19);
      s.reconnects = static_cast<int>(q.int64(20));
      (q.text(0) == "caller" ? out.caller : out.staff) = s;
    }
    return out;
  });
}

Result<void> SqliteStore::save_feedback(const std::string& call_id, const std::string& user_id,
                                        const Feedback& f, std::int64_t now_ms) {
  return guarded([&] {
    const std::string issues = string_list_to_json(f.issues);
    db_.prepare(
           "INSERT INTO call_feedback (call_id, user_id, score, issues, comment, created_at) "
           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (call_id, user_id) DO UPDATE SET score = "
           "excluded.score, issues = excluded.issues, comment = excluded.comment, created_at = "
           "excluded.created_at")
        .bind(1, call_id)
        .bind(2, user_id)
        .bind(3, f.score)
        .bind(4, issues)
        .bind(5, f.comment)
        .bind(6, now_ms)
        .run();
  });
}

Result<std::vector<FeedbackEntry>> SqliteStore::feedback_of(const std::string& call_id) {
  return guarded([&] {
    auto q = db_.prepare(
        "SELECT user_id, score, issues, comment, created_at FROM call_feedback WHERE call_id = ? "
        "ORDER BY created_at, user_id");
    q.bind(1, call_id);
    std::vector<FeedbackEntry> out;
    while (q.step()) {
      FeedbackEntry e;
      e.user_id = q.text(0);
      e.feedback.score = static_cast<int>(q.int64(1));
      e.feedback.issues = string_list_from_json(q.text(2));
      e.feedback.comment = q.text(3);
      e.created_at_ms = q.int64(4);
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<std::vector<Call>> SqliteStore::calls_created_since(const std::string& org_id,
                                                           std::int64_t since_ms) {
  return guarded([&] {
    auto q = db_.prepare("SELECT " + kCallColumns +
                         " FROM calls WHERE org_id = ? AND created_at >= ? ORDER BY created_at");
    q.bind(1, org_id).bind(2, since_ms);
    std::vector<Call> out;
    while (q.step()) out.push_back(read_call(q));
    return out;
  });
}

Result<std::vector<CallRef>> SqliteStore::call_refs(const std::string& sql) {
  return guarded([&] {
    auto q = db_.prepare(sql);
    std::vector<CallRef> out;
    while (q.step()) out.push_back({q.text(0), q.text(1), q.int64(2)});
    return out;
  });
}

Result<std::vector<CallRef>> SqliteStore::ringing_calls() {
  return call_refs(
      "SELECT org_id, id, ring_deadline FROM calls WHERE state = 'ringing' ORDER BY "
      "ring_deadline");
}

Result<std::vector<CallRef>> SqliteStore::accepted_calls() {
  return call_refs(
      "SELECT org_id, id, accepted_at FROM calls WHERE state = 'accepted' ORDER BY accepted_at");
}

Result<std::vector<CallRef>> SqliteStore::open_calls() {
  return call_refs("SELECT org_id, id, created_at FROM calls WHERE state IN " +
                   std::string(kOpenStatesSql));
}

Result<std::vector<RingStepRef>> SqliteStore::open_ring_steps() {
  return guarded([&] {
    auto q = db_.prepare(
        "SELECT org_id, call_id, staff_id, ring_until FROM call_participants WHERE outcome = "
        "'ringing' AND ring_until IS NOT NULL");
    std::vector<RingStepRef> out;
    while (q.step()) out.push_back({q.text(0), q.text(1), q.text(2), q.int64(3)});
    return out;
  });
}

Result<std::vector<WrapUpRef>> SqliteStore::wrap_ups_after(std::int64_t now_ms) {
  return guarded([&] {
    auto q =
        db_.prepare("SELECT org_id, staff_id, wrap_up_until FROM staff WHERE wrap_up_until > ?");
    q.bind(1, now_ms);
    std::vector<WrapUpRef> out;
    while (q.step()) out.push_back({q.text(0), q.text(1), q.int64(2)});
    return out;
  });
}

}  // namespace sb::storage::sqlite
