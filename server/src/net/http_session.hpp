#pragma once
// One accepted TCP connection: HTTP/1.1 requests in a keep-alive loop until it closes or is
// upgraded to a WebSocket (then handed to a WsSession); or, beyond the connection caps, a 503.
// Internal to net/: it includes Beast.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "net/server_state.hpp"

namespace sb::net {

/// Serves a connection that holds `slot` (its place under the connection caps) until it closes.
asio::awaitable<void> run_http_session(std::shared_ptr<ServerState> server, tcp::socket socket,
                                       std::string remote_ip, ConnectionSlot slot);

/// Answers a connection beyond the caps 503 `unavailable` with Retry-After, then closes it.
asio::awaitable<void> refuse_connection(std::shared_ptr<ServerState> server, tcp::socket socket);

}  // namespace sb::net
