#pragma once
// The driver interface the one SQL store (storage/sql_store/) runs on; SQLite (sqlite/) and
// PostgreSQL (postgres/) implement it. SQL is written once, in the dialect both accept, with
// SQLite's placeholders: `?` for the next parameter, `?N` for the Nth (a driver translates them
// for its server). What the dialects really disagree on is in Dialect.
// Used from one thread, the server's io thread; a driver may run threads of its own.

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/migrations.hpp"
#include "storage/sql/params.hpp"
#include "storage/sql/rows.hpp"

namespace sb::storage::sql {

/// Every failure of a driver. The store answers `unavailable` for all but a unique violation,
/// which is how the database decides a race (two creates of one caller, two accepts).
class Error : public std::runtime_error {
 public:
  enum class Kind {
    kUniqueViolation,
    /// Anything else: the connection is lost, the disk is full, the database is busy.
    kUnavailable,
  };
  Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool is_unique_violation() const { return kind_ == Kind::kUniqueViolation; }

 private:
  Kind kind_;
};

/// kRelaxed: the commit need not wait for the disk. For presence only, which every start
/// rebuilds, so a commit lost in a power cut costs nothing.
enum class Durability { kFull, kRelaxed };

/// What the dialects disagree on beyond single statements.
struct Dialect {
  /// The schema, in this dialect, oldest first.
  const std::vector<Migration>& (*migrations)();
  /// Run first in the migrations' transaction so that nodes starting at once apply each
  /// migration once; empty where beginning the transaction takes that lock already.
  std::string_view migration_lock;
  /// Whether each statement is a round trip to a server (PostgreSQL), so that the store folds
  /// work into fewer statements: a write hands back its rows with RETURNING, and one statement
  /// changes a list of rows (`IN (?, ?, ...)`). SQLite runs statements in the process and builds
  /// a temporary table for RETURNING and for such a list, which costs more than a read by key
  /// and one statement per row inside the same transaction.
  bool statement_is_round_trip = true;
};

class Database {
 public:
  virtual ~Database() = default;

  /// Runs one statement and returns its rows (a SELECT, or a write with RETURNING). The rows
  /// hold the statement until they leave scope: read them before running the same SQL again.
  virtual Rows query(std::string_view sql, const Params& params) = 0;
  /// Runs one statement that returns no rows; returns how many rows it changed.
  virtual std::int64_t run(std::string_view sql, const Params& params) = 0;
  /// Runs statements without parameters (a migration, a setting, CREATE DATABASE).
  virtual void exec(std::string_view script) = 0;

  /// A transaction that takes the write lock at once (SQLite) or when it first writes
  /// (PostgreSQL, whose rows lock one by one). Use sql::Transaction rather than these.
  virtual void begin(Durability durability) = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;

  /// True when the database answers; may reconnect to find out.
  virtual bool ping() = 0;
  virtual const Dialect& dialect() const = 0;

  // --- Group commit (storage/group_commit.hpp) ---

  /// Called after each commit that group commit must cover, for GroupCommit::committed().
  virtual void set_commit_listener(std::function<void()> listener) = 0;
  /// From now on commits do not wait for the disk. Returns what makes every commit so far
  /// durable, which runs on the group commit's thread; empty when there is nothing to make
  /// durable (an in-memory database). Throws when it can't be set up.
  virtual std::function<bool()> begin_group_commit() = 0;
  /// Commits wait for the disk again. Called once the group commit's thread is gone.
  virtual void end_group_commit() = 0;
};

}  // namespace sb::storage::sql
