#pragma once
// Connecting to PostgreSQL and waiting on its socket without blocking past a deadline. libpq's
// own blocking calls wait as long as `connect_timeout` with no way to stop early; these poll in
// short slices, so a caller can also stop as soon as the stall watch says the server has stopped
// answering (stall_watch.hpp).

#include <libpq-fe.h>

#include <chrono>
#include <functional>
#include <string>

namespace sb::storage::postgres {

using Deadline = std::chrono::steady_clock::time_point;
/// Asked between slices of a wait: true to stop waiting now.
using StopEarly = std::function<bool()>;

/// Starts connecting to `url` with the timeouts of postgres_timeouts.hpp (the URL may override
/// them). Never null unless out of memory; PQstatus says whether the start failed.
PGconn* start_connection(const std::string& url);

/// Drives a started connection (`reset`: one from PQresetStart) until it is made or fails, at
/// most until `deadline` or until `stop_early()`. True when it is made.
bool finish_connecting(PGconn* conn, bool reset, Deadline deadline, const StopEarly& stop_early);

/// The deadline of a connection attempt begun now: libpq's connect_timeout, which in
/// non-blocking mode libpq leaves to us, or the URL's own.
Deadline connect_deadline(PGconn* conn);

/// Waits until `socket` is ready for `events`. False when the deadline passed or `stop_early()`
/// said so first; true when ready, and on a socket error (libpq then reports it).
bool wait_for_socket(int socket, short events, Deadline deadline, const StopEarly& stop_early);

enum class SocketWait {
  kReady,   // Done.
  kBroken,  // The connection broke; libpq reports how.
  kGaveUp,  // The deadline passed, or `stop_early()` said so, first.
};

/// Sends what libpq still holds for the server (a non-blocking connection may keep part of a
/// query), reading meanwhile so that the server is never stuck writing to us.
SocketWait flush_to_server(PGconn* conn, Deadline deadline, const StopEarly& stop_early);

/// Reads from the server until PQgetResult() can return without blocking.
SocketWait await_readable(PGconn* conn, Deadline deadline, const StopEarly& stop_early);

}  // namespace sb::storage::postgres
