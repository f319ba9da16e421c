#include "net/listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "net/http_session.hpp"
#include "obs/log.hpp"

namespace sb::net {
namespace {

using boost::system::error_code;

// Leaves room for an accept() error such as EMFILE to clear instead of spinning on it.
constexpr std::chrono::milliseconds kAcceptBackoff{100};

// The host as an address, or else the first address it resolves to.
std::optional<tcp::endpoint> endpoint_of(ServerState& server, error_code& ec) {
  const auto& options = server.options_;
  if (const auto address = asio::ip::make_address(options.host, ec); !ec) {
    return tcp::endpoint(address, options.port);
  }
  tcp::resolver resolver(server.ioc_);
  auto results =
      resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) return std::nullopt;
  return results.begin()->endpoint();
}

std::string remote_ip_of(const tcp::socket& socket) {
  error_code ec;
  auto address = socket.remote_endpoint(ec).address();
  if (ec) return {};
  // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; rate limits want one spelling.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

}  // namespace

void note_refusal(ServerState& server, const std::string& ip) {
  auto& limits = *server.limits_;
  const char* cap = to_string(limits.last_refusal());
  if (server.options_.on_connection_refused) server.options_.on_connection_refused(cap);
  std::uint64_t suppressed = 0;
  if (!limits.should_log_refusal(std::chrono::steady_clock::now(), &suppressed)) return;
  obs::log_warn("net.connection_refused", {{"ip", ip},
                                           {"cap", cap},
                                           {"open", limits.open()},
                                           {"open_from_ip", limits.open_from(ip)},
                                           {"suppressed", suppressed}});
}

bool bind_listener(ServerState& server, std::string& error) {
  const std::string where = server.options_.host + ":" + std::to_string(server.options_.port);
  error_code ec;
  const auto endpoint = endpoint_of(server, ec);
  if (!endpoint) {
    error = "cannot resolve " + where + ": " + ec.message();
    return false;
  }
  auto fail = [&](std::string_view step) {
    error = "cannot " + std::string(step) + " " + where + ": " + ec.message();
    error_code ignored;
    server.acceptor_.close(ignored);
    return false;
  };
  server.acceptor_.open(endpoint->protocol(), ec);
  if (ec) return fail("open");
  server.acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  server.acceptor_.bind(*endpoint, ec);
  if (ec) return fail("bind");
  server.acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  server.port_ = server.acceptor_.local_endpoint(ec).port();
  if (ec) return fail("read the port of");
  return true;
}

asio::awaitable<void> accept_loop(std::shared_ptr<ServerState> server) {
  while (!server->stopping_) {
    auto [ec, socket] = co_await server->acceptor_.async_accept(kAsTuple);
    if (server->stopping_) break;
    if (ec) {
      log_net_error("accept failed", ec.message());
      asio::steady_timer backoff(server->ioc_, kAcceptBackoff);
      co_await backoff.async_wait(kAsTuple);
      continue;
    }
    // Signaling frames are small and latency-bound: don't let Nagle hold them for an ACK.
    error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    std::string remote_ip = remote_ip_of(socket);
    // A proxy's connections count for their clients once a request names them (http_session).
    const bool via_proxy = server->options_.trusted_proxies.contains(remote_ip);
    if (auto slot = server->limits_->try_acquire(via_proxy ? std::string() : remote_ip)) {
      asio::co_spawn(
          server->ioc_,
          run_http_session(server, std::move(socket), std::move(remote_ip), std::move(*slot)),
          log_escaped);
    } else {
      note_refusal(*server, remote_ip);
      asio::co_spawn(server->ioc_, refuse_connection(server, std::move(socket)), log_escaped);
    }
  }
}

}  // namespace sb::net
