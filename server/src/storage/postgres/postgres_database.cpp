#include "storage/postgres/postgres_database.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "obs/log.hpp"
#include "storage/postgres/placeholders.hpp"
#include "storage/postgres/postgres_connect.hpp"
#include "storage/postgres/postgres_timeouts.hpp"

namespace sb::storage::postgres {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat8Oid = 701;

constexpr std::string_view kUniqueViolation = "23505";

// The store's statements are a fixed set of texts; the cap only guards against a caller that
// builds SQL text from data.
constexpr std::size_t kMaxPrepared = 512;

// Any constant will do, as long as every node uses the same: it serialises their migrations.
const sql::Dialect kDialect{&postgres_migrations, "SELECT pg_advisory_xact_lock(7262837746357201)",
                            true};

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void ignore_notice(void*, const char*) {}

Oid type_oid(sql::Type type) {
  switch (type) {
    case sql::Type::kInteger:
      return kInt8Oid;
    case sql::Type::kReal:
      return kFloat8Oid;
    case sql::Type::kBoolean:
      return kBoolOid;
    case sql::Type::kText:
      break;
  }
  return kTextOid;
}

std::string as_text(const sql::Value& value) {
  switch (value.type) {
    case sql::Type::kInteger:
      return std::to_string(value.integer);
    case sql::Type::kBoolean:
      return value.integer ? "true" : "false";
    case sql::Type::kReal: {
      // The shortest text that reads back as the same double.
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.real);
      return ec == std::errc() ? std::string(buf, end) : std::to_string(value.real);
    }
    case sql::Type::kText:
      break;
  }
  return value.text;
}

/// A result's rows, read as text.
class ResultCursor final : public sql::Rows::Cursor {
 public:
  explicit ResultCursor(PGresult* result) : result_(result) {}
  ~ResultCursor() override { PQclear(result_); }
  ResultCursor(const ResultCursor&) = delete;
  ResultCursor& operator=(const ResultCursor&) = delete;

  bool next() override { return ++row_ < PQntuples(result_); }
  bool is_null(int col) const override { return PQgetisnull(result_, row_, col) != 0; }
  std::string text(int col) const override {
    return std::string(PQgetvalue(result_, row_, col),
                       static_cast<std::size_t>(PQgetlength(result_, row_, col)));
  }
  std::int64_t int64(int col) const override {
    if (is_null(col)) return 0;
    const char* p = PQgetvalue(result_, row_, col);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(p, p + PQgetlength(result_, row_, col), value);
    if (ec != std::errc()) {
      throw sql::Error(sql::Error::Kind::kUnavailable, "not an integer: " + text(col));
    }
    return value;
  }
  double real(int col) const override {
    if (is_null(col)) return 0;
    // PostgreSQL prints float8 as the shortest text that reads back exactly.
    return std::strtod(PQgetvalue(result_, row_, col), nullptr);
  }
  bool boolean(int col) const override {
    if (is_null(col)) return false;
    const char* p = PQgetvalue(result_, row_, col);
    return p[0] == 't' || p[0] == '1';
  }

 private:
  PGresult* result_;
  int row_ = -1;
};

}  // namespace

PostgresDatabase::PostgresDatabase(const std::string& url, StallWatching watching) : url_(url) {
  conn_ = start_connection(url);
  if (!finish_connecting(conn_, false, connect_deadline(conn_), nullptr) ||
      PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw sql::Error(sql::Error::Kind::kUnavailable, "cannot connect to PostgreSQL: " + why);
  }
  // Notices ("relation already exists, skipping") are not for stderr.
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  if (watching == StallWatching::kOn) stall_watch_ = std::make_shared<StallWatch>(url);
}

bool PostgresDatabase::stalled() const {
  return stall_watch_ && stall_watch_->stalled();
}

void PostgresDatabase::throw_if_stalled() const {
  if (stalled()) {
    throw sql::Error(sql::Error::Kind::kUnavailable,
                     "PostgreSQL is not answering (no answer to a ping within " +
                         std::to_string(kStallAfter.count()) + " ms)");
  }
}

PostgresDatabase::~PostgresDatabase() {
  PQfinish(conn_);
}

PostgresDatabase::Result PostgresDatabase::checked(PGresult* raw) {
  Result result(raw, &PQclear);
  if (!raw) throw sql::Error(sql::Error::Kind::kUnavailable, trimmed(PQerrorMessage(conn_)));
  const auto status = PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    if (on_statement_) on_statement_();
    return result;
  }
  const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  std::string message = trimmed(PQresultErrorMessage(raw));
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  const bool unique = state && state == kUniqueViolation;
  throw sql::Error(unique ? sql::Error::Kind::kUniqueViolation : sql::Error::Kind::kUnavailable,
                   message);
}

