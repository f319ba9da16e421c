#pragma once
// A thin RAII layer over libpq: one connection, parameterised queries ($1, $2, ...) with typed
// parameters, and results read as text. Values never go into SQL text: they travel as parameters.

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sb::storage::postgres {

/// Thrown by this layer on any failure of a query; PostgresStore turns it into call::Error at
/// its edge.
struct PostgresError {
  std::string sqlstate;  // empty when the connection itself failed
  std::string message;
  bool is_unique_violation() const { return sqlstate == "23505"; }
};

/// The database could not be reached when the store was opened: a start-up failure.
class PostgresConnectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parameters of one query, in order ($1, $2, ...), each with its type so PostgreSQL never has
/// to guess one.
class Params {
 public:
  Params& add(std::int64_t value);
  Params& add(int value) { return add(static_cast<std::int64_t>(value)); }
  Params& add(bool value);
  Params& add(double value);
  Params& add(std::string_view value);
  Params& add(const std::string& value) { return add(std::string_view(value)); }
  Params& add(const char* value) { return add(std::string_view(value)); }
  Params& add(const std::optional<std::string>& value);
  Params& add(const std::optional<std::int64_t>& value);
  Params& add(const std::optional<double>& value);
  /// A text[] parameter (for `= ANY($n)`).
  Params& add_text_array(const std::vector<std::string>& values);

  int size() const { return static_cast<int>(values_.size()); }
  const std::vector<Oid>& types() const { return types_; }
  /// Pointers into this object: valid while it lives unchanged.
  std::vector<const char*> pointers() const;

 private:
  Params& push(Oid type, std::optional<std::string> value);

  std::vector<Oid> types_;
  std::vector<std::optional<std::string>> values_;
};

/// The rows (or the row count) of one query.
class QueryResult {
 public:
  explicit QueryResult(PGresult* result) : result_(result) {}
  ~QueryResult() { PQclear(result_); }
  QueryResult(QueryResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  QueryResult& operator=(QueryResult&&) = delete;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;

  int rows() const { return PQntuples(result_); }
  /// Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

  bool is_null(int row, int col) const { return PQgetisnull(result_, row, col) != 0; }
  std::string text(int row, int col) const;
  std::optional<std::string> opt_text(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  std::optional<std::int64_t> opt_int64(int row, int col) const;
  double real(int row, int col) const;
  bool boolean(int row, int col) const;

 private:
  PGresult* result_;
};

class Database {
 public:
  /// Connects to `url` (postgres://user@host:port/db?...). Throws PostgresConnectError.
  explicit Database(const std::string& url);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// One statement with parameters.
  QueryResult query(const std::string& sql, const Params& params = {});
  /// One or more statements without parameters (migrations, BEGIN, COMMIT).
  void exec(const std::string& sql);

  /// True when the connection answers a query; if it is broken, reconnects once and asks again
  /// (so a restarted database is picked up).
  bool ping();

  /// BEGIN ... COMMIT, rolled back if the scope is left without commit().
  class Transaction {
   public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

   private:
    Database& db_;
    bool done_ = false;
  };

 private:
  QueryResult check(PGresult* result);

  PGconn* conn_ = nullptr;
};

}  // namespace sb::storage::postgres
