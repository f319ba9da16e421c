#pragma once
// Times one store operation and tells the observer, if any, how long it took and, when the
// database failed, why. A write also tells the store's WriteHealth whether it went through.

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

#include "call/errors.hpp"
#include "storage/sql/database.hpp"
#include "storage/store.hpp"
#include "storage/write_health.hpp"

namespace sb::storage {

class OperationTimer {
 public:
  /// `writes`: the operation writes, and `writes` hears whether the database let it.
  explicit OperationTimer(const Store::OperationObserver& observer, WriteHealth* writes = nullptr)
      : observer_(observer), writes_(writes), started_(std::chrono::steady_clock::now()) {}
  OperationTimer(const OperationTimer&) = delete;
  OperationTimer& operator=(const OperationTimer&) = delete;
  ~OperationTimer() {
    if (writes_) {
      if (error_.empty()) {
        writes_->succeeded();
      } else {
        writes_->failed();
      }
    }
    if (!observer_) return;
    observer_(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(),
              error_);
  }

  /// The operation failed with `e`: the caller gets `unavailable` (docs/errors.md: storage
  /// unreachable), the observer the database's own words.
  call::Error unavailable(const sql::Error& e) {
    error_ = *e.what() ? e.what() : "database error";
    return call::make_error(call::ErrorCode::kUnavailable);
  }

 private:
  const Store::OperationObserver& observer_;
  WriteHealth* writes_;
  std::chrono::steady_clock::time_point started_;
  std::string error_;
};

/// Runs one store operation, timed; a database failure becomes `unavailable`, and the open
/// transaction, if any, has been rolled back by its guard. A write passes the store's
/// WriteHealth as `writes`.
template <typename F>
auto guarded(const Store::OperationObserver& observer, WriteHealth* writes, F&& fn)
    -> Result<std::invoke_result_t<F>> {
  OperationTimer timer(observer, writes);
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      fn();
      return {};
    } else {
      return fn();
    }
  } catch (const sql::Error& e) {
    return timer.unavailable(e);
  }
}

/// A read: as above, with no WriteHealth to tell.
template <typename F>
auto guarded(const Store::OperationObserver& observer, F&& fn) -> Result<std::invoke_result_t<F>> {
  return guarded(observer, nullptr, std::forward<F>(fn));
}

}  // namespace sb::storage