PostgresDatabase::Result PostgresDatabase::send(std::string_view sql, const sql::Params& params) {
  std::vector<Oid> types;
  std::vector<std::string> texts;
  std::vector<const char*> values;
  types.reserve(params.size());
  texts.reserve(params.size());
  for (const auto& p : params) {
    types.push_back(type_oid(p.type));
    texts.push_back(p.is_null ? std::string() : as_text(p));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    values.push_back(params[i].is_null ? nullptr : texts[i].c_str());
  }
  ensure_connected();
  const std::string& name = prepared(sql, types);
  const int n = static_cast<int>(params.size());
  if (pending_begin_) return send_after_begin(name, sql, n, types.data(), values.data());
  const int sent =
      name.empty()
          ? PQsendQueryParams(conn_, numbered_placeholders(sql).c_str(), n, types.data(),
                              values.data(), nullptr, nullptr, 0)
          : PQsendQueryPrepared(conn_, name.c_str(), n, values.data(), nullptr, nullptr, 0);
  if (!sent) return checked(nullptr);
  return checked(await_result());
}

std::string_view PostgresDatabase::begin_sql() const {
  return pending_begin_ == sql::Durability::kRelaxed ? "SET LOCAL synchronous_commit = off" : "";
}

PostgresDatabase::Result PostgresDatabase::send_after_begin(const std::string& name,
                                                            std::string_view sql, int n,
                                                            const Oid* types,
                                                            const char* const* values) {
  const std::string setting(begin_sql());
  pending_begin_.reset();
  // In pipeline mode only the extended protocol is allowed: each part is its own query.
  bool sent = PQenterPipelineMode(conn_) &&
              PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0);
  if (sent && !setting.empty()) {
    sent = PQsendQueryParams(conn_, setting.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
  }
  if (sent) {
    sent = name.empty() ? PQsendQueryParams(conn_, numbered_placeholders(sql).c_str(), n, types,
                                            values, nullptr, nullptr, 0)
                        : PQsendQueryPrepared(conn_, name.c_str(), n, values, nullptr, nullptr, 0);
  }
  if (!sent || !PQpipelineSync(conn_)) {
    abandoned_ = true;  // Whatever was queued, the next statement starts on a fresh connection.
    return checked(nullptr);
  }
  // One result for each query, then the pipeline's sync point.
  std::vector<Result> results;
  const std::size_t queries = setting.empty() ? 2 : 3;
  for (std::size_t i = 0; i < queries; ++i) results.emplace_back(await_result(), &PQclear);
  Result sync(await_result(), &PQclear);
  if (!PQexitPipelineMode(conn_)) abandoned_ = true;
  for (std::size_t i = 0; i + 1 < queries; ++i) checked(results[i].release());
  return checked(results.back().release());
}

const std::string& PostgresDatabase::prepared(std::string_view sql, const std::vector<Oid>& types) {
  static const std::string kUnnamed;
  // The text as the store wrote it: its $-numbered form is worked out only to prepare it.
  std::string key(sql);
  key += '\0';
  key.append(reinterpret_cast<const char*>(types.data()), types.size() * sizeof(Oid));
  if (const auto it = prepared_.find(key); it != prepared_.end()) return it->second;
  if (prepared_.size() >= kMaxPrepared) return kUnnamed;
  std::string name = "sb" + std::to_string(prepared_.size());
  if (!PQsendPrepare(conn_, name.c_str(), numbered_placeholders(sql).c_str(),
                     static_cast<int>(types.size()), types.data())) {
    checked(nullptr);
  }
  // Not counted as a statement for the commit listener: it reads and writes nothing.
  Result result(await_result(), &PQclear);
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    // Let the statement itself fail, unnamed, with the server's own error.
    return kUnnamed;
  }
  return prepared_.emplace(std::move(key), std::move(name)).first->second;
}

void PostgresDatabase::ensure_connected() {
  throw_if_stalled();
  if (!abandoned_ && PQstatus(conn_) == CONNECTION_OK) return;
  // The server dropped an open transaction with the connection; a new connection must not run
  // the rest of it on its own. A transaction whose BEGIN is not sent yet has nothing there.
  if (in_transaction_ && !pending_begin_) {
    throw sql::Error(sql::Error::Kind::kUnavailable, "connection lost inside a transaction");
  }
  reconnect();
}

