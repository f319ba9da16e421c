#include "storage/postgres/postgres_db.hpp"

#include <charconv>
#include <cstdlib>
#include <system_error>

namespace sb::storage::postgres {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kTextArrayOid = 1009;

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void ignore_notice(void*, const char*) {}

}  // namespace

Params& Params::push(Oid type, std::optional<std::string> value) {
  types_.push_back(type);
  values_.push_back(std::move(value));
  return *this;
}

Params& Params::add(std::int64_t value) {
  return push(kInt8Oid, std::to_string(value));
}

Params& Params::add(bool value) {
  return push(kBoolOid, std::string(value ? "true" : "false"));
}

Params& Params::add(double value) {
  // Shortest text that reads back as the same double.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return push(kFloat8Oid, std::to_string(value));
  return push(kFloat8Oid, std::string(buf, end));
}

Params& Params::add(std::string_view value) {
  return push(kTextOid, std::string(value));
}

Params& Params::add(const std::optional<std::string>& value) {
  if (!value) return push(kTextOid, std::nullopt);
  return add(std::string_view(*value));
}

Params& Params::add(const std::optional<std::int64_t>& value) {
  if (!value) return push(kInt8Oid, std::nullopt);
  return add(*value);
}

Params& Params::add(const std::optional<double>& value) {
  if (!value) return push(kFloat8Oid, std::nullopt);
  return add(*value);
}

Params& Params::add_text_array(const std::vector<std::string>& values) {
  // An array literal with every element quoted and escaped: {"a","b\"c"}.
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) literal += ',';
    literal += '"';
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') literal += '\\';
      literal += ch;
    }
    literal += '"';
  }
  literal += '}';
  return push(kTextArrayOid, std::move(literal));
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::int64_t QueryResult::affected() const {
  const char* n = PQcmdTuples(result_);
  std::int64_t value = 0;
  if (n && *n) std::from_chars(n, n + std::char_traits<char>::length(n), value);
  return value;
}

std::string QueryResult::text(int row, int col) const {
  if (is_null(row, col)) return {};
  return std::string(PQgetvalue(result_, row, col),
                     static_cast<std::size_t>(PQgetlength(result_, row, col)));
}

std::optional<std::string> QueryResult::opt_text(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return text(row, col);
}

std::int64_t QueryResult::int64(int row, int col) const {
  if (is_null(row, col)) return 0;
  const char* p = PQgetvalue(result_, row, col);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(p, p + PQgetlength(result_, row, col), value);
  if (ec != std::errc()) throw PostgresError{"", "not an integer: " + text(row, col)};
  (void)end;
  return value;
}

std::optional<std::int64_t> QueryResult::opt_int64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return int64(row, col);
}

double QueryResult::real(int row, int col) const {
  if (is_null(row, col)) return 0;
  // PostgreSQL prints float8 as the shortest text that reads back exactly (extra_float_digits 1).
  return std::strtod(PQgetvalue(result_, row, col), nullptr);
}

bool QueryResult::boolean(int row, int col) const {
  if (is_null(row, col)) return false;
  const char* p = PQgetvalue(result_, row, col);
  return p[0] == 't' || p[0] == '1';
}

Database::Database(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw PostgresConnectError("cannot connect to PostgreSQL: " + why);
  }
  // Notices ("relation already exists, skipping") are not for stderr.
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}

Database::~Database() {
  PQfinish(conn_);
}

QueryResult Database::check(PGresult* result) {
  QueryResult owned(result);
  if (!result) throw PostgresError{"", trimmed(PQerrorMessage(conn_))};
  const auto status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return owned;
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message = trimmed(PQresultErrorMessage(result));
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  throw PostgresError{state ? state : "", message};
}

QueryResult Database::query(const std::string& sql, const Params& params) {
  const auto values = params.pointers();
  return check(PQexecParams(conn_, sql.c_str(), params.size(), params.types().data(), values.data(),
                            nullptr, nullptr, 0));
}

void Database::exec(const std::string& sql) {
  check(PQexec(conn_, sql.c_str()));
}

bool Database::ping() {
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

Database::Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN");
}

Database::Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const PostgresError&) {
      // The connection is gone: so is the transaction.
    }
  }
}

void Database::Transaction::commit() {
  done_ = true;
  db_.exec("COMMIT");
}

}  // namespace sb::storage::postgres
