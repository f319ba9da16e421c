#include "net/ws_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/beast/websocket.hpp>
#include <exception>

#include "obs/log.hpp"

namespace sb::net {
namespace {

namespace websocket = beast::websocket;
using boost::system::error_code;

// Upper bound for the WebSocket opening and closing handshakes.
constexpr std::chrono::milliseconds kMaxWsHandshakeTime{5000};
// What one WebSocket may have queued for the peer beyond what the kernel buffers. 8 MiB is about
// 128 signals of the largest size, far more than a live peer falls behind by; a peer that does
// not read at all gets dropped here instead of growing the queue without end.
constexpr std::size_t kMaxOutboxBytes = 8 * 1024 * 1024;
// How much of a message one read takes in at most.
constexpr std::size_t kReadPieceBytes = 16 * 1024;
// The first read of a message takes less. Beast allocates a read's buffer before the frame
// arrives, so an idle connection holds its first read's buffer until its next message: with
// kReadPieceBytes that was 1.5 KiB per idle connection (Beast caps it at its TCP frame size).
// The rest of a longer message is already in Beast's buffer or the socket's, so reading it in a
// second piece costs no more time: at fixed 300/s 128 bytes took no more CPU per call than 512,
// and idle 10,000 took 6.84 KB per connection instead of 7.20 (decision 0013).
constexpr std::size_t kFirstReadBytes = 128;
// Upper bound for one frame to be taken by the peer's TCP stack. A write that waits longer than
// two ping intervals means the peer cannot even receive pings: docs/asyncapi.yaml drops it then
// anyway.
constexpr std::chrono::milliseconds kMaxWsWriteTime{10000};

std::atomic<std::uint64_t> next_ws_id{1};

// Close codes a server may put on the wire (RFC 6455 7.4.1); anything else becomes 1011.
std::uint16_t sendable_close_code(std::uint16_t code) {
  const bool ok = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
                  (code >= 3000 && code <= 4999);
  return ok ? code : static_cast<std::uint16_t>(websocket::close_code::internal_error);
}

}  // namespace

WsSession::WsSession(beast::tcp_stream stream, std::string remote_ip, WsHandler* handler,
                     ConnectionSlot slot)
    : ws_(bare_socket(std::move(stream))),
      id_(next_ws_id.fetch_add(1)),
      remote_ip_(std::move(remote_ip)),
      handler_(handler),
      slot_(std::move(slot)),
      ping_timer_(ws_.get_executor()),
      write_watch_(ws_.get_executor()),
      write_timeout_(kMaxWsWriteTime) {}

WsSession::Socket WsSession::bare_socket(beast::tcp_stream stream) {
  // The server runs on an io_context: the stream's executor belongs to it.
  auto& context = asio::query(stream.get_executor(), asio::execution::context);
  asio::ip::tcp::socket socket = stream.release_socket();
  Socket bare(static_cast<asio::io_context&>(context).get_executor());
  // A peer already gone leaves a closed socket: the first read fails and ends the session.
  error_code ec;
  const auto endpoint = socket.local_endpoint(ec);
  if (ec) return bare;
  const auto native = socket.release(ec);
  if (!ec) bare.assign(endpoint.protocol(), native, ec);
  if (ec) ::close(native);
  return bare;
}

void WsSession::send_text(std::string text) {
  if (state_ != State::kOpen) return;
  outbox_bytes_ += text.size();
  outbox_.push_back(std::move(text));
  if (outbox_bytes_ > kMaxOutboxBytes) {
    drop("outbox_full");
    return;
  }
  kick_writer();
}

void WsSession::close(std::uint16_t code, std::string reason) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  // The reason must fit a control frame: 125 bytes including the code.
  if (reason.size() > 123) reason.resize(123);
  close_reason_.emplace(static_cast<websocket::close_code>(sendable_close_code(code)), reason);
  kick_writer();
}

// Handlers are the request edge and should not throw; if one does, this connection pays.
template <class F>
void WsSession::notify(F&& f) {
  if (handler_ == nullptr) return;
  try {
    f(*handler_);
  } catch (const std::exception& ex) {
    log_net_error("WebSocket handler threw", ex.what());
    close(static_cast<std::uint16_t>(websocket::close_code::internal_error), "Internal error.");
  } catch (...) {
    log_net_error("WebSocket handler threw", "unknown");
    close(static_cast<std::uint16_t>(websocket::close_code::internal_error), "Internal error.");
  }
}

