#include "storage/sql_store/sql_store.hpp"

#include <algorithm>
#include <chrono>

#include "storage/sql/transaction.hpp"
#include "storage/sql_store/operation_timer.hpp"

namespace sb::storage {

using call::ErrorCode;
using call::make_error;

namespace {

std::vector<std::string> staff_ids_of(const std::vector<RingTarget>& ring) {
  std::vector<std::string> ids;
  ids.reserve(ring.size());
  for (const auto& target : ring) ids.push_back(target.staff_id);
  return ids;
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<sql::Database> db)
    : db_(std::move(db)),
      calls_(*db_),
      participants_(*db_),
      staff_(*db_),
      presence_(*db_),
      quality_(*db_),
      feedback_(*db_),
      outbox_(*db_) {
  db_->set_commit_listener([this] {
    if (group_ && !uncounted_) group_->committed();
  });
}

void SqlStore::enable_group_commit(GroupCommit::Post post) {
  if (group_) return;
  auto sync = db_->begin_group_commit();
  if (!sync) return;  // Nothing to make durable.
  group_ = std::make_unique<GroupCommit>(std::move(sync), std::move(post));
}

void SqlStore::stop_group_commit() {
  if (!group_) return;
  group_.reset();
  db_->end_group_commit();
}

void SqlStore::after_commit_durable(std::function<void()> fn) {
  if (!group_) {
    fn();
    return;
  }
  group_->after_durable(std::move(fn));
}

Result<void> SqlStore::migrate() {
  return guarded(observer_, [&] {
    // One transaction for all of it, under a lock every node takes: nodes starting at once
    // apply each migration once, and a failed migration leaves the schema as it was.
    sql::Transaction tx(*db_);
    const sql::Dialect& dialect = db_->dialect();
    if (!dialect.migration_lock.empty()) db_->exec(dialect.migration_lock);
    db_->exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at "
        "BIGINT NOT NULL)");
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    for (const auto& m : dialect.migrations()) {
      if (db_->query("SELECT 1 FROM schema_migrations WHERE name = ?", {m.name}).next()) continue;
      db_->exec(m.sql);
      db_->run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", {m.name, now_ms});
    }
    tx.commit();
  });
}

// --- Calls ---

void SqlStore::write_outbox(const Call& c, std::int64_t now_ms) {
  if (!render_outbox_) return;
  std::optional<CallQuality> quality;
  if (call::is_terminal(c.state)) quality = quality_.of_call(c.id);
  outbox_.add(c, render_outbox_(c, quality ? &*quality : nullptr), now_ms);
}

Result<CreateOutcome> SqlStore::create_call(const Call& c, const std::vector<RingTarget>& ring,
                                            const std::optional<std::string>& idempotency_key) {
  OperationTimer timer(observer_, &writes_);
  try {
    sql::Transaction tx(*db_);
    if (idempotency_key) {
      if (auto earlier = calls_.id_for_key(c.org_id, c.caller.id, *idempotency_key)) {
        if (auto existing = calls_.find(c.org_id, *earlier)) {
          tx.commit();
          return CreateOutcome{*existing, false};
        }
      }
    }
    if (auto open = calls_.open_call_of_caller(c.org_id, c.caller.id)) {
      auto error = make_error(ErrorCode::kCallInProgress);
      error.details["call_id"] = *open;
      return error;
    }
    calls_.insert(c);
    participants_.ring(c, ring);
    staff_.touch(c.org_id, staff_ids_of(ring), c.created_at_ms);
    if (idempotency_key) calls_.remember_key(c, *idempotency_key);
    // The row is `c` as inserted: no read back.
    write_outbox(c, c.created_at_ms);
    tx.commit();
    return CreateOutcome{c, true};
  } catch (const sql::Error& e) {
    // The unique index on open calls per caller is the last word on a race between two creates.
    if (e.is_unique_violation()) return make_error(ErrorCode::kCallInProgress);
    return timer.unavailable(e);
  }
}

Result<TransitionOutcome> SqlStore::transition(const TransitionRequest& r) {
  OperationTimer timer(observer_, &writes_);
  try {
    sql::Transaction tx(*db_);
    TransitionOutcome out;
    // A promotion takes the chosen staff member's row first: of two nodes promoting calls to
    // the same staff member, the second waits for the first to commit, then sees them rung.
    if (r.effects.ring_chosen_staff) staff_.touch(r.org_id, staff_ids_of(r.ring), r.now_ms);
    out.call = calls_.move(r);
    if (!out.call) return out;  // The database says: not in `from`. Nothing changed.
    const call::Effects& effects = r.effects;
    const Call& c = *out.call;
    auto changed = [&out](const std::string& staff_id) {
      auto& list = out.staff_changed;
      if (std::find(list.begin(), list.end(), staff_id) == list.end()) list.push_back(staff_id);
    };
    if (effects.accepting_staff && c.staff) {
      participants_.accept(r.call_id, c.staff->id, r.now_ms);
      // docs/api.md#routing: accepting one call stops the others ringing for this staff member.
      out.rings_stopped =
          participants_.end_rings_of(r.org_id, c.staff->id, RingOutcome::kStopped, r.now_ms);
      staff_.took_call(r.org_id, c.staff->id, r.now_ms);
      changed(c.staff->id);
    }
    if (effects.ringing_staff) {
      // Whose rings end with the move (the staff member accepting is not ringing any more).
      const auto was_ringing =
          participants_.end_ringing(r.call_id, *effects.ringing_staff, r.now_ms);
      std::vector<std::string> touched;
      for (const auto& id : was_ringing) {
        const bool not_counted = std::find(r.missed_not_counted.begin(), r.missed_not_counted.end(),
                                           id) != r.missed_not_counted.end();
        if (*effects.ringing_staff == RingOutcome::kMissed && !not_counted) {
          staff_.count_missed_ring(r.org_id, id, r.now_ms, r.max_missed);
        } else {
          touched.push_back(id);
        }
        changed(id);
      }
      staff_.touch(r.org_id, touched, r.now_ms);
    }
    if (effects.staff_wrap_up && c.staff) {
      staff_.start_wrap_up(r.org_id, c.staff->id, r.now_ms, r.wrap_up_ms);
      changed(c.staff->id);
    }
    if (effects.ring_chosen_staff) {
      std::vector<std::string> rung;
      for (const auto& target : r.ring) {
        if (participants_.ring_more(r.org_id, r.call_id, target, r.now_ms)) {
          rung.push_back(target.staff_id);
        }
      }
      staff_.touch(r.org_id, rung, r.now_ms);
      for (const auto& id : rung) changed(id);
    }
    write_outbox(c, r.now_ms);
    if (effects.accepting_staff || effects.ringing_staff || effects.ring_chosen_staff) {
      out.participants = participants_.of_call(r.call_id);
    }
    if (r.successor) insert_successor(r, out, changed);
    tx.commit();
    return out;
  } catch (const sql::Error& e) {
    // The one-open-call-per-staff index refused a second accept: the move is not allowed.
    if (e.is_unique_violation()) return TransitionOutcome{};
    return timer.unavailable(e);
  }
}

void SqlStore::insert_successor(const TransitionRequest& r, TransitionOutcome& out,
                                const std::function<void(const std::string&)>& changed) {
  const Call& next = *r.successor;
  calls_.insert(next);
  participants_.ring(next, r.successor_ring);
  staff_.touch(next.org_id, staff_ids_of(r.successor_ring), next.created_at_ms);
  for (const auto& target : r.successor_ring) changed(target.staff_id);
  out.successor = calls_.find(next.org_id, next.id);
  write_outbox(*out.successor, next.created_at_ms);
  out.successor_participants = participants_.of_call(next.id);
}

// --- Rings ---

Result<std::vector<std::string>> SqlStore::add_ring_targets(const std::string& org_id,
                                                            const std::string& call_id,
                                                            const std::vector<RingTarget>& ring,
                                                            std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] {
    sql::Transaction tx(*db_);
    std::vector<std::string> added;
    // The call's row first. With PostgreSQL, a transition on another node that ends the call
    // has either committed (the call no longer rings: nobody is rung) or waits for this one (and
    // then ends these rings with the others). Without it, a ring inserted while that transition
    // ran outlived the call (the chaos run found one).
    if (!calls_.hold_if_ringing(org_id, call_id)) {
      tx.commit();
      return added;
    }
    for (const auto& target : ring) {
      if (participants_.ring_more(org_id, call_id, target, now_ms))
        added.push_back(target.staff_id);
    }
    staff_.touch(org_id, added, now_ms);
    tx.commit();
    return added;
  });
}

