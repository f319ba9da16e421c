#include "net/http_session.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <tuple>
#include <utility>

#include "net/http_message.hpp"
#include "net/ws_session.hpp"

namespace sb::net {
namespace {

using boost::system::error_code;

// Headers are a token (at most 8 KiB, auth/jwt_verifier), a request id and a few short fields;
// 16 KiB holds the longest token the verifier accepts and refuses a header flood before it
// costs memory.
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
// An Authorization field longer than this carries a token the verifier would refuse anyway.
constexpr std::size_t kMaxAuthorizationBytes = 8 * 1024;
// After refusing a request we stop sending but keep reading (and discarding) for a moment:
// closing a socket with unread input makes the kernel send RST, which can destroy our response in
// the peer's receive buffer before it is read (the classic "lingering close"). A client may still
// be sending a body many times the limit when the 413 goes out, so the bound is generous in
// bytes (reading and dropping them costs little) and short in time.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;
// What a client refused for too many connections is told to wait.
constexpr std::string_view kRetryAfterFullSeconds = "1";

enum class ReadResult { kOk, kTooLarge, kHeaderTooLarge, kMalformed, kGone };

ReadResult classify(const error_code& ec) {
  if (!ec) return ReadResult::kOk;
  if (ec == http::error::body_limit) return ReadResult::kTooLarge;
  if (ec == http::error::header_limit) return ReadResult::kHeaderTooLarge;
  // The peer left, cleanly or mid-request.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
    return ReadResult::kGone;
  }
  if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
    return ReadResult::kMalformed;
  }
  // Socket errors, the idle timeout, or stop() cancelling the read.
  return ReadResult::kGone;
}

// Reads one request: the header first, so `Expect: 100-continue` can be answered and an oversized
// Content-Length refused before any of the body is read.
asio::awaitable<ReadResult> read_request(ServerState& server, HttpConn& conn,
                                         beast::flat_buffer& buffer,
                                         http::request_parser<http::string_body>& parser) {
  conn.reading = true;
  conn.stream.expires_after(server.options_.http_idle_timeout);
  auto [ec, n] = co_await http::async_read_header(conn.stream, buffer, parser, kAsTuple);
  if (!ec && !parser.is_done()) {
    const auto& req = parser.get();
    if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go_on{http::status::continue_, 11};
      std::tie(ec, n) = co_await http::async_write(conn.stream, go_on, kAsTuple);
    }
    if (!ec) std::tie(ec, n) = co_await http::async_read(conn.stream, buffer, parser, kAsTuple);
  }
  conn.reading = false;
  co_return classify(ec);
}

HttpResponse call_http_handler(ServerState& server, const HttpRequest& req) {
  try {
    return server.http_(req);
  } catch (const std::exception& ex) {
    log_net_error("HTTP handler threw", ex.what());
  } catch (...) {
    log_net_error("HTTP handler threw", "unknown");
  }
  return server_error(call::ErrorCode::kUnavailable, "Something went wrong on our side.");
}

// Whether the raw header block `head` (cut short at the header limit) holds an Authorization
// field too long for any token: then the request is refused as unauthenticated, as a long token
// that fits is (docs/errors.md), rather than as unreadable.
bool has_oversized_authorization(std::string_view head) {
  constexpr std::string_view kName = "authorization:";
  for (std::size_t line = 0; line < head.size();) {
    const auto end = head.find("\r\n", line);
    const auto field = head.substr(line, end == std::string_view::npos ? end : end - line);
    if (field.size() > kMaxAuthorizationBytes && field.size() >= kName.size() &&
        beast::iequals(field.substr(0, kName.size()), kName)) {
      return true;
    }
    if (end == std::string_view::npos) break;
    line = end + 2;
  }
  return false;
}

// The answer to one request, and whether the connection stays open after it. `unparsed` is
// what was read but not parsed (the header block when it is over the limit).
std::pair<Response, bool> answer(ServerState& server, Request& req, ReadResult result,
                                 const std::string& remote_ip, std::string_view unparsed) {
  if (result == ReadResult::kHeaderTooLarge && has_oversized_authorization(unparsed)) {
    auto refused = server_error(call::ErrorCode::kUnauthenticated, {});
    return {to_beast_response(std::move(refused), 11, false), false};
  }
  std::optional<HttpRequest> request;
  if (result != ReadResult::kMalformed && result != ReadResult::kHeaderTooLarge) {
    request = to_http_request(req, remote_ip);
  }
  if (!request) {
    auto refused = server_error(call::ErrorCode::kInvalidRequest, "The request could not be read.");
    return {to_beast_response(std::move(refused), 11, false), false};
  }
  if (server.stopping_ && beast::websocket::is_upgrade(req)) {
    auto refused = server_error(call::ErrorCode::kUnavailable, "The server is shutting down.");
    return {to_beast_response(std::move(refused), req.version(), false), false};
  }
  if (result == ReadResult::kTooLarge) {
    request->body.clear();
    request->body_too_large = true;
  }
  const bool keep_alive = result == ReadResult::kOk && req.keep_alive() && !server.stopping_;
  auto res = to_beast_response(call_http_handler(server, *request), req.version(), keep_alive);
  return {std::move(res), keep_alive};
}

