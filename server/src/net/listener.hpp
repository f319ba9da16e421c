#pragma once
// The listening socket of HttpServer: binds it, then accepts connections and starts an HTTP
// session for each. Internal to net/: it includes Beast.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "net/server_state.hpp"

namespace sb::net {

/// Opens, binds and listens on options_.host:port and fills port_. Returns false and fills
/// `error` when the address can't be bound (the acceptor is closed again then).
bool bind_listener(ServerState& server, std::string& error);

/// Accepts until the server stops.
asio::awaitable<void> accept_loop(std::shared_ptr<ServerState> server);

}  // namespace sb::net