Result<DeclineOutcome> SqlStore::decline(const std::string& org_id, const std::string& call_id,
                                         const std::string& staff_id, std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] {
    sql::Transaction tx(*db_);
    DeclineOutcome out;
    out.declined = participants_.decline(org_id, call_id, staff_id, now_ms);
    if (out.declined) staff_.touch(org_id, staff_id, now_ms);
    out.still_ringing = static_cast<int>(participants_.ringing_staff(call_id).size());
    tx.commit();
    return out;
  });
}

Result<bool> SqlStore::end_ring_step(const std::string& org_id, const std::string& call_id,
                                     const std::string& staff_id, std::int64_t now_ms,
                                     int max_missed, bool counts_as_missed) {
  return guarded(observer_, &writes_, [&] {
    sql::Transaction tx(*db_);
    const bool ended =
        participants_.end_ring(org_id, call_id, staff_id, RingOutcome::kMissed, now_ms);
    if (ended && counts_as_missed) {
      staff_.count_missed_ring(org_id, staff_id, now_ms, max_missed);
    } else if (ended) {
      staff_.touch(org_id, staff_id, now_ms);
    }
    tx.commit();
    return ended;
  });
}

Result<std::vector<std::string>> SqlStore::withdraw_rings(const std::string& org_id,
                                                          const std::string& staff_id,
                                                          std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] {
    sql::Transaction tx(*db_);
    auto calls = participants_.end_rings_of(org_id, staff_id, RingOutcome::kWithdrawn, now_ms);
    if (!calls.empty()) staff_.touch(org_id, staff_id, now_ms);
    tx.commit();
    return calls;
  });
}

}  // namespace sb::storage
