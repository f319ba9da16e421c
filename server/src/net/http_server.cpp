#include "net/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <vector>

#include "net/listener.hpp"
#include "net/server_state.hpp"
#include "net/ws_session.hpp"

namespace sb::net {

// ServerState is what the listener and the sessions share; Impl only gives it the private name.
struct HttpServer::Impl : ServerState {
  using ServerState::ServerState;
};

HttpServer::HttpServer(asio::io_context& ioc, ServerOptions options, HttpHandler http,
                       WsHandler& ws)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(http), ws)) {}

HttpServer::~HttpServer() {
  stop();
  // Coroutines may outlive us in the io_context but must not reach the handlers any more.
  // Sessions still open hear on_close now, so it still comes exactly once.
  auto sessions = std::move(impl_->ws_sessions_);
  impl_->ws_sessions_.clear();
  for (auto& [id, session] : sessions) {
    session->notify_closed();
    session->detach();
  }
  impl_->ws_ = nullptr;
  impl_->http_ = nullptr;
}

bool HttpServer::start(std::string& error) {
  if (impl_->started_) {
    error = "server already started";
    return false;
  }
  if (!bind_listener(*impl_, error)) return false;
  impl_->started_ = true;
  asio::co_spawn(impl_->ioc_, accept_loop(impl_), log_escaped);
  return true;
}

std::uint16_t HttpServer::port() const {
  return impl_->port_;
}

void HttpServer::stop() {
  ServerState& impl = *impl_;
  if (impl.stopping_) return;
  impl.stopping_ = true;
  boost::system::error_code ignored;
  impl.acceptor_.close(ignored);
  // Copied first: a close can reach handlers that open or close other sessions.
  std::vector<std::shared_ptr<WsSession>> sessions;
  sessions.reserve(impl.ws_sessions_.size());
  for (auto& [id, session] : impl.ws_sessions_) sessions.push_back(session);
  for (auto& session : sessions) session->close(kGoingAway, "The server is shutting down.");
  // Idle keep-alive connections end now; one being answered ends after its response.
  for (auto& [id, conn] : impl.http_conns_) {
    if (conn->reading) conn->stream.cancel();
  }
}

std::size_t HttpServer::ws_count() const {
  return impl_->ws_sessions_.size();
}

}  // namespace sb::net
