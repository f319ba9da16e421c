#pragma once
// Whether PostgreSQL answers at all, asked on a thread and a connection of its own.
// Storage still runs on the io thread (issue 8, item 4), so a statement the server never answers
// (paused, hung, or its host gone without a word) used to hold the whole node for the 6 s client
// deadline, and every statement after it for as long again. The watch pings every
// kStallPingInterval; a ping or connection not answered within kStallAfter makes the server
// stalled until a ping is answered again. While it is stalled the node's connections stop
// waiting at once and fail fast with `unavailable`, so the io thread waits about a second at
// the start of a stall and not at all after it.
// A slow statement on a server that still answers pings is not cut short: it keeps its own
// statement_timeout.

#include <libpq-fe.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace sb::storage::postgres {

class StallWatch {
 public:
  /// Starts watching the server at `url`.
  explicit StallWatch(std::string url);
  /// Stops the thread; a ping in progress is cut short within a 50 ms slice.
  ~StallWatch();
  StallWatch(const StallWatch&) = delete;
  StallWatch& operator=(const StallWatch&) = delete;

  /// True from a ping left unanswered for kStallAfter until the next answered one. Any thread.
  bool stalled() const { return stalled_.load(std::memory_order_relaxed); }

 private:
  void run();
  /// Whether the destructor asked the thread to end.
  bool stopping();
  /// One ping (connecting first when needed): true when the server answered in time, even with
  /// an error (it is not stalled then; the connection that uses it finds its own errors).
  bool answered();
  void drop_connection();

  std::string url_;
  PGconn* conn_ = nullptr;
  std::atomic<bool> stalled_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::storage::postgres
