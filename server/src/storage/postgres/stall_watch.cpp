#include "storage/postgres/stall_watch.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <utility>

#include "obs/log.hpp"
#include "storage/postgres/postgres_connect.hpp"
#include "storage/postgres/postgres_timeouts.hpp"

namespace sb::storage::postgres {

StallWatch::StallWatch(std::string url) : url_(std::move(url)) {
  thread_ = std::thread([this] { run(); });
}

StallWatch::~StallWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  drop_connection();
}

bool StallWatch::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void StallWatch::run() {
  while (!stopping()) {
    const bool was_stalled = stalled();
    const bool now_stalled = !answered();
    // A ping cut short by the destructor says nothing about the server.
    if (stopping()) return;
    stalled_.store(now_stalled, std::memory_order_relaxed);
    if (now_stalled != was_stalled) {
      if (now_stalled) {
        obs::log_error("postgres.stalled", {{"unanswered_ms", kStallAfter.count()}});
      } else {
        obs::log_info("postgres.answering_again");
      }
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kStallPingInterval, [this] { return stopping_; });
  }
}

bool StallWatch::answered() {
  const auto deadline = std::chrono::steady_clock::now() + kStallAfter;
  const StopEarly stop = [this] { return stopping(); };
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    drop_connection();
    conn_ = start_connection(url_);
    if (!finish_connecting(conn_, false, deadline, stop)) {
      // Only silence is a stall: an attempt still in progress when the wait ended. A refusal or
      // a rejection is an answer from the server (or its host).
      const bool silent = conn_ && PQstatus(conn_) != CONNECTION_BAD;
      drop_connection();
      return !silent;
    }
  }
  if (!PQsendQuery(conn_, "SELECT 1")) {
    drop_connection();
    return true;
  }
  // A broken connection is an answer too: the server's host is there.
  if (flush_to_server(conn_, deadline, stop) == SocketWait::kGaveUp ||
      await_readable(conn_, deadline, stop) == SocketWait::kGaveUp) {
    drop_connection();
    return false;
  }
  while (PGresult* result = PQgetResult(conn_)) PQclear(result);
  if (PQstatus(conn_) != CONNECTION_OK) drop_connection();
  return true;
}

void StallWatch::drop_connection() {
  if (!conn_) return;
  // Closed first, so a paused server sees us gone when it wakes.
  if (const int socket = PQsocket(conn_); socket >= 0) ::shutdown(socket, SHUT_RDWR);
  PQfinish(conn_);
  conn_ = nullptr;
}

}  // namespace sb::storage::postgres
