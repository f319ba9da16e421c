#include "net/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>
#include <cstdio>
#include <exception>
#include <list>
#include <optional>
#include <random>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "obs/log.hpp"

namespace sb::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Headers are a token, a request id and a few short fields; 8 KiB (also Beast's default, set
// here so it is explicit) refuses a header flood before it costs memory.
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
// After refusing a request we stop sending but keep reading (and discarding) for a moment:
// closing a socket with unread input makes the kernel send RST, which can destroy our response in
// the peer's receive buffer before it is read (the classic "lingering close").
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
// Upper bound for the WebSocket opening and closing handshakes.
constexpr std::chrono::milliseconds kMaxWsHandshakeTime{5000};
// Leaves room for an accept() error such as EMFILE to clear instead of spinning on it.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
constexpr std::uint16_t kGoingAway = 1001;
// What one WebSocket may have queued for the peer beyond what the kernel buffers. 8 MiB is about
// 128 signals of the largest size, far more than a live peer falls behind by; a peer that does
// not read at all gets dropped here instead of growing the queue without end.
constexpr std::size_t kMaxOutboxBytes = 8 * 1024 * 1024;
// Upper bound for one frame to be taken by the peer's TCP stack. A write that waits longer than
// two ping intervals means the peer cannot even receive pings: CONTRACT 5 drops it then anyway.
constexpr std::chrono::milliseconds kMaxWsWriteTime{10000};

constexpr std::string_view kMalformedBody =
    R"({"error":{"code":"invalid_request","message":"The request could not be read.","retryable":false}})";
constexpr std::string_view kInternalErrorBody =
    R"({"error":{"code":"internal","message":"Something went wrong on our side.","retryable":true}})";
constexpr std::string_view kUnavailableBody =
    R"({"error":{"code":"unavailable","message":"The server is shutting down.","retryable":true}})";

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::atomic<std::uint64_t> next_ws_id{1};

void log_error(std::string_view what, std::string_view detail) {
  obs::log_error("net.error", {{"what", what}, {"detail", detail}});
}

// The one completion handler of every coroutine spawned here: I/O errors are values, so whatever
// reaches it is a bug.
void log_escaped(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log_error("coroutine ended with an exception", ex.what());
  } catch (...) {
    log_error("coroutine ended with an exception", "unknown");
  }
}

