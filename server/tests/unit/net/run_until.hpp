#pragma once
// Drives an io_context from the test thread until something happened, never past a deadline.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace sb::net::testing {

inline constexpr std::chrono::seconds kTestDeadline{10};

/// Runs handlers until `done()` holds; false when the deadline passed or the work ran out first.
inline bool run_until(boost::asio::io_context& ioc, const std::function<bool()>& done,
                      std::chrono::steady_clock::duration limit = kTestDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    if (ioc.run_one_until(deadline) == 0 && ioc.stopped()) return done();
  }
  return true;
}

/// Runs until the io_context has no work left; false when that takes longer than `limit`.
inline bool run_until_idle(boost::asio::io_context& ioc,
                           std::chrono::steady_clock::duration limit = kTestDeadline) {
  if (ioc.stopped()) ioc.restart();
  ioc.run_for(limit);
  return ioc.stopped();
}

}  // namespace sb::net::testing
