#pragma once
// The Store on SQLite (sqlite_database.hpp): a file in WAL mode with synchronous=FULL, so a
// transition is on disk before the server announces it; ":memory:" for tests.

#include <cstdint>
#include <memory>
#include <string>

#include "storage/sql_store/sql_store.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace sb::storage::sqlite {

class SqliteStore final : public SqlStore {
 public:
  /// Opens the database file (creating the file, not its folder). Throws sql::Error when it
  /// can't: that is a start-up failure.
  explicit SqliteStore(const std::string& path) : SqliteStore(new SqliteDatabase(path)) {}

  /// Checkpoints run so far by the background checkpointer (none in memory).
  std::int64_t checkpoints() const { return database_.checkpoints(); }

 private:
  explicit SqliteStore(SqliteDatabase* database)
      : SqlStore(std::unique_ptr<sql::Database>(database)), database_(*database) {}

  const SqliteDatabase& database_;
};

}  // namespace sb::storage::sqlite
