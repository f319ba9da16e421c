#include "storage/sqlite/sqlite_statement.hpp"

namespace sb::storage::sqlite {
namespace {

void check(sqlite3* db, int rc) {
  if (rc != SQLITE_OK) throw sqlite_error(db, rc);
}

void bind(sqlite3* db, sqlite3_stmt* stmt, int index, const sql::Value& value) {
  if (value.is_null) return check(db, sqlite3_bind_null(stmt, index));
  switch (value.type) {
    case sql::Type::kInteger:
    case sql::Type::kBoolean:
      return check(db, sqlite3_bind_int64(stmt, index, value.integer));
    case sql::Type::kReal:
      return check(db, sqlite3_bind_double(stmt, index, value.real));
    case sql::Type::kText:
      return check(db, sqlite3_bind_text(stmt, index, value.text.data(),
                                         static_cast<int>(value.text.size()), SQLITE_TRANSIENT));
  }
}

}  // namespace

sql::Error sqlite_error(sqlite3* db, int rc) {
  // Extended result codes are on (SqliteDatabase), so the kind of constraint is known.
  const bool unique = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
  return sql::Error(unique ? sql::Error::Kind::kUniqueViolation : sql::Error::Kind::kUnavailable,
                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

SqliteStatement::SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, const sql::Params& params)
    : db_(db), stmt_(stmt) {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  for (std::size_t i = 0; i < params.size(); ++i) {
    bind(db_, stmt_, static_cast<int>(i + 1), params[i]);
  }
}

bool SqliteStatement::next() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  throw sqlite_error(db_, rc);
}

std::int64_t SqliteStatement::run() {
  while (next()) {
  }
  return sqlite3_changes64(db_);
}

std::string SqliteStatement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

}  // namespace sb::storage::sqlite
