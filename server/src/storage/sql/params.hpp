#pragma once
// The values bound to a statement's placeholders. Each carries its type, NULLs included, so a
// driver binds it natively (SQLite) or tells the server what it is (PostgreSQL).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::storage::sql {

enum class Type { kInteger, kReal, kText, kBoolean };

/// One parameter, built implicitly from the C++ value: `db.run(sql, {org_id, now_ms})`.
/// A boolean goes to SQLite as 0 or 1 and to PostgreSQL as a boolean: write it only where SQL
/// expects a condition (`CASE WHEN ?`), and integers into INTEGER columns.
struct Value {
  Value(std::int64_t v) : type(Type::kInteger), integer(v) {}
  Value(int v) : Value(static_cast<std::int64_t>(v)) {}
  Value(bool v) : type(Type::kBoolean), integer(v ? 1 : 0) {}
  Value(double v) : type(Type::kReal), real(v) {}
  Value(std::string_view v) : type(Type::kText), text(v) {}
  Value(const std::string& v) : Value(std::string_view(v)) {}
  Value(const char* v) : Value(std::string_view(v)) {}
  Value(const std::optional<std::string>& v)
      : type(Type::kText), is_null(!v), text(v.value_or("")) {}
  Value(const std::optional<std::int64_t>& v)
      : type(Type::kInteger), is_null(!v), integer(v.value_or(0)) {}
  Value(const std::optional<double>& v) : type(Type::kReal), is_null(!v), real(v.value_or(0)) {}

  Type type;
  bool is_null = false;
  std::int64_t integer = 0;  // kInteger, kBoolean
  double real = 0;
  std::string text;
};

/// The parameters of one statement, in placeholder order.
using Params = std::vector<Value>;

}  // namespace sb::storage::sql
