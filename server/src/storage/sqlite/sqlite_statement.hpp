#pragma once
// One run of a cached SQLite statement: binds the parameters, steps, reads columns. Leaving
// scope resets the statement: a statement left mid-result holds its read snapshot open, and
// while any snapshot is open no checkpoint can copy the WAL past it, so the WAL would grow for
// as long as the process lives.

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "storage/sql/database.hpp"

namespace sb::storage::sqlite {

/// The sql::Error for SQLite's result code `rc` on `db`.
sql::Error sqlite_error(sqlite3* db, int rc);

class SqliteStatement final : public sql::Rows::Cursor {
 public:
  /// Binds `params` to the (reset, cleared) statement. Throws sql::Error.
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, const sql::Params& params);
  ~SqliteStatement() override { sqlite3_reset(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  /// Steps to the end; returns the rows it changed.
  std::int64_t run();

  bool next() override;
  bool is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const override;
  bool boolean(int col) const override { return int64(col) != 0; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace sb::storage::sqlite
