#pragma once
// What the listener, the HTTP sessions and the WebSocket sessions of HttpServer share. Internal
// to net/: it includes Beast.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/connection_limits.hpp"
#include "net/http_server.hpp"

namespace sb::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

inline constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
inline constexpr std::uint16_t kGoingAway = 1001;

using Request = http::request<http::string_body>;

class WsSession;

// An HTTP connection as stop() sees it: only a connection waiting for input is cut short.
struct HttpConn {
  beast::tcp_stream stream;
  bool reading = false;
};

struct ServerState {
  ServerState(asio::io_context& ioc, ServerOptions options, HttpHandler http, WsHandler& ws)
      : ioc_(ioc),
        options_(std::move(options)),
        http_(std::move(http)),
        ws_(&ws),
        acceptor_(ioc),
        limits_(std::make_shared<ConnectionLimits>(
            options_.max_connections, options_.max_connections_per_ip, give_back_free_heap)) {}

  asio::io_context& ioc_;
  const ServerOptions options_;
  // Both cleared when the HttpServer goes away, so late coroutines never reach a dead handler.
  HttpHandler http_;
  WsHandler* ws_;
  tcp::acceptor acceptor_;
  std::shared_ptr<ConnectionLimits> limits_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  std::uint64_t next_conn_id_ = 0;
  std::unordered_map<std::uint64_t, HttpConn*> http_conns_;
  std::unordered_map<std::uint64_t, std::shared_ptr<WsSession>> ws_sessions_;
};

void log_net_error(std::string_view what, std::string_view detail);

/// Counts a connection or request turned away by a cap, from `ip`, and logs it (at most one
/// line a second, so a flood of refusals does not flood the journal).
void note_refusal(ServerState& server, const std::string& ip);

// The one completion handler of every coroutine spawned in net/: I/O errors are values, so
// whatever reaches it is a bug.
void log_escaped(std::exception_ptr e);

}  // namespace sb::net
