#pragma once
// A thin RAII layer over the SQLite C API: a connection and prepared statements with typed
// binds and reads. Statements are cached per SQL text, since the store runs the same few.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::storage::sqlite {

/// Thrown by this layer on any SQLite failure; SqliteStore turns it into call::Error at its edge.
struct SqliteError {
  int code;
  std::string message;
  bool is_constraint() const { return (code & 0xff) == SQLITE_CONSTRAINT; }
};

/// A cached prepared statement, borrowed for one use. Leaving scope resets it: a statement left
/// mid-result holds its read snapshot open, and while any snapshot is open no checkpoint can
/// copy the WAL past it, so the WAL would grow for as long as the process lives.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() {
    if (stmt_) sqlite3_reset(stmt_);
  }
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind(int index, const std::optional<double>& value);

  /// Advances to the next row; false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  /// Opens (creating) the file; ":memory:" works too.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// A reset, cleared prepared statement for `sql`, ready to bind.
  Statement prepare(const std::string& sql);
  void exec(const std::string& sql);
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

  /// For the scope's writes, commits don't wait for fsync (synchronous=NORMAL in WAL mode):
  /// they survive a crash of the process, not a power cut. Only for data that is rebuilt
  /// anyway (presence); the setting before the scope comes back after it.
  class RelaxedDurability {
   public:
    explicit RelaxedDurability(Database& db);
    ~RelaxedDurability();
    RelaxedDurability(const RelaxedDurability&) = delete;
    RelaxedDurability& operator=(const RelaxedDurability&) = delete;

   private:
    Database& db_;
    std::int64_t before_ = 2;  // FULL
  };

  /// BEGIN IMMEDIATE ... COMMIT, rolled back if the scope is left without commit().
  class Transaction {
   public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

   private:
    Database& db_;
    bool done_ = false;
  };

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace sb::storage::sqlite
