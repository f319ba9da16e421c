#include "storage/sqlite/sqlite_db.hpp"

namespace sb::storage::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc) {
  throw SqliteError{rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
}

void check(sqlite3* db, int rc) {
  if (rc != SQLITE_OK) fail(db, rc);
}

}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
  check(db_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check(db_, sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  check(db_, sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                               SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  if (!value) {
    check(db_, sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return bind(index, std::string_view(*value));
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  if (!value) {
    check(db_, sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return bind(index, *value);
}

Statement& Statement::bind(int index, const std::optional<double>& value) {
  if (!value) {
    check(db_, sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return bind(index, *value);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  fail(db_, rc);
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

Database::Database(const std::string& path) {
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    SqliteError error{rc, db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)};
    sqlite3_close(db_);
    db_ = nullptr;
    throw error;
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another process (a second node, an admin's sqlite3 shell) may hold the lock briefly.
  sqlite3_busy_timeout(db_, 5000);
}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Statement Database::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    check(db_, sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr));
    it = cache_.emplace(sql, stmt).first;
  }
  sqlite3_reset(it->second);
  sqlite3_clear_bindings(it->second);
  return Statement(db_, it->second);
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    SqliteError error{rc, err ? err : sqlite3_errstr(rc)};
    sqlite3_free(err);
    throw error;
  }
}

Database::RelaxedDurability::RelaxedDurability(Database& db) : db_(db) {
  {
    auto q = db_.prepare("PRAGMA synchronous");
    if (q.step()) before_ = q.int64(0);
  }
  if (before_ > 1) db_.exec("PRAGMA synchronous = NORMAL");
}

Database::RelaxedDurability::~RelaxedDurability() {
  if (before_ <= 1) return;
  try {
    db_.exec("PRAGMA synchronous = " + std::to_string(before_));
  } catch (const SqliteError&) {
    // Inside a failed transaction the pragma can't run; the next scope sets it again.
  }
}

Database::Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Database::Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const SqliteError&) {
      // The transaction is already gone (SQLite rolls back by itself on some errors).
    }
  }
}

void Database::Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace sb::storage::sqlite