// For the answers the server writes itself (CONTRACT 2: every response carries one).
std::string make_request_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  std::array<char, 17> buf{};
  std::snprintf(buf.data(), buf.size(), "%016llx", static_cast<unsigned long long>(rng()));
  return std::string(buf.data(), 16);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path; nullopt for a broken escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<std::string> decoded_path(std::string_view target) {
  return percent_decode(target.substr(0, target.find('?')));
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

bool header_is_safe(std::string_view name, std::string_view value) {
  auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  return !name.empty() && std::none_of(name.begin(), name.end(), bad) &&
         std::none_of(value.begin(), value.end(), bad);
}

// Close codes a server may put on the wire (RFC 6455 7.4.1); anything else becomes 1011.
std::uint16_t sendable_close_code(std::uint16_t code) {
  const bool ok = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
                  (code >= 3000 && code <= 4999);
  return ok ? code : static_cast<std::uint16_t>(websocket::close_code::internal_error);
}

HttpResponse error_response(int status, std::string_view body) {
  HttpResponse res;
  res.status = status;
  res.body = std::string(body);
  res.headers.emplace_back("X-Request-Id", make_request_id());
  return res;
}

class WsSession;

// Everything the coroutines share. HttpServer::Impl derives from it so free functions here can
// name it (the Impl type itself is private to HttpServer).
struct ServerState {
  // An HTTP connection as stop() sees it: only a connection waiting for input is cut short.
  struct HttpConn {
    beast::tcp_stream stream;
    bool reading = false;
  };

  ServerState(asio::io_context& ioc, ServerOptions options, HttpHandler http, WsHandler& ws)
      : ioc_(ioc), options_(std::move(options)), http_(std::move(http)), ws_(&ws), acceptor_(ioc) {}

  asio::io_context& ioc_;
  const ServerOptions options_;
  // Both cleared when the HttpServer goes away, so late coroutines never reach a dead handler.
  HttpHandler http_;
  WsHandler* ws_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  std::uint64_t next_conn_id_ = 0;
  std::unordered_map<std::uint64_t, HttpConn*> http_conns_;
  std::unordered_map<std::uint64_t, std::shared_ptr<WsSession>> ws_sessions_;
};

class WsSession final : public WsConnection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream stream, std::string remote_ip, WsHandler* handler)
      : ws_(std::move(stream)),
        id_(next_ws_id.fetch_add(1)),
        remote_ip_(std::move(remote_ip)),
        handler_(handler),
        wake_(ws_.get_executor()),
        write_deadline_(ws_.get_executor()) {}

  std::uint64_t id() const override { return id_; }
  asio::any_io_executor executor() { return ws_.get_executor(); }
  const std::string& remote_ip() const override { return remote_ip_; }
  bool is_open() const override { return state_ == State::kOpen; }

  void send_text(std::string text) override {
    if (state_ != State::kOpen) return;
    outbox_bytes_ += text.size();
    outbox_.push_back(std::move(text));
    if (outbox_bytes_ > kMaxOutboxBytes) {
      drop("outbox_full");
      return;
    }
    wake_.cancel();
  }

  void close(std::uint16_t code, std::string reason) override {
    if (state_ != State::kOpen) return;
    state_ = State::kClosing;
    // The reason must fit a control frame: 125 bytes including the code.
    if (reason.size() > 123) reason.resize(123);
    close_reason_.emplace(static_cast<websocket::close_code>(sendable_close_code(code)), reason);
    wake_.cancel();
  }

  // Accepts the upgrade, then reads until the connection ends. on_close follows on_open once.
  static asio::awaitable<void> run(std::shared_ptr<ServerState> server,
                                   std::shared_ptr<WsSession> self, Request req) {
    auto& ws = self->ws_;
    beast::get_lowest_layer(ws).expires_never();  // The WebSocket stream keeps its own time.
    const auto interval = server->options_.ws_ping_interval;
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout =
        std::min<std::chrono::steady_clock::duration>(kMaxWsHandshakeTime, 2 * interval);
    // Pings are ours (write_loop): Beast's keep-alive would drop a peer after one missed ping,
    // and CONTRACT 5 allows two.
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws.set_option(timeout);
    self->ping_interval_ = interval;
    self->write_timeout_ =
        std::min<std::chrono::steady_clock::duration>(kMaxWsWriteTime, 2 * interval);
    WsSession* raw = self.get();  // The stream lives in the session: no ownership cycle.
    ws.control_callback([raw](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) raw->unanswered_pings_ = 0;
    });
    // Caps what one message may make us buffer (CONTRACT 5); Beast closes with 1009 above it.
    ws.read_message_max(server->options_.max_ws_message_bytes);
    ws.text(true);

    auto [ec] = co_await ws.async_accept(req, kAsTuple);
    req = {};  // Its headers would stay in this frame for the connection's whole life.
    if (ec || server->ws_ == nullptr) co_return;

    server->ws_sessions_.emplace(self->id_, self);
    self->state_ = State::kOpen;
    self->notify([&](WsHandler& h) { h.on_open(self); });
    if (server->stopping_) self->close(kGoingAway, "The server is shutting down.");
    asio::co_spawn(ws.get_executor(), write_loop(self), log_escaped);

    beast::flat_buffer buffer;
    for (;;) {
      auto [read_ec, n] = co_await ws.async_read(buffer, kAsTuple);
      if (read_ec) break;
      if (!ws.got_text()) {
        self->close(static_cast<std::uint16_t>(websocket::close_code::unknown_data),
                    "Text frames only.");
      } else if (self->state_ == State::kOpen) {
        self->unanswered_pings_ = 0;  // Any frame shows the peer is alive.
        const std::string_view text(static_cast<const char*>(buffer.data().data()), n);
        self->notify([&](WsHandler& h) { h.on_message(self, text); });
      }
      // Most connections are idle between messages: hold no read buffer while they are.
      buffer = beast::flat_buffer();
    }

    self->state_ = State::kClosed;
    self->reader_done_ = true;
    // Beast can leave its close-handshake timer armed after a failed close; a handler holding the
    // connection would then keep the io_context busy for that long after stop().
    ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                  websocket::stream_base::none(), false});
    self->wake_.cancel();
    server->ws_sessions_.erase(self->id_);
    self->notify_closed();
  }

  // Called by whichever comes first: the reader ending or the server going away.
  void notify_closed() {
    if (close_notified_) return;
    close_notified_ = true;
    notify([&](WsHandler& h) { h.on_close(shared_from_this()); });
  }

  // The handler may be gone: nothing more reaches it.
  void detach() { handler_ = nullptr; }

 private:
  enum class State { kConnecting, kOpen, kClosing, kClosed };

  // The only writer: one frame in flight at a time, then the close frame once the queue is empty.
  // It also pings every interval and drops a peer that left two pings unanswered.
  static asio::awaitable<void> write_loop(std::shared_ptr<WsSession> self) {
    auto next_ping = std::chrono::steady_clock::now() + self->ping_interval_;
    while (!self->reader_done_) {
      if (self->state_ == State::kOpen && std::chrono::steady_clock::now() >= next_ping) {
        if (self->unanswered_pings_ >= 2) break;  // Dropped: the socket is closed below.
        ++self->unanswered_pings_;
        next_ping += self->ping_interval_;
        self->arm_write_deadline();
        auto [ec] = co_await self->ws_.async_ping({}, kAsTuple);
        self->disarm_write_deadline();
        if (ec) break;
        continue;
      }
      if (!self->outbox_.empty()) {
        const std::string frame = std::move(self->outbox_.front());
        self->outbox_.pop_front();
        self->outbox_bytes_ -= frame.size();
        self->arm_write_deadline();
        auto [ec, n] = co_await self->ws_.async_write(asio::buffer(frame), kAsTuple);
        self->disarm_write_deadline();
        if (ec) break;
        continue;
      }
      if (self->close_reason_) {
        // The pending read receives the peer's answer and ends the session.
        co_await self->ws_.async_close(*self->close_reason_, kAsTuple);
        co_return;
      }
      self->wake_.expires_at(self->state_ == State::kOpen ? next_ping
                                                          : asio::steady_timer::time_point::max());
      co_await self->wake_.async_wait(kAsTuple);
    }
    // A failed write leaves the stream unusable; make sure the reader hears about it.
    if (!self->reader_done_) {
      error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    }
  }

  // Pings and frames go out one at a time, so a peer whose TCP window stays shut would hold the
  // writer forever and never be pinged out: the deadline closes the socket instead.
  void arm_write_deadline() {
    write_deadline_.expires_after(write_timeout_);
    write_deadline_.async_wait([weak = weak_from_this()](error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      // A wait that completed just as the write finished (and the deadline was moved) is stale.
      if (self->write_deadline_.expiry() > asio::steady_timer::clock_type::now()) return;
      self->drop("write_timeout");
    });
  }

  void disarm_write_deadline() {
    write_deadline_.expires_at(asio::steady_timer::time_point::max());
  }

  // Ends a connection that cannot be served, without a close handshake: the peer is not reading,
  // so it would not read a close frame either. The reader then fails and the session ends as
  // usual (on_close).
  void drop(std::string_view reason) {
    if (state_ == State::kClosed) return;
    obs::log_warn("ws.dropped", {{"conn", id_},
                                 {"reason", reason},
                                 {"queued_frames", outbox_.size()},
                                 {"queued_bytes", outbox_bytes_}});
    state_ = State::kClosing;
    outbox_.clear();
    outbox_bytes_ = 0;
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  // Handlers are the request edge and should not throw; if one does, this connection pays.
  template <class F>
  void notify(F&& f) {
    if (handler_ == nullptr) return;
    try {
      f(*handler_);
    } catch (const std::exception& ex) {
      log_error("WebSocket handler threw", ex.what());
      close(static_cast<std::uint16_t>(websocket::close_code::internal_error), "Internal error.");
    } catch (...) {
      log_error("WebSocket handler threw", "unknown");
      close(static_cast<std::uint16_t>(websocket::close_code::internal_error), "Internal error.");
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  const std::uint64_t id_;
  const std::string remote_ip_;
  WsHandler* handler_;
  State state_ = State::kConnecting;
  // A list, not a deque: an empty std::deque already holds a 512-byte block, on every one of
  // thousands of mostly idle connections.
  std::list<std::string> outbox_;
  std::size_t outbox_bytes_ = 0;
  std::optional<websocket::close_reason> close_reason_;
  // Cancelled to wake the writer; it never expires by itself.
  asio::steady_timer wake_;
  asio::steady_timer write_deadline_;
  std::chrono::steady_clock::duration write_timeout_{kMaxWsWriteTime};
  bool reader_done_ = false;
  bool close_notified_ = false;
  std::chrono::steady_clock::duration ping_interval_{std::chrono::seconds(15)};
  int unanswered_pings_ = 0;
};

using HttpConn = ServerState::HttpConn;

enum class ReadResult { kOk, kTooLarge, kMalformed, kGone };

ReadResult classify(const error_code& ec) {
  if (!ec) return ReadResult::kOk;
  if (ec == http::error::body_limit) return ReadResult::kTooLarge;
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

std::optional<HttpRequest> to_http_request(Request& req, const std::string& remote_ip) {
  auto path = decoded_path(req.target());
  if (!path) return std::nullopt;
  HttpRequest out;
  // HEAD is served as GET; the body is left off when writing.
  out.method = req.method() == http::verb::head ? "GET" : std::string(req.method_string());
  out.target = std::string(req.target());
  out.path = std::move(*path);
  if (const auto q = out.target.find('?'); q != std::string::npos) {
    out.query = out.target.substr(q + 1);
  }
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = out.headers.emplace(std::move(name), std::string(field.value()));
    // Repeated fields form one comma-separated list (RFC 9110 5.3).
    if (!inserted) it->second.append(", ").append(field.value());
  }
  out.body = std::move(req.body());
  out.remote_ip = remote_ip;
  return out;
}

Response to_beast_response(HttpResponse res, unsigned version, bool keep_alive) {
  if (res.status < 100 || res.status > 999) res = error_response(500, kInternalErrorBody);
  Response out;
  out.version(version);
  out.result(static_cast<unsigned>(res.status));
  if (!res.content_type.empty()) out.set(http::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) {
    // Framing is ours; CR/LF in a handler's header would split the response.
    if (!header_is_safe(name, value) || beast::iequals(name, "content-length") ||
        beast::iequals(name, "transfer-encoding")) {
      continue;
    }
    out.insert(name, value);
  }
  out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

HttpResponse call_http_handler(ServerState& server, const HttpRequest& req) {
  try {
    return server.http_(req);
  } catch (const std::exception& ex) {
    log_error("HTTP handler threw", ex.what());
  } catch (...) {
    log_error("HTTP handler threw", "unknown");
  }
  return error_response(500, kInternalErrorBody);
}

// The answer to one request, and whether the connection stays open after it.
std::pair<Response, bool> answer(ServerState& server, Request& req, ReadResult result,
                                 const std::string& remote_ip) {
  std::optional<HttpRequest> request;
  if (result != ReadResult::kMalformed) request = to_http_request(req, remote_ip);
  if (!request) {
    return {to_beast_response(error_response(400, kMalformedBody), 11, false), false};
  }
  if (server.stopping_ && websocket::is_upgrade(req)) {
    return {to_beast_response(error_response(503, kUnavailableBody), req.version(), false), false};
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

bool is_ws_upgrade(const ServerState& server, const Request& req) {
  return !server.stopping_ && websocket::is_upgrade(req) &&
         decoded_path(req.target()) == server.options_.ws_path;
}

// One TCP connection: requests in a keep-alive loop until it closes or becomes a WebSocket.
asio::awaitable<void> run_connection(std::shared_ptr<ServerState> server, tcp::socket socket) {
  const std::string remote_ip = remote_ip_of(socket);
  HttpConn conn{beast::tcp_stream(std::move(socket))};
  const std::uint64_t conn_id = server->next_conn_id_++;
  server->http_conns_.emplace(conn_id, &conn);
  struct Unregister {
    ServerState& server;
    std::uint64_t id;
    ~Unregister() { server.http_conns_.erase(id); }
  } unregister{*server, conn_id};

  beast::flat_buffer buffer;
  while (!server->stopping_ && server->http_) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    // Refuses oversized bodies while parsing, so they are never buffered (CONTRACT 10.1).
    parser.body_limit(server->options_.max_body_bytes);

    const ReadResult result = co_await read_request(*server, conn, buffer, parser);
    if (result == ReadResult::kGone || !server->http_) break;
    if (result == ReadResult::kOk && is_ws_upgrade(*server, parser.get())) {
      server->http_conns_.erase(conn_id);
      auto session = std::make_shared<WsSession>(std::move(conn.stream), remote_ip, server->ws_);
      // The WebSocket runs as a coroutine of its own, so this one's frame (the HTTP read buffer
      // and parser) is freed now rather than kept for the connection's whole life. A client
      // sends nothing more before the 101, so the buffer holds nothing the WebSocket needs.
      asio::co_spawn(session->executor(), WsSession::run(server, session, parser.release()),
                     log_escaped);
      co_return;
    }
    auto [res, keep_alive] = answer(*server, parser.get(), result, remote_ip);
    if (server->options_.before_respond) co_await wait_before_respond(*server, conn);
    const bool head = result == ReadResult::kOk && parser.get().method() == http::verb::head;
    if (!co_await write_response(*server, conn, res, head)) break;
    if (!keep_alive) {
      co_await close_gracefully(conn);
      co_return;
    }
  }
  error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  conn.stream.close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<ServerState> server) {
  while (!server->stopping_) {
    auto [ec, socket] = co_await server->acceptor_.async_accept(kAsTuple);
    if (server->stopping_) break;
    if (ec) {
      log_error("accept failed", ec.message());
      asio::steady_timer backoff(server->ioc_, kAcceptBackoff);
      co_await backoff.async_wait(kAsTuple);
      continue;
    }
    // Signaling frames are small and latency-bound: don't let Nagle hold them for an ACK.
    error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    asio::co_spawn(server->ioc_, run_connection(server, std::move(socket)), log_escaped);
  }
}

}  // namespace

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
  ServerState& impl = *impl_;
  if (impl.started_) {
    error = "server already started";
    return false;
  }
  const std::string where = impl.options_.host + ":" + std::to_string(impl.options_.port);
  error_code ec;
  tcp::endpoint endpoint;
  if (const auto address = asio::ip::make_address(impl.options_.host, ec); !ec) {
    endpoint = tcp::endpoint(address, impl.options_.port);
  } else {
    tcp::resolver resolver(impl.ioc_);
    auto results = resolver.resolve(impl.options_.host, std::to_string(impl.options_.port),
                                    tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      error = "cannot resolve " + where + ": " + ec.message();
      return false;
    }
    endpoint = results.begin()->endpoint();
  }

  auto fail = [&](std::string_view step) {
    error = "cannot " + std::string(step) + " " + where + ": " + ec.message();
    error_code ignored;
    impl.acceptor_.close(ignored);
    return false;
  };
  impl.acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  impl.acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  impl.acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  impl.acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  impl.port_ = impl.acceptor_.local_endpoint(ec).port();
  if (ec) return fail("read the port of");

  impl.started_ = true;
  asio::co_spawn(impl.ioc_, accept_loop(impl_), log_escaped);
  return true;
}

std::uint16_t HttpServer::port() const {
  return impl_->port_;
}

void HttpServer::stop() {
  ServerState& impl = *impl_;
  if (impl.stopping_) return;
  impl.stopping_ = true;
  error_code ignored;
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
