#pragma once
// The HTTP/1.1 + WebSocket listener (Boost.Beast on Asio; C++20 coroutines for HTTP, completion
// handlers for WebSocket sessions). The only place Beast is included is net/*.cpp.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_types.hpp"
#include "util/trusted_proxies.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port().
  /// Request bodies above this are answered 413 without reading them (docs/api.md#limits).
  std::size_t max_body_bytes = 64 * 1024;
  /// WebSocket messages above this close the socket with 1009 (docs/asyncapi.yaml).
  std::size_t max_ws_message_bytes = 64 * 1024;
  std::string ws_path = "/v1/ws";
  /// The server pings each WebSocket at this interval; a peer that answers nothing for two
  /// intervals is dropped (docs/asyncapi.yaml).
  std::chrono::milliseconds ws_ping_interval{15000};
  /// Idle keep-alive HTTP connections are closed after this.
  std::chrono::milliseconds http_idle_timeout{60000};
  /// Open connections (HTTP and WebSocket) in total and from one IP address. A connection beyond
  /// either is answered 503 `unavailable` with Retry-After and closed.
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_ip = 200;
  /// A peer in these is a proxy: each request's client address comes from its X-Forwarded-For,
  /// and that address is what handlers see and what the per-IP cap counts.
  TrustedProxies trusted_proxies;
  /// When set, an answer is written only once this has called back (on the io thread): group
  /// commit holds answers until the writes they report are durable.
  std::function<void(std::function<void()>)> before_respond;
  /// Told of each connection refused by a cap ("total" or "per_ip"), for the metric.
  std::function<void(std::string_view cap)> on_connection_refused;
};

class HttpServer {
 public:
  /// `http` answers every plain request; `ws` receives WebSockets on `options.ws_path`.
  /// Both are called on `ioc`'s thread and must outlive the server.
  HttpServer(boost::asio::io_context& ioc, ServerOptions options, HttpHandler http, WsHandler& ws);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts accepting. Returns false and fills `error` when the address can't be bound.
  bool start(std::string& error);
  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Stops accepting, closes every WebSocket with 1001 (going away), and lets in-flight HTTP
  /// responses finish.
  void stop();
  /// Number of open WebSockets.
  std::size_t ws_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::net
