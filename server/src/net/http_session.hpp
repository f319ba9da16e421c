#pragma once
// One accepted TCP connection: HTTP/1.1 requests in a keep-alive loop until it closes or is
// upgraded to a WebSocket (then handed to a WsSession). Internal to net/: it includes Beast.

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "net/server_state.hpp"

namespace sb::net {

asio::awaitable<void> run_http_session(std::shared_ptr<ServerState> server, tcp::socket socket);

}  // namespace sb::net