void WsSession::configure(const ServerOptions& options) {
  const auto interval = options.ws_ping_interval;
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout =
      std::min<std::chrono::steady_clock::duration>(kMaxWsHandshakeTime, 2 * interval);
  // Pings are ours (arm_ping_timer): Beast's keep-alive would drop a peer after one missed ping,
  // and docs/asyncapi.yaml allows two.
  timeout.idle_timeout = websocket::stream_base::none();
  timeout.keep_alive_pings = false;
  ws_.set_option(timeout);
  ping_interval_ = interval;
  write_timeout_ = std::min<std::chrono::steady_clock::duration>(kMaxWsWriteTime, 2 * interval);
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    // The stream lives in the session: `this` outlives every callback, with no ownership cycle.
    if (kind == websocket::frame_type::pong) unanswered_pings_ = 0;
  });
  // The message cap (docs/asyncapi.yaml) is enforced by on_read(), not by Beast: Beast
  // fails an oversized message by closing the socket with the rest of it unread, so the peer, still
  // sending, gets a reset instead of the 1009 close frame.
  ws_.read_message_max(0);
  max_message_bytes_ = options.max_ws_message_bytes;
  ws_.text(true);
}

void WsSession::start(std::shared_ptr<ServerState> server, std::shared_ptr<WsSession> self,
                      Request req) {
  self->server_ = std::move(server);
  self->configure(self->server_->options_);
  // Beast reads the request while it writes the 101; it is freed with the handler afterwards.
  auto upgrade = std::make_shared<Request>(std::move(req));
  auto& ws = self->ws_;
  ws.async_accept(*upgrade, [self = std::move(self), upgrade](error_code ec) mutable {
    upgrade.reset();
    self->on_accepted(ec);
  });
}

void WsSession::on_accepted(error_code ec) {
  ServerState& server = *server_;
  if (ec || server.ws_ == nullptr) return;
  server.ws_sessions_.emplace(id_, shared_from_this());
  state_ = State::kOpen;
  notify([&](WsHandler& h) { h.on_open(shared_from_this()); });
  if (server.stopping_) close(kGoingAway, "The server is shutting down.");
  arm_ping_timer();
  read_next();
}

// A message is read a piece at a time, so an oversized one is refused before it is buffered; once
// closing, what still arrives is read and dropped until the peer's close frame ends the read.
void WsSession::read_next() {
  const std::size_t piece = read_buffer_.size() == 0 ? kFirstReadBytes : kReadPieceBytes;
  ws_.async_read_some(read_buffer_, piece, [self = shared_from_this()](error_code ec, std::size_t) {
    self->on_read(ec);
  });
}

void WsSession::on_read(error_code ec) {
  if (ec) {
    finish_reading();
    return;
  }
  if (state_ != State::kOpen) {
    read_buffer_.clear();
  } else if (read_buffer_.size() > max_message_bytes_) {
    close(static_cast<std::uint16_t>(websocket::close_code::too_big), "Message too big.");
    read_buffer_ = beast::flat_buffer();
  } else if (ws_.is_message_done()) {
    if (!ws_.got_text()) {
      close(static_cast<std::uint16_t>(websocket::close_code::unknown_data), "Text frames only.");
    } else {
      unanswered_pings_ = 0;  // Any frame shows the peer is alive.
      const std::string_view text(static_cast<const char*>(read_buffer_.data().data()),
                                  read_buffer_.size());
      auto self = shared_from_this();
      notify([&](WsHandler& h) { h.on_message(self, text); });
    }
    // Most connections are idle between messages: hold no read buffer while they are.
    read_buffer_ = beast::flat_buffer();
  }
  read_next();
}

void WsSession::finish_reading() {
  state_ = State::kClosed;
  reader_done_ = true;
  // Beast can leave its close-handshake timer armed after a failed close; a handler holding the
  // connection would then keep the io_context busy for that long after stop().
  ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                 websocket::stream_base::none(), false});
  ping_timer_.cancel();
  server_->ws_sessions_.erase(id_);
  notify_closed();
  slot_.release();
}

