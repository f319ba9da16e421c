#pragma once
// The PostgreSQL driver (libpq): one connection, statements sent with typed parameters (values
// never go into SQL text) and results read as text. Several nodes may share the database.
// Group commit here is synchronous_commit=off on this connection, and a synchronous commit on a
// second connection, which flushes the WAL up to it, for many commits.

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "storage/sql/database.hpp"

namespace sb::storage::postgres {

class PostgresDatabase final : public sql::Database {
 public:
  /// Connects to `url` (postgres://user:password@host:port/db?sslmode=...). Throws sql::Error
  /// when it can't: that is a start-up failure.
  explicit PostgresDatabase(const std::string& url);
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  sql::Rows query(std::string_view sql, const sql::Params& params) override;
  std::int64_t run(std::string_view sql, const sql::Params& params) override;
  void exec(std::string_view script) override;
  /// kRelaxed: SET LOCAL synchronous_commit = off.
  void begin(sql::Durability durability) override;
  void commit() override;
  void rollback() override;
  /// If the connection is broken, reconnects once and asks again, so a restarted database is
  /// picked up.
  bool ping() override;
  const sql::Dialect& dialect() const override;

  /// The listener hears of every statement, reads included: a read may see another node's
  /// commit that is not durable yet, and what it leads to must wait for that to be.
  void set_commit_listener(std::function<void()> listener) override {
    on_statement_ = std::move(listener);
  }
  std::function<bool()> begin_group_commit() override;
  void end_group_commit() override;

 private:
  using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;
  /// Owns `result`; throws sql::Error unless it is a success.
  Result checked(PGresult* result);
  Result send(std::string_view sql, const sql::Params& params);

  std::string url_;
  PGconn* conn_ = nullptr;
  std::function<void()> on_statement_;
  /// The group commit's own connection, used only from its thread.
  std::unique_ptr<PostgresDatabase> sync_;
};

}  // namespace sb::storage::postgres
