#pragma once
// The SQLite driver: one connection in WAL mode with synchronous=FULL, so a commit is on disk
// before it returns, and statements cached per SQL text, since the store runs the same few.
// A file database also gets its WAL checkpointer (wal_checkpointer.hpp), and group commit
// here is synchronous=NORMAL and one fdatasync of the WAL file for many commits.

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/sql/database.hpp"
#include "storage/sqlite/wal_checkpointer.hpp"

namespace sb::storage::sqlite {

class SqliteDatabase final : public sql::Database {
 public:
  /// Opens (creating) the file; ":memory:" works too, without WAL or checkpointer. Throws
  /// sql::Error when it can't: that is a start-up failure.
  explicit SqliteDatabase(const std::string& path);
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  sql::Rows query(std::string_view sql, const sql::Params& params) override;
  std::int64_t run(std::string_view sql, const sql::Params& params) override;
  void exec(std::string_view script) override;
  /// BEGIN IMMEDIATE: the write lock at once, so two writers never deadlock on an upgrade.
  /// kRelaxed lowers synchronous to NORMAL for this transaction only.
  void begin(sql::Durability durability) override;
  void commit() override;
  void rollback() override;
  bool ping() override;
  const sql::Dialect& dialect() const override;

  /// The listener hears of every commit on this connection (SQLite's WAL hook).
  void set_commit_listener(std::function<void()> listener) override {
    on_commit_ = std::move(listener);
  }
  std::function<bool()> begin_group_commit() override;
  void end_group_commit() override;

  /// Checkpoints run so far by the background checkpointer (none in memory).
  std::int64_t checkpoints() const;

 private:
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3_stmt* prepared(std::string_view sql);
  /// After a relaxed transaction: synchronous back to what it was.
  void restore_synchronous();
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
  /// Null for an in-memory database, which has no WAL.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::function<void()> on_commit_;
  int wal_fd_ = -1;
  /// The synchronous level a relaxed transaction lowered; 0 when none did.
  std::int64_t synchronous_before_ = 0;
};

}  // namespace sb::storage::sqlite
