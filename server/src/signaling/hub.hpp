#pragma once
// The WebSocket side of docs/asyncapi.yaml: hello/welcome, presence, relaying SDP and ICE
// between the two participants of a call, and delivering bus events to every connection of a
// user. Runs on the io thread.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/jwt_verifier.hpp"
#include "bus/bus.hpp"
#include "net/http_types.hpp"
#include "service/call_service.hpp"
#include "signaling/staff_boards.hpp"
#include "util/rate_limiter.hpp"
#include "util/scheduler.hpp"

namespace sb::signaling {

struct HubOptions {
  std::int64_t hello_timeout_ms = 5000;
  RateSpec ws_rate{50, 100};
  /// Messages refused for rate that a connection may collect before it is closed with 4008:
  /// `burst` of them, regained at `per_second`. Accepted messages in between do not reset it, so
  /// a steady flood that gets a message through now and then is closed too.
  RateSpec rate_refusals{1, 20};
  /// At most one board.updated per org per this interval (docs/asyncapi.yaml).
  std::int64_t board_interval_ms = 500;
  std::function<void(std::string_view kind)> on_signal_relayed;
  std::function<void(std::int64_t open_connections)> on_connections_changed;
  /// Text frames handed to connections by deliveries and boards (not replies to a request).
  std::function<void(std::int64_t frames)> on_frames_sent;
};

class Hub final : public net::WsHandler {
 public:
  Hub(service::CallService& calls, const auth::JwtVerifier& verifier, bus::Bus& bus,
      Scheduler& scheduler, const Clock& clock, HubOptions options);

  void on_open(const std::shared_ptr<net::WsConnection>& conn) override;
  void on_message(const std::shared_ptr<net::WsConnection>& conn, std::string_view text) override;
  void on_close(const std::shared_ptr<net::WsConnection>& conn) override;

  /// From now on, closing connections are the server's own doing: they leave presence as it
  /// is, so after the restart everyone gets their grace again (docs/api.md#presence).
  void begin_shutdown() { shutting_down_ = true; }

 private:
  struct Session {
    std::weak_ptr<net::WsConnection> conn;
    std::optional<auth::Principal> user;
    std::string session_id;
    TimerId hello_timer = 0;
    TokenBucket bucket;
    TokenBucket refusal_allowance;
    std::int64_t last_seq = -1;
  };

  void deliver(const bus::Delivery& delivery);
  void handle_hello(Session& s, const std::shared_ptr<net::WsConnection>& conn,
                    std::string_view token);
  void handle_signal(Session& s, const std::shared_ptr<net::WsConnection>& conn,
                     const boost::json::object& msg);
  void handle_subscribe(const std::shared_ptr<net::WsConnection>& conn, const Session& s,
                        const boost::json::object& msg, bool subscribe);
  void send_error(const std::shared_ptr<net::WsConnection>& conn, const call::Error& error,
                  const boost::json::value& ref);

  service::CallService& calls_;
  const auth::JwtVerifier& verifier_;
  bus::Bus& bus_;
  Scheduler& scheduler_;
  const Clock& clock_;
  HubOptions options_;
  bool shutting_down_ = false;
  std::unordered_map<std::uint64_t, Session> sessions_;
  StaffBoards boards_;
  /// Connections that said hello; their user is in their Session.
  std::int64_t signed_in_ = 0;
  /// Signed-in connections by org, then user.
  std::map<std::string,
           std::map<std::string, std::map<std::uint64_t, std::weak_ptr<net::WsConnection>>>>
      by_org_;
};

}  // namespace sb::signaling
