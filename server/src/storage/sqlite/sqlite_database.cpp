#include "storage/sqlite/sqlite_database.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "obs/log.hpp"
#include "storage/sqlite/sqlite_statement.hpp"

namespace sb::storage::sqlite {
namespace {

/// WAL pages after which a commit asks the checkpointer for a checkpoint now rather than at
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

// PostgreSQL's GREATEST, which SQLite lacks, so that the store's SQL is written once. Like
// PostgreSQL's it passes over NULLs.
void greatest(sqlite3_context* context, int argc, sqlite3_value** argv) {
  sqlite3_value* best = nullptr;
  for (int i = 0; i < argc; ++i) {
    sqlite3_value* v = argv[i];
    if (sqlite3_value_type(v) == SQLITE_NULL) continue;
    const bool integers = best && sqlite3_value_type(v) == SQLITE_INTEGER &&
                          sqlite3_value_type(best) == SQLITE_INTEGER;
    const bool greater = !best || (integers ? sqlite3_value_int64(v) > sqlite3_value_int64(best)
                                            : sqlite3_value_double(v) > sqlite3_value_double(best));
    if (greater) best = v;
  }
  if (best) {
    sqlite3_result_value(context, best);
  } else {
    sqlite3_result_null(context);
  }
}

const sql::Dialect kDialect{&migrations, "", false};

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path) : path_(path) {
  // Process-wide, and only before the first connection opens: without memory statistics SQLite
  // takes no global mutex around each of its allocations (2 % of the server's instructions).
  // Its result is not checked: SQLITE_MISUSE only means SQLite was already initialised.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    sql::Error error = sqlite_error(db_, rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw error;
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    // Another process (a second node, an admin's sqlite3 shell) may hold the lock briefly.
    sqlite3_busy_timeout(db_, 5000);
    const int made =
        sqlite3_create_function_v2(db_, "greatest", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                   &greatest, nullptr, nullptr, nullptr);
    if (made != SQLITE_OK) throw sqlite_error(db_, made);
    exec("PRAGMA page_size = 1024");
    exec("PRAGMA journal_mode = WAL");
    // FULL: a committed transition survives power loss, not only a crash of the process.
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA foreign_keys = ON");
    exec("PRAGMA journal_size_limit = " + std::to_string(kWalSizeLimitBytes));
    // 32 MiB of page cache instead of 2: the open calls, their indexes and the staff rows stay
    // in memory, so a transition reads no page from the file.
    exec("PRAGMA cache_size = -32768");
    exec("PRAGMA temp_store = MEMORY");
  } catch (const sql::Error&) {
    sqlite3_close(db_);
    throw;
  }
  if (!is_in_memory(path)) {
    checkpointer_ = std::make_unique<WalCheckpointer>(path, kCheckpointInterval, kWalRestartBytes);
    // Replaces SQLite's own autocheckpoint, which would run on this (the io) thread.
    sqlite3_wal_hook(db_, &SqliteDatabase::on_wal_commit, this);
  }
}

SqliteDatabase::~SqliteDatabase() {
  sqlite3_wal_hook(db_, nullptr, nullptr);
  checkpointer_.reset();
  if (wal_fd_ >= 0) ::close(wal_fd_);
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

int SqliteDatabase::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  auto* database = static_cast<SqliteDatabase*>(self);
  if (database->on_commit_) database->on_commit_();
  if (pages >= kCheckpointNudgePages) database->checkpointer_->nudge();
  return SQLITE_OK;
}

sqlite3_stmt* SqliteDatabase::prepared(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) throw sqlite_error(db_, rc);
  return cache_.emplace(std::string(sql), stmt).first->second;
}

sql::Rows SqliteDatabase::query(std::string_view sql, const sql::Params& params) {
  return sql::Rows(std::make_unique<SqliteStatement>(db_, prepared(sql), params));
}

std::int64_t SqliteDatabase::run(std::string_view sql, const sql::Params& params) {
  return SqliteStatement(db_, prepared(sql), params).run();
}

void SqliteDatabase::exec(std::string_view script) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, std::string(script).c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return;
  const std::string text = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  throw sql::Error(sqlite_error(db_, rc).kind(), text);
}

void SqliteDatabase::begin(sql::Durability durability) {
  if (durability == sql::Durability::kRelaxed) {
    std::int64_t level = 0;
    {
      auto rows = query("PRAGMA synchronous", {});
      if (rows.next()) level = rows.int64(0);
    }
    // Above NORMAL (FULL, EXTRA) a commit waits for the disk; outside a transaction only.
    if (level > 1) {
      exec("PRAGMA synchronous = NORMAL");
      synchronous_before_ = level;
    }
  }
  try {
    // Cached statements, not exec(): sqlite3_exec would compile the SQL on every transaction.
    run("BEGIN IMMEDIATE", {});
  } catch (const sql::Error&) {
    restore_synchronous();
    throw;
  }
}

void SqliteDatabase::commit() {
  run("COMMIT", {});
  restore_synchronous();
}

void SqliteDatabase::rollback() {
  try {
    run("ROLLBACK", {});
  } catch (const sql::Error&) {
    restore_synchronous();
    throw;
  }
  restore_synchronous();
}

void SqliteDatabase::restore_synchronous() {
  if (synchronous_before_ == 0) return;
  const std::int64_t level = synchronous_before_;
  synchronous_before_ = 0;
  try {
    exec("PRAGMA synchronous = " + std::to_string(level));
  } catch (const sql::Error&) {
    // Only a broken connection refuses it, and then nothing more is committed through it.
  }
}

bool SqliteDatabase::ping() {
  try {
    run("SELECT 1", {});
    return true;
  } catch (const sql::Error&) {
    return false;
  }
}

const sql::Dialect& SqliteDatabase::dialect() const {
  return kDialect;
}

std::function<bool()> SqliteDatabase::begin_group_commit() {
  if (!checkpointer_) return {};               // In memory: nothing to make durable.
  exec("PRAGMA user_version = user_version");  // Makes sure the -wal file exists.
  const std::string wal = path_ + "-wal";
  if (wal_fd_ >= 0) ::close(wal_fd_);  // From a group commit ended before.
  wal_fd_ = ::open(wal.c_str(), O_RDWR | O_CLOEXEC);
  if (wal_fd_ < 0) throw std::runtime_error("cannot open " + wal + ": " + std::strerror(errno));
  // NORMAL in WAL mode: a commit appends to the WAL without fsync; checkpoints still fsync
  // both files in the right order, so an fdatasync of the WAL is all a commit needs.
  exec("PRAGMA synchronous = NORMAL");
  return [fd = wal_fd_] {
    if (::fdatasync(fd) == 0) return true;
    obs::log_error("sqlite.wal_fsync_failed", {{"error", std::strerror(errno)}});
    return false;
  };
}

void SqliteDatabase::end_group_commit() {
  try {
    exec("PRAGMA synchronous = FULL");
  } catch (const sql::Error&) {
    // Shutting down: nothing more is written through this connection that needs it.
  }
}

std::int64_t SqliteDatabase::checkpoints() const {
  return checkpointer_ ? checkpointer_->checkpoints() : 0;
}

}  // namespace sb::storage::sqlite
