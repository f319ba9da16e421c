#pragma once
// One WebSocket of `/v1/ws` after the upgrade: a read chain hands text frames to the WsHandler,
// a write chain sends the queued frames, the pings and the close frame.
// Internal to net/: it includes Beast.
// Completion handlers, not coroutines: an idle connection then holds one pending read and one
// ping timer, not two coroutine frames and their spawn frames (about 2.7 KiB per connection
// less; docs/decisions/0013-idle-connection-memory.md).

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/server_state.hpp"

namespace sb::net {

class WsSession final : public WsConnection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream stream, std::string remote_ip, WsHandler* handler,
            ConnectionSlot slot);

  std::uint64_t id() const override { return id_; }
  const std::string& remote_ip() const override { return remote_ip_; }
  bool is_open() const override { return state_ == State::kOpen; }
  void send_text(std::string text) override;
  void close(std::uint16_t code, std::string reason) override;

  // Accepts the upgrade, then reads until the connection ends. on_close follows on_open once.
  static void start(std::shared_ptr<ServerState> server, std::shared_ptr<WsSession> self,
                    Request req);

  // Called by whichever comes first: the reader ending or the server going away.
  void notify_closed();
  // The handler may be gone: nothing more reaches it.
  void detach() { handler_ = nullptr; }

 private:
  enum class State { kConnecting, kOpen, kClosing, kClosed };

  void configure(const ServerOptions& options);
  void on_accepted(boost::system::error_code ec);
  void read_next();
  void on_read(boost::system::error_code ec);
  void finish_reading();
  void arm_ping_timer();
  /// Starts the write chain unless a write is in flight.
  void kick_writer();
  void write_next();
  /// A ping or frame starts going out: it must be written within write_timeout_.
  void start_write_clock();
  /// Checks at `at` whether the write in flight is overdue (then drops the connection).
  void watch_write(std::chrono::steady_clock::time_point at);
  void drop(std::string_view reason);
  template <class F>
  void notify(F&& f);

  // On the bare socket, not beast::tcp_stream: the session keeps its own time (ping timer, write
  // deadline), and the timed stream's state and its layer in every pending read cost each idle
  // connection memory for timeouts it never sets. With the io_context's own executor type rather
  // than any_io_executor, every operation Beast keeps pending holds 8-byte executors, not 48.
  using Executor = asio::io_context::executor_type;
  using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
  using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                           asio::wait_traits<std::chrono::steady_clock>, Executor>;
  static Socket bare_socket(beast::tcp_stream stream);
  beast::websocket::stream<Socket> ws_;
  std::shared_ptr<ServerState> server_;
  const std::uint64_t id_;
  const std::string remote_ip_;
  WsHandler* handler_;
  // Given back when the reader ends: handlers may hold the session longer than the socket.
  ConnectionSlot slot_;
  State state_ = State::kConnecting;
  // A list, not a deque: an empty std::deque already holds a 512-byte block, on every one of
  // thousands of mostly idle connections.
  std::list<std::string> outbox_;
  std::size_t outbox_bytes_ = 0;
  std::optional<beast::websocket::close_reason> close_reason_;
  // The message being read; empty between messages.
  beast::flat_buffer read_buffer_;
  // The frame being written.
  std::string in_flight_;
  bool writing_ = false;
  bool ping_due_ = false;
  bool close_sent_ = false;
  Timer ping_timer_;
  // One wait checks the writes in flight, not a wait per frame: when it fires it drops the
  // connection if the current write is overdue, or waits again until it would be.
  Timer write_watch_;
  bool write_watch_armed_ = false;
  // When the ping or frame in flight started; empty while idle or writing the close frame.
  std::optional<std::chrono::steady_clock::time_point> write_started_;
  std::chrono::steady_clock::duration write_timeout_;
  bool reader_done_ = false;
  bool close_notified_ = false;
  std::chrono::steady_clock::duration ping_interval_{std::chrono::seconds(15)};
  std::size_t max_message_bytes_ = 64 * 1024;
  int unanswered_pings_ = 0;
};

}  // namespace sb::net
