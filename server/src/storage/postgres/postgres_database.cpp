#include "storage/postgres/postgres_database.hpp"

#include <charconv>
#include <cstdlib>
#include <system_error>
#include <vector>

#include "obs/log.hpp"
#include "storage/postgres/placeholders.hpp"

namespace sb::storage::postgres {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat8Oid = 701;

constexpr std::string_view kUniqueViolation = "23505";

// Any constant will do, as long as every node uses the same: it serialises their migrations.
const sql::Dialect kDialect{&postgres_migrations, "SELECT pg_advisory_xact_lock(7262837746357201)"};

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

PostgresDatabase::PostgresDatabase(const std::string& url) : url_(url) {
  conn_ = PQconnectdb(url.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw sql::Error(sql::Error::Kind::kUnavailable, "cannot connect to PostgreSQL: " + why);
  }
  // Notices ("relation already exists, skipping") are not for stderr.
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
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
  const std::string numbered = numbered_placeholders(sql);
  return checked(PQexecParams(conn_, numbered.c_str(), static_cast<int>(params.size()),
                              types.data(), values.data(), nullptr, nullptr, 0));
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
  checked(PQexec(conn_, std::string(script).c_str()));
}

void PostgresDatabase::begin(sql::Durability durability) {
  exec("BEGIN");
  if (durability == sql::Durability::kRelaxed) exec("SET LOCAL synchronous_commit = off");
}

void PostgresDatabase::commit() {
  exec("COMMIT");
}

void PostgresDatabase::rollback() {
  exec("ROLLBACK");
}

bool PostgresDatabase::ping() {
  auto answers = [&] {
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    PGresult* r = PQexec(conn_, "SELECT 1");
    const bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return ok;
  };
  if (answers()) return true;
  PQreset(conn_);
  return answers();
}

const sql::Dialect& PostgresDatabase::dialect() const {
  return kDialect;
}

std::function<bool()> PostgresDatabase::begin_group_commit() {
  sync_ = std::make_unique<PostgresDatabase>(url_);
  exec("SET synchronous_commit = off");
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
  try {
    exec("SET synchronous_commit = on");
  } catch (const sql::Error&) {
    // Shutting down: nothing more is written through this connection that needs it.
  }
}

}  // namespace sb::storage::postgres