asio::awaitable<bool> write_response(ServerState& server, HttpConn& conn, Response& res,
                                     bool head) {
  conn.stream.expires_after(server.options_.http_idle_timeout);
  error_code ec;
  if (head) {
    http::response_serializer<http::string_body> serializer{res};
    std::tie(ec, std::ignore) =
        co_await http::async_write_header(conn.stream, serializer, kAsTuple);
  } else {
    std::tie(ec, std::ignore) = co_await http::async_write(conn.stream, res, kAsTuple);
  }
  co_return !ec;
}

// Waits for options_.before_respond to call back. The timer is shared with the callback, which
// may run after this connection is gone.
asio::awaitable<void> wait_before_respond(ServerState& server, HttpConn& conn) {
  auto gate = std::make_shared<asio::steady_timer>(conn.stream.get_executor(),
                                                   asio::steady_timer::time_point::max());
  auto open = std::make_shared<bool>(false);
  server.options_.before_respond([gate, open] {
    *open = true;
    gate->cancel();
  });
  if (!*open) co_await gate->async_wait(kAsTuple);
}

asio::awaitable<void> close_gracefully(HttpConn& conn) {
  error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn.stream.expires_after(kLingerTime);
  conn.reading = true;
  std::array<char, 4096> scratch{};
  std::size_t drained = 0;
  while (drained < kMaxLingerBytes) {
    auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(scratch), kAsTuple);
    if (ec) break;
    drained += n;
  }
  conn.reading = false;
  conn.stream.close();
}

// The answer to a connection or request beyond the caps.
Response refusal() {
  auto refused = server_error(call::ErrorCode::kUnavailable,
                              "The server has too many connections; try again shortly.");
  refused.headers.emplace_back("Retry-After", std::string(kRetryAfterFullSeconds));
  return to_beast_response(std::move(refused), 11, false);
}

bool is_ws_upgrade(const ServerState& server, const Request& req) {
  return !server.stopping_ && beast::websocket::is_upgrade(req) &&
         decoded_path(req.target()) == server.options_.ws_path;
}

}  // namespace

asio::awaitable<void> run_http_session(std::shared_ptr<ServerState> server, tcp::socket socket,
                                       std::string remote_ip, ConnectionSlot slot) {
  HttpConn conn{beast::tcp_stream(std::move(socket))};
  const std::uint64_t conn_id = server->next_conn_id_++;
  server->http_conns_.emplace(conn_id, &conn);
  struct Unregister {
    ServerState& server;
    std::uint64_t id;
    ~Unregister() { server.http_conns_.erase(id); }
  } unregister{*server, conn_id};

  const bool via_proxy = server->options_.trusted_proxies.contains(remote_ip);
  beast::flat_buffer buffer;
  while (!server->stopping_ && server->http_) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    // Refuses oversized bodies while parsing, so they are never buffered (docs/api.md#limits).
    parser.body_limit(server->options_.max_body_bytes);

    const ReadResult result = co_await read_request(*server, conn, buffer, parser);
    if (result == ReadResult::kGone || !server->http_) break;
    // Behind a trusted proxy the request is for the client its X-Forwarded-For names
    // (util/trusted_proxies.hpp); one whose header could not be read reaches no handler.
    std::string client_ip = remote_ip;
    if (via_proxy && (result == ReadResult::kOk || result == ReadResult::kTooLarge)) {
      client_ip =
          server->options_.trusted_proxies.client_ip(remote_ip, parser.get()["X-Forwarded-For"]);
      if (!slot.move_to(client_ip)) {
        note_refusal(*server, client_ip);
        auto refused = refusal();
        if (co_await write_response(*server, conn, refused, false)) co_await close_gracefully(conn);
        co_return;
      }
    }
    if (result == ReadResult::kOk && is_ws_upgrade(*server, parser.get())) {
      server->http_conns_.erase(conn_id);
      auto session = std::make_shared<WsSession>(std::move(conn.stream), std::move(client_ip),
                                                 server->ws_, std::move(slot));
      // The WebSocket runs on completion handlers of its own, so this coroutine's frame (the
      // HTTP read buffer and parser) is freed now rather than kept for the connection's whole
      // life. A client sends nothing more before the 101, so the buffer holds nothing the
      // WebSocket needs.
      WsSession::start(server, std::move(session), parser.release());
      co_return;
    }
    const std::string_view unparsed(static_cast<const char*>(buffer.data().data()), buffer.size());
    auto [res, keep_alive] = answer(*server, parser.get(), result, client_ip, unparsed);
    if (server->options_.before_respond) co_await wait_before_respond(*server, conn);
    const bool head = result == ReadResult::kOk && parser.get().method() == http::verb::head;
    if (!co_await write_response(*server, conn, res, head)) break;
    // Idle between requests, a proxy's connection is no client's (a pooled upstream
    // connection would otherwise hold a place of the last client it carried).
    if (via_proxy) slot.move_to({});
    if (!keep_alive) {
      co_await close_gracefully(conn);
      co_return;
    }
  }
  error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  conn.stream.close();
}

asio::awaitable<void> refuse_connection(std::shared_ptr<ServerState> server, tcp::socket socket) {
  HttpConn conn{beast::tcp_stream(std::move(socket))};
  auto res = refusal();
  // Written before the request is read: whatever it is, even a WebSocket upgrade, the answer is
  // the same, and the lingering close reads the request away so the peer gets to read this.
  if (co_await write_response(*server, conn, res, false)) co_await close_gracefully(conn);
}

}  // namespace sb::net
