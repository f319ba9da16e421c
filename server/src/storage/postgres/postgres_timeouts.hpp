#pragma once
// How long the PostgreSQL driver waits for the server (docs/api.md#failures: an unreachable
// database gives `unavailable` within a bounded time, never a hang). A URL may set its own libpq
// `connect_timeout`, `keepalives_*` and `options=-c statement_timeout=...`; these are the defaults.

#include <chrono>

namespace sb::storage::postgres {

/// libpq `connect_timeout` (seconds): a connection attempt, including to a paused server.
inline constexpr int kConnectTimeoutSeconds = 3;
/// The server cancels a statement that runs longer (`statement_timeout`).
inline constexpr std::chrono::milliseconds kStatementTimeout{5000};
/// The client gives up on a server that has not answered a statement by then: the statement
/// timeout, plus a second for its cancellation to reach us.
inline constexpr std::chrono::milliseconds kClientDeadline =
    kStatementTimeout + std::chrono::seconds(1);
/// The stall watch (stall_watch.hpp) pings the server this often on a connection of its own...
inline constexpr std::chrono::milliseconds kStallPingInterval{250};
/// ...and takes it for stalled when a ping or a connection attempt is not answered by then.
/// Every statement then gives up at once, instead of at the client deadline.
inline constexpr std::chrono::milliseconds kStallAfter{1000};
/// TCP keepalives find a peer whose host went away while the connection was idle.
inline constexpr int kKeepalivesIdleSeconds = 10;
inline constexpr int kKeepalivesIntervalSeconds = 5;
inline constexpr int kKeepalivesCount = 3;

}  // namespace sb::storage::postgres