void PostgresDatabase::reconnect() {
  throw_if_stalled();
  abandoned_ = false;
  prepared_.clear();  // A new session has none of them.
  const bool made = PQresetStart(conn_) &&
                    finish_connecting(conn_, true, connect_deadline(conn_), stop_if_stalled());
  if (!made || PQstatus(conn_) != CONNECTION_OK) {
    abandoned_ = true;  // Whatever state the attempt left, the next statement starts over.
    throw sql::Error(sql::Error::Kind::kUnavailable,
                     "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_)));
  }
  // The session's settings, outside the transaction whose BEGIN may be waiting to go.
  const auto pending = std::exchange(pending_begin_, std::nullopt);
  try {
    for (const auto& setting : session_settings_) exec(setting);
  } catch (const sql::Error&) {
    pending_begin_ = pending;
    throw;
  }
  pending_begin_ = pending;
}

PGresult* PostgresDatabase::await_result() {
  const auto deadline = std::chrono::steady_clock::now() + kClientDeadline;
  const int socket = PQsocket(conn_);
  const StopEarly stop = stop_if_stalled();
  auto give_up = [&]() -> PGresult* {
    // The statement may still run, or even commit, when the server wakes: whoever asked gets
    // `unavailable` and may retry. The socket is closed so the server sees us gone.
    abandoned_ = true;
    ::shutdown(socket, SHUT_RDWR);
    throw_if_stalled();
    throw sql::Error(
        sql::Error::Kind::kUnavailable,
        "PostgreSQL did not answer within " + std::to_string(kClientDeadline.count()) + " ms");
  };
  switch (flush_to_server(conn_, deadline, stop)) {
    case SocketWait::kReady:
      break;
    case SocketWait::kBroken:
      return nullptr;
    case SocketWait::kGaveUp:
      return give_up();
  }
  // As PQexec: the last result, unless one was an error, which wins.
  PGresult* kept = nullptr;
  while (true) {
    // On kBroken, PQgetResult reports the broken connection.
    if (await_readable(conn_, deadline, stop) == SocketWait::kGaveUp) {
      PQclear(kept);
      return give_up();
    }
    PGresult* next = PQgetResult(conn_);
    if (!next) break;
    const auto status = PQresultStatus(kept);
    if (kept && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      PQclear(next);
    } else {
      PQclear(kept);
      kept = next;
    }
    if (PQstatus(conn_) != CONNECTION_OK) break;
  }
  return kept;
}

void PostgresDatabase::set_session(const std::string& setting) {
  exec(setting);
  session_settings_.push_back(setting);
}

sql::Rows PostgresDatabase::query(std::string_view sql, const sql::Params& params) {
  return sql::Rows(std::make_unique<ResultCursor>(send(sql, params).release()));
}

std::int64_t PostgresDatabase::run(std::string_view sql, const sql::Params& params) {
  auto result = send(sql, params);
  const char* n = PQcmdTuples(result.get());
  std::int64_t changed = 0;
  if (n && *n) std::from_chars(n, n + std::char_traits<char>::length(n), changed);
  return changed;
}

void PostgresDatabase::exec(std::string_view script) {
  ensure_connected();
  if (pending_begin_) {  // A script is no statement to pipeline: BEGIN goes on its own first.
    const std::string setting(begin_sql());
    pending_begin_.reset();
    if (!PQsendQuery(conn_, setting.empty() ? "BEGIN" : ("BEGIN; " + setting).c_str())) {
      checked(nullptr);
    }
    checked(await_result());
  }
  if (!PQsendQuery(conn_, std::string(script).c_str())) checked(nullptr);
  checked(await_result());
}

void PostgresDatabase::begin(sql::Durability durability) {
  pending_begin_ = durability;
  in_transaction_ = true;
}

void PostgresDatabase::commit() {
  in_transaction_ = false;
  if (pending_begin_) {  // Nothing was sent: there is nothing to commit.
    pending_begin_.reset();
    return;
  }
  exec("COMMIT");
}

void PostgresDatabase::rollback() {
  in_transaction_ = false;
  if (pending_begin_) {
    pending_begin_.reset();
    return;
  }
  exec("ROLLBACK");
}

bool PostgresDatabase::ping() {
  auto writable = [&] {
    try {
      ensure_connected();
      // "off" on a primary that takes writes; "on" on a replica or when writes are refused.
      // Sent directly: a ping is no statement for the commit listener.
      if (!PQsendQuery(conn_, "SELECT current_setting('transaction_read_only')")) return false;
      Result r(await_result(), &PQclear);
      return PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 &&
             std::string_view(PQgetvalue(r.get(), 0, 0)) == "off";
    } catch (const sql::Error&) {
      return false;
    }
  };
  if (writable()) return true;
  if (PQstatus(conn_) == CONNECTION_OK && !abandoned_) return false;  // It answers: read-only.
  try {
    reconnect();
  } catch (const sql::Error&) {
    return false;
  }
  return writable();
}

const sql::Dialect& PostgresDatabase::dialect() const {
  return kDialect;
}

std::function<bool()> PostgresDatabase::begin_group_commit() {
  sync_ = std::make_unique<PostgresDatabase>(url_);
  sync_->stall_watch_ = stall_watch_;
  set_session("SET synchronous_commit = off");
  return [sync = sync_.get()] {
    try {
      // A transaction with an id commits synchronously on this connection: PostgreSQL flushes
      // its WAL up to this commit, so every earlier commit is durable too.
      sync->exec("SELECT txid_current()");
      return true;
    } catch (const sql::Error& e) {
      obs::log_error("postgres.group_commit_failed", {{"error", e.what()}});
      sync->ping();  // Reconnects if the connection broke.
      return false;
    }
  };
}

void PostgresDatabase::end_group_commit() {
  sync_.reset();
  session_settings_.clear();
  try {
    exec("SET synchronous_commit = on");
  } catch (const sql::Error&) {
    // Shutting down: nothing more is written through this connection that needs it.
  }
}

}  // namespace sb::storage::postgres
