#pragma once
// The rows one statement returned, read one at a time. A driver supplies the cursor; reading a
// NULL gives the type's zero value, and opt_* says whether it was NULL.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sb::storage::sql {

class Rows {
 public:
  /// What a driver implements over its statement or result.
  class Cursor {
   public:
    virtual ~Cursor() = default;
    /// Moves to the next row; false when there is none.
    virtual bool next() = 0;
    virtual bool is_null(int col) const = 0;
    virtual std::int64_t int64(int col) const = 0;
    virtual double real(int col) const = 0;
    virtual std::string text(int col) const = 0;
    /// A condition's value (EXISTS, comparisons): SQLite gives 0 or 1, PostgreSQL t or f.
    virtual bool boolean(int col) const = 0;
  };

  explicit Rows(std::unique_ptr<Cursor> cursor) : cursor_(std::move(cursor)) {}

  bool next() { return cursor_->next(); }
  bool is_null(int col) const { return cursor_->is_null(col); }
  std::int64_t int64(int col) const { return cursor_->int64(col); }
  double real(int col) const { return cursor_->real(col); }
  std::string text(int col) const { return cursor_->text(col); }
  bool boolean(int col) const { return cursor_->boolean(col); }
  std::optional<std::string> opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  std::optional<std::int64_t> opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }

 private:
  std::unique_ptr<Cursor> cursor_;
};

}  // namespace sb::storage::sql
