#include "signaling/hub.hpp"

#include <boost/json.hpp>

#include "call/errors_json.hpp"
#include "obs/log.hpp"
#include "service/call_json.hpp"
#include "util/ids.hpp"

namespace sb::signaling {
namespace {

namespace json = boost::json;
using call::ErrorCode;
using call::make_error;

// Close codes of docs/asyncapi.yaml.
constexpr std::uint16_t kCloseUnauthenticated = 4001;
constexpr std::uint16_t kCloseRateLimited = 4008;
constexpr std::uint16_t kCloseMalformed = 4400;

bool is_signal_kind(std::string_view kind) {
  return kind == "offer" || kind == "answer" || kind == "candidate" || kind == "restart";
}

}  // namespace

Hub::Hub(service::CallService& calls, const auth::JwtVerifier& verifier, bus::Bus& bus,
         Scheduler& scheduler, const Clock& clock, HubOptions options)
    : calls_(calls),
      verifier_(verifier),
      bus_(bus),
      scheduler_(scheduler),
      clock_(clock),
      options_(std::move(options)),
      boards_(
          scheduler, clock, options_.board_interval_ms,
          [this](std::uint64_t id, const std::string& frame) {
            auto it = sessions_.find(id);
            if (it == sessions_.end()) return;
            if (auto c = it->second.conn.lock()) {
              c->send_text(frame);
              if (options_.on_frames_sent) options_.on_frames_sent(1);
            }
          },
          [this](const std::string& org_id) { return calls_.queue_length(org_id); }) {
  bus_.subscribe([this](const bus::Delivery& d) { deliver(d); });
}

void Hub::on_open(const std::shared_ptr<net::WsConnection>& conn) {
  const auto id = conn->id();
  const std::int64_t now = clock_.now_ms();
  Session s{.conn = conn,
            .user = std::nullopt,
            .session_id = random_id("ws_"),
            .bucket = TokenBucket(options_.ws_rate, now),
            .refusal_allowance = TokenBucket(options_.rate_refusals, now)};
  std::weak_ptr<net::WsConnection> weak = conn;
  s.hello_timer = scheduler_.schedule_at(now + options_.hello_timeout_ms, [this, weak] {
    auto c = weak.lock();
    if (!c) return;
    auto it = sessions_.find(c->id());
    if (it != sessions_.end() && !it->second.user) c->close(kCloseUnauthenticated, "no hello");
  });
  sessions_.emplace(id, std::move(s));
}

void Hub::on_close(const std::shared_ptr<net::WsConnection>& conn) {
  const auto id = conn->id();
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  const std::optional<auth::Principal> user = std::move(it->second.user);
  scheduler_.cancel(it->second.hello_timer);
  sessions_.erase(it);
  boards_.unsubscribe(id);
  if (!user) return;
  const auth::Principal& p = *user;
  --signed_in_;
  auto& users = by_org_[p.org_id];
  users[p.user_id].erase(id);
  if (users[p.user_id].empty()) users.erase(p.user_id);
  if (users.empty()) by_org_.erase(p.org_id);
  if (options_.on_connections_changed) {
    options_.on_connections_changed(signed_in_);
  }
  if (!shutting_down_) calls_.connection_closed(p);
}

void Hub::on_message(const std::shared_ptr<net::WsConnection>& conn, std::string_view text) {
  auto it = sessions_.find(conn->id());
  if (it == sessions_.end()) return;
  Session& s = it->second;

  // The message lives only for this call, so it is parsed into a buffer on the stack: no
  // allocation per JSON node, and nothing to free afterwards. Nothing parsed may outlive it.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec, &arena);
  if (ec == json::error::too_deep) {
    conn->close(kCloseMalformed, "JSON nested too deeply");
    return;
  }
  if (ec || !parsed.is_object()) {
    conn->close(kCloseMalformed, "malformed message");
    return;
  }
  const json::object& msg = parsed.as_object();
  const json::value* type_value = msg.if_contains("type");
  const std::string_view type =
      type_value && type_value->is_string() ? std::string_view(type_value->as_string()) : "";
  const json::value* seq = msg.if_contains("seq");
  const json::value ref = seq ? *seq : json::value(nullptr);

  const std::int64_t now = clock_.now_ms();
  if (!s.bucket.take(now)) {
    // docs/api.md#limits: an error first; a connection that keeps at it is closed.
    if (s.refusal_allowance.take(now)) {
      send_error(conn, make_error(ErrorCode::kRateLimited), ref);
    } else {
      conn->close(kCloseRateLimited, "rate limited");
    }
    return;
  }

  if (!s.user) {
    const json::value* token = msg.if_contains("token");
    if (type != "hello" || !token || !token->is_string()) {
      conn->close(kCloseUnauthenticated, "hello first");
      return;
    }
    handle_hello(s, conn, token->as_string());
    return;
  }
  if (type == "ping") {
    conn->send_text(R"({"type":"pong"})");
  } else if (type == "signal") {
    handle_signal(s, conn, msg);
  } else if (type == "subscribe" || type == "unsubscribe") {
    handle_subscribe(conn, s, msg, type == "subscribe");
  } else if (type == "hello") {
    send_error(conn, make_error(ErrorCode::kInvalidRequest, "Already signed in."), ref);
  } else {
    send_error(conn, make_error(ErrorCode::kInvalidRequest, "Unknown message type."), ref);
  }
}

void Hub::handle_hello(Session& s, const std::shared_ptr<net::WsConnection>& conn,
                       std::string_view token) {
  auto principal = verifier_.verify(token, clock_.now_ms() / 1000);
  if (!principal) {
    obs::log_info("ws.auth_rejected", {{"reason", principal.error().message()}});
    conn->close(kCloseUnauthenticated, "unauthenticated");
    return;
  }
  scheduler_.cancel(s.hello_timer);
  s.user = *principal;
  ++signed_in_;
  by_org_[principal->org_id][principal->user_id][conn->id()] = conn;
  if (options_.on_connections_changed) {
    options_.on_connections_changed(signed_in_);
  }

  json::array calls;
  if (auto open = calls_.open_calls_of(*principal)) {
    for (const auto& c : *open) {
      // A queued call shows its place in the queue (docs/queue.md).
      calls.push_back(c.state == call::CallState::kQueued ? calls_.render(c)
                                                          : service::call_to_json(c));
    }
  }
  json::object welcome{{"type", "welcome"},
                       {"session", s.session_id},
                       {"user",
                        {{"id", principal->user_id},
                         {"org", principal->org_id},
                         {"role", auth::to_string(principal->role)},
                         {"name", principal->name}}},
                       {"calls", std::move(calls)}};
  conn->send_text(json::serialize(welcome));
  // After the welcome, so it stays the first message; this may announce the staff member.
  calls_.connection_opened(*principal);
  obs::log_info(
      "ws.welcome",
      {{"session", s.session_id}, {"org", principal->org_id}, {"user", principal->user_id}});
}

void Hub::handle_signal(Session& s, const std::shared_ptr<net::WsConnection>& conn,
                        const json::object& msg) {
  const json::value* seq = msg.if_contains("seq");
  const json::value ref = seq ? *seq : json::value(nullptr);
  const json::value* call_id = msg.if_contains("call_id");
  const json::value* kind = msg.if_contains("kind");
  const json::value* data = msg.if_contains("data");
  if (!seq || !seq->is_int64() || !call_id || !call_id->is_string() || !kind ||
      !kind->is_string() || !is_signal_kind(kind->as_string()) || !data || !data->is_object()) {
    send_error(conn,
               make_error(ErrorCode::kInvalidRequest,
                          "A signal needs call_id, kind (offer, answer, candidate or restart), "
                          "data and seq."),
               ref);
    return;
  }
  if (seq->as_int64() <= s.last_seq) {
    send_error(conn, make_error(ErrorCode::kInvalidRequest, "seq must grow."), ref);
    return;
  }
  s.last_seq = seq->as_int64();
  const std::string id(call_id->as_string());
  auto peer = calls_.signal_peer(*s.user, id);
  if (!peer) {
    send_error(conn, peer.error(), ref);
    return;
  }
  // Written out directly rather than built as an object: `data` (an SDP or a candidate) is
  // serialized once and never copied.
  std::string relayed = R"({"type":"signal","call_id":)";
  relayed += json::serialize(call_id->as_string());
  relayed += R"(,"from":)";
  relayed += json::serialize(s.user->user_id);
  relayed += R"(,"kind":)";
  relayed += json::serialize(kind->as_string());
  relayed += R"(,"data":)";
  relayed += json::serialize(*data);
  relayed += R"(,"seq":)";
  relayed += std::to_string(seq->as_int64());
  relayed += '}';
  bus_.publish(bus::Delivery{s.user->org_id,
                             {*peer},
                             std::nullopt,
                             std::move(relayed),
                             /*announces_write=*/false});
  if (options_.on_signal_relayed) options_.on_signal_relayed(kind->as_string());
}

void Hub::handle_subscribe(const std::shared_ptr<net::WsConnection>& conn, const Session& s,
                           const json::object& msg, bool subscribe) {
  const json::value* seq = msg.if_contains("seq");
  const json::value ref = seq ? *seq : json::value(nullptr);
  const json::value* topic = msg.if_contains("topic");
  if (!topic || !topic->is_string() || topic->as_string() != "board") {
    send_error(conn, make_error(ErrorCode::kInvalidRequest, "The only topic is \"board\"."), ref);
    return;
  }
  if (!subscribe) {
    boards_.unsubscribe(conn->id());
    return;
  }
  // Clients may not see the board: list_staff answers forbidden for them.
  auto staff = calls_.list_staff(*s.user);
  if (!staff) {
    send_error(conn, staff.error(), ref);
    return;
  }
  std::vector<std::string> rows;
  rows.reserve(staff->size());
  for (const auto& entry : *staff) rows.push_back(json::serialize(service::staff_to_json(entry)));
  boards_.subscribe(conn->id(), s.user->org_id, rows);
}

void Hub::send_error(const std::shared_ptr<net::WsConnection>& conn, const call::Error& error,
                     const json::value& ref) {
  json::object msg = call::error_json(error);
  msg["type"] = "error";
  msg["ref"] = ref;
  conn->send_text(json::serialize(msg));
}

void Hub::deliver(const bus::Delivery& d) {
  if (d.board) boards_.row_changed(d.org_id, d.board->staff_id, d.board->json);
  if (d.queue_changed) boards_.queue_changed(d.org_id);
  if (d.payload.empty()) return;
  auto org = by_org_.find(d.org_id);
  if (org == by_org_.end()) return;
  std::vector<std::shared_ptr<net::WsConnection>> targets;
  auto add_user = [&](const std::string& user_id) {
    auto user = org->second.find(user_id);
    if (user == org->second.end()) return;
    for (const auto& [id, weak] : user->second) {
      if (auto c = weak.lock()) targets.push_back(std::move(c));
    }
  };
  for (const auto& u : d.user_ids) add_user(u);
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  for (const auto& c : targets) c->send_text(d.payload);
  if (options_.on_frames_sent) options_.on_frames_sent(static_cast<std::int64_t>(targets.size()));
}

}  // namespace sb::signaling