void WsSession::notify_closed() {
  if (close_notified_) return;
  close_notified_ = true;
  notify([&](WsHandler& h) { h.on_close(shared_from_this()); });
}

// Every ping interval: a peer that left two pings unanswered is dropped, else it is pinged.
void WsSession::arm_ping_timer() {
  ping_timer_.expires_after(ping_interval_);
  ping_timer_.async_wait([weak = weak_from_this()](error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->reader_done_ || self->state_ != State::kOpen) return;
    if (self->unanswered_pings_ >= 2) {
      // Closing the socket fails the pending read, which ends the session.
      error_code ignored;
      self->ws_.next_layer().close(ignored);
      return;
    }
    self->ping_due_ = true;
    self->kick_writer();
    self->arm_ping_timer();
  });
}

void WsSession::kick_writer() {
  if (!writing_) write_next();
}

// The only writer: one frame or ping in flight at a time, then the close frame once the queue
// is empty. Idle, it holds nothing: send_text, close and the ping timer start it again.
void WsSession::write_next() {
  writing_ = false;
  if (reader_done_) return;
  auto done = [self = shared_from_this()](error_code ec, std::size_t = 0) {
    self->write_started_.reset();
    self->in_flight_ = std::string();
    if (ec) {
      // A failed write leaves the stream unusable; make sure the reader hears about it.
      self->writing_ = false;
      if (!self->reader_done_) {
        error_code ignored;
        self->ws_.next_layer().close(ignored);
      }
      return;
    }
    self->write_next();
  };
  if (ping_due_ && state_ == State::kOpen) {
    ping_due_ = false;
    ++unanswered_pings_;
    writing_ = true;
    start_write_clock();
    ws_.async_ping({}, std::move(done));
    return;
  }
  if (!outbox_.empty()) {
    in_flight_ = std::move(outbox_.front());
    outbox_.pop_front();
    outbox_bytes_ -= in_flight_.size();
    writing_ = true;
    start_write_clock();
    ws_.async_write(asio::buffer(in_flight_), std::move(done));
    return;
  }
  // Nothing to write: the watch's pending wait need not outlive the burst (on an idle
  // connection it would hold its memory for up to write_timeout_).
  if (write_watch_armed_) write_watch_.cancel();
  if (close_reason_ && !close_sent_) {
    // The pending read receives the peer's answer and ends the session.
    close_sent_ = true;
    writing_ = true;
    ws_.async_close(*close_reason_, [self = shared_from_this()](error_code) {});
  }
}

// Pings and frames go out one at a time, so a peer whose TCP window stays shut would hold the
// writer forever and never be pinged out: the deadline closes the socket instead.
void WsSession::start_write_clock() {
  write_started_ = Timer::clock_type::now();
  if (!write_watch_armed_) watch_write(*write_started_ + write_timeout_);
}

void WsSession::watch_write(Timer::clock_type::time_point at) {
  write_watch_armed_ = true;
  write_watch_.expires_at(at);
  write_watch_.async_wait([weak = weak_from_this()](error_code ec) {
    auto self = weak.lock();
    if (!self) return;
    self->write_watch_armed_ = false;
    // Idle now: the next write starts the watch again.
    if (!self->write_started_) return;
    // Cancelled as the writer went idle, but a write began since: keep watching it.
    const auto due = *self->write_started_ + self->write_timeout_;
    if (!ec && due <= Timer::clock_type::now()) {
      self->drop("write_timeout");
    } else {
      self->watch_write(due);
    }
  });
}

// Ends a connection that cannot be served, without a close handshake: the peer is not reading,
// so it would not read a close frame either. The reader then fails and the session ends as
// usual (on_close).
void WsSession::drop(std::string_view reason) {
  if (state_ == State::kClosed) return;
  obs::log_warn("ws.dropped", {{"conn", id_},
                               {"ip", remote_ip_},
                               {"reason", reason},
                               {"queued_frames", outbox_.size()},
                               {"queued_bytes", outbox_bytes_}});
  state_ = State::kClosing;
  outbox_.clear();
  outbox_bytes_ = 0;
  error_code ignored;
  ws_.next_layer().close(ignored);
}

}  // namespace sb::net
