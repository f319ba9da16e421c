#pragma once
// The PostgreSQL driver (libpq): one connection, statements sent with typed parameters (values
// never go into SQL text) and results read as text. Several nodes may share the database.
// Group commit here is synchronous_commit=off on this connection, and a synchronous commit on a
// second connection, which flushes the WAL up to it, for many commits.
// Nothing waits for the server without a bound (docs/api.md#failures, postgres_timeouts.hpp):
// connecting gives up after a few seconds, the server cancels a statement past its
// statement_timeout, and a server that does not answer at all (paused, or gone without a word) is
// given up on a second later: the connection is dropped and made again before the next statement
// outside a transaction. With a stall watch (stall_watch.hpp), a server that stops answering pings
// is given up on after about a second, and statements fail fast until it answers again.

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/postgres/postgres_connect.hpp"
#include "storage/postgres/stall_watch.hpp"
#include "storage/sql/database.hpp"

namespace sb::storage::postgres {

/// kOn: a StallWatch of its own (a thread and a connection) tells this connection, and the
/// group commit's, when to stop waiting for a server that has stopped answering.
enum class StallWatching { kOff, kOn };

class PostgresDatabase final : public sql::Database {
 public:
  /// Connects to `url` (postgres://user:password@host:port/db?sslmode=...). Throws sql::Error
  /// when it can't: that is a start-up failure.
  explicit PostgresDatabase(const std::string& url, StallWatching watching = StallWatching::kOff);
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  sql::Rows query(std::string_view sql, const sql::Params& params) override;
  std::int64_t run(std::string_view sql, const sql::Params& params) override;
  void exec(std::string_view script) override;
  /// kRelaxed: SET LOCAL synchronous_commit = off. Nothing is sent yet: BEGIN goes with the
  /// transaction's first statement, in one round trip (pipeline mode).
  void begin(sql::Durability durability) override;
  void commit() override;
  void rollback() override;
  /// If the connection is broken, reconnects once and asks again, so a restarted database is
  /// picked up. False too when the database answers but refuses writes (read-only, as a replica
  /// after a failover, or with default_transaction_read_only).
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
  /// Sends the statement `name` (unnamed: `sql` itself) after the pending BEGIN, both in one
  /// round trip, and returns the statement's result.
  Result send_after_begin(const std::string& name, std::string_view sql, int n, const Oid* types,
                          const char* const* values);
  /// The BEGIN of the open transaction, when no statement has sent it yet.
  std::string_view begin_sql() const;
  /// Before a statement: a connection that broke or was given up on is made again, unless a
  /// transaction was open on it (that transaction is gone: its statements fail until rollback).
  void ensure_connected();
  /// Makes the connection again and restores this session's settings. Throws when it can't.
  void reconnect();
  /// After PQsend*: the statement's result, waiting at most the client deadline. On timeout the
  /// connection is given up (closed) and sql::Error thrown.
  PGresult* await_result();
  /// Whether the stall watch says the server has stopped answering.
  bool stalled() const;
  /// Throws `unavailable` while stalled: nothing is sent to a server that does not answer.
  void throw_if_stalled() const;
  StopEarly stop_if_stalled() const {
    return stall_watch_ ? StopEarly([this] { return stalled(); }) : StopEarly();
  }
  /// Runs a setting on this session now and again after every reconnect.
  void set_session(const std::string& setting);
  /// The name of `sql` (the store's text, `?` placeholders) prepared with `types` on this
  /// session, preparing it on first use; empty when the cache is full (the statement then goes
  /// unnamed).
  const std::string& prepared(std::string_view sql, const std::vector<Oid>& types);

  std::string url_;
  PGconn* conn_ = nullptr;
  bool in_transaction_ = false;
  /// A transaction was begun and its BEGIN not sent yet: the first statement takes it along.
  std::optional<sql::Durability> pending_begin_;
  /// The server did not answer in time: the connection holds a statement we no longer wait for.
  bool abandoned_ = false;
  std::vector<std::string> session_settings_;
  std::function<void()> on_statement_;
  /// Statements prepared on this session, by their text and parameter types: the server parses
  /// and plans each once, not on every call. Cleared when the connection is made again.
  std::unordered_map<std::string, std::string> prepared_;
  /// Shared with the group commit's connection; null without StallWatching::kOn.
  std::shared_ptr<StallWatch> stall_watch_;
  /// The group commit's own connection, used only from its thread.
  std::unique_ptr<PostgresDatabase> sync_;
};

}  // namespace sb::storage::postgres
