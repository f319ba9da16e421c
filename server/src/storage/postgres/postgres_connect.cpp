#include "storage/postgres/postgres_connect.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "storage/postgres/postgres_timeouts.hpp"

namespace sb::storage::postgres {
namespace {

/// How often a wait asks `stop_early()`.
constexpr std::chrono::milliseconds kSlice{50};

}  // namespace

PGconn* start_connection(const std::string& url) {
  const std::string connect_timeout = std::to_string(kConnectTimeoutSeconds);
  const std::string idle = std::to_string(kKeepalivesIdleSeconds);
  const std::string interval = std::to_string(kKeepalivesIntervalSeconds);
  const std::string count = std::to_string(kKeepalivesCount);
  const std::string options = "-c statement_timeout=" + std::to_string(kStatementTimeout.count());
  // dbname comes last: the URL it expands to overrides the defaults before it.
  const char* keys[] = {"connect_timeout",  "keepalives", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "options",    "dbname",          nullptr};
  const char* values[] = {
      connect_timeout.c_str(), "1",         idle.c_str(), interval.c_str(), count.c_str(),
      options.c_str(),         url.c_str(), nullptr};
  return PQconnectStartParams(keys, values, 1);
}

Deadline connect_deadline(PGconn* conn) {
  int seconds = kConnectTimeoutSeconds;
  if (PQconninfoOption* options = PQconninfo(conn)) {
    for (PQconninfoOption* o = options; o->keyword; ++o) {
      if (std::string_view(o->keyword) == "connect_timeout" && o->val && *o->val) {
        // As libpq: 0 or nothing is "no limit", and anything under 2 s counts as 2 s. We keep a
        // limit: a start-up or reconnect that never ends is what this file is here to avoid.
        const int asked = std::atoi(o->val);
        seconds = asked <= 0 ? kConnectTimeoutSeconds : std::max(asked, 2);
      }
    }
    PQconninfoFree(options);
  }
  return std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
}

bool finish_connecting(PGconn* conn, bool reset, Deadline deadline, const StopEarly& stop_early) {
  if (!conn || PQstatus(conn) == CONNECTION_BAD) return false;
  // As PQconnectPoll's documentation asks: at first act as if it said "writing".
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (true) {
    if (status == PGRES_POLLING_OK) return true;
    if (status == PGRES_POLLING_FAILED) return false;
    const short events = status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!wait_for_socket(PQsocket(conn), events, deadline, stop_early)) return false;
    status = reset ? PQresetPoll(conn) : PQconnectPoll(conn);
  }
}

bool wait_for_socket(int socket, short events, Deadline deadline, const StopEarly& stop_early) {
  while (true) {
    // Rounded up: a wait that ends a fraction of a millisecond early is no timeout.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{socket, events, 0};
    const int n = ::poll(&fd, 1, static_cast<int>(std::min(left, kSlice).count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // Let libpq find and report the socket's error.
    if (stop_early && stop_early()) return false;
  }
}

SocketWait flush_to_server(PGconn* conn, Deadline deadline, const StopEarly& stop_early) {
  while (true) {
    const int flushed = PQflush(conn);
    if (flushed == 0) return SocketWait::kReady;
    if (flushed < 0) return SocketWait::kBroken;
    if (!wait_for_socket(PQsocket(conn), POLLIN | POLLOUT, deadline, stop_early))
      return SocketWait::kGaveUp;
    if (!PQconsumeInput(conn)) return SocketWait::kBroken;
  }
}

SocketWait await_readable(PGconn* conn, Deadline deadline, const StopEarly& stop_early) {
  while (PQisBusy(conn)) {
    if (!wait_for_socket(PQsocket(conn), POLLIN, deadline, stop_early)) return SocketWait::kGaveUp;
    if (!PQconsumeInput(conn)) return SocketWait::kBroken;
  }
  return SocketWait::kReady;
}

}  // namespace sb::storage::postgres
