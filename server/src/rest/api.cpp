#include "rest/api.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <chrono>

#include "auth/dev_token.hpp"
#include "obs/log.hpp"
#include "service/call_json.hpp"
#include "util/ids.hpp"

namespace sb::rest {
namespace {

using call::ErrorCode;
using call::make_error;
namespace json = boost::json;

constexpr std::size_t kMaxMetadataBytes = 4096;  // CONTRACT 10.1
constexpr std::size_t kMaxIdempotencyKey = 255;

net::HttpResponse json_response(int status, const json::value& body) {
  net::HttpResponse res;
  res.status = status;
  res.body = json::serialize(body);
  return res;
}

net::HttpResponse error_response(const call::Error& e) {
  json::object error{{"code", call::to_string(e.code)},
                     {"message", e.text()},
                     {"retryable", call::is_retryable(e.code)}};
  if (!e.details.empty()) {
    json::object details;
    for (const auto& [k, v] : e.details) details[k] = v;
    error["details"] = std::move(details);
  }
  return json_response(call::http_status(e.code), json::object{{"error", std::move(error)}});
}

net::HttpResponse error_response(ErrorCode code, std::string message = {}) {
  return error_response(make_error(code, std::move(message)));
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

/// The body as a JSON object; an empty body is `{}`. nullopt for anything else.
std::optional<json::object> parse_object(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::optional<std::string> opt_string(const json::object& o, std::string_view key, bool& bad) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string()) {
    bad = true;
    return std::nullopt;
  }
  return std::string(it->value().as_string());
}

std::string query_param(std::string_view query, std::string_view name, bool& present) {
  present = false;
  auto params = boost::urls::parse_query(query);
  if (!params) return {};
  for (auto p : *params) {
    if (p.key == name) {
      present = true;
      return std::string(p.value);
    }
  }
  return {};
}

bool is_candidate_type(std::string_view s) {
  return s == "host" || s == "srflx" || s == "prflx" || s == "relay";
}

/// A figure of a quality sample at `key`: a non-negative finite number, or absent (missing or
/// null: the browser could not read it yet). `valid` turns false when it is anything else.
std::optional<double> figure_at(const json::object& o, std::string_view key, bool& valid) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  const auto& v = it->value();
  double d = 0;
  if (v.is_double()) {
    d = v.as_double();
  } else if (v.is_int64()) {
    d = static_cast<double>(v.as_int64());
  } else if (v.is_uint64()) {
    d = static_cast<double>(v.as_uint64());
  } else {
    valid = false;
    return std::nullopt;
  }
  if (!(d >= 0) || d > 1e9) valid = false;
  return d;
}

std::optional<storage::QualitySample> parse_quality(const json::object& o) {
  storage::QualitySample s;
  bool valid = true;
  s.rtt_ms = figure_at(o, "rtt_ms", valid);
  s.jitter_ms = figure_at(o, "jitter_ms", valid);
  s.packet_loss_pct = figure_at(o, "packet_loss_pct", valid);
  if (s.packet_loss_pct && *s.packet_loss_pct > 100) valid = false;
  if (auto it = o.find("bitrate_kbps"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_object()) return std::nullopt;
    const auto& b = it->value().as_object();
    s.audio_in_kbps = figure_at(b, "audio_in", valid);
    s.audio_out_kbps = figure_at(b, "audio_out", valid);
    s.video_in_kbps = figure_at(b, "video_in", valid);
    s.video_out_kbps = figure_at(b, "video_out", valid);
  }
  if (!valid) return std::nullopt;
  bool bad = false;
  s.candidate_type = opt_string(o, "candidate_type", bad);
  s.ice_state = opt_string(o, "ice_state", bad);
  if (bad || (s.candidate_type && !is_candidate_type(*s.candidate_type)) ||
      (s.ice_state && (s.ice_state->size() > 32 || !auth::is_valid_id(*s.ice_state)))) {
    return std::nullopt;
  }
  return s;
}

std::optional<storage::Feedback> parse_feedback(const json::object& o) {
  storage::Feedback f;
  auto score = o.find("score");
  if (score == o.end() || !score->value().is_int64()) return std::nullopt;
  const auto n = score->value().as_int64();
  if (n < 1 || n > 5) return std::nullopt;
  f.score = static_cast<int>(n);
  if (auto it = o.find("issues"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_array() || it->value().as_array().size() > 10) return std::nullopt;
    for (const auto& issue : it->value().as_array()) {
      if (!issue.is_string() || issue.as_string().size() > 32 ||
          !auth::is_valid_id(issue.as_string())) {
        return std::nullopt;
      }
      f.issues.emplace_back(issue.as_string());
    }
  }
  bool bad = false;
  auto comment = opt_string(o, "comment", bad);
  if (bad || (comment && comment->size() > 1000)) return std::nullopt;
  f.comment = comment.value_or("");
  return f;
}

std::string make_cursor(const call::Call& c) {
  return std::to_string(c.created_at_ms) + "." + c.id;
}

std::optional<std::pair<std::int64_t, std::string>> parse_cursor(std::string_view s) {
  auto dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 18) return std::nullopt;
  std::int64_t ms = 0;
  for (char c : s.substr(0, dot)) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + (c - '0');
  }
  std::string id(s.substr(dot + 1));
  if (!auth::is_valid_id(id)) return std::nullopt;
  return std::make_pair(ms, id);
}

}  // namespace

struct Api::Context {
  const net::HttpRequest& req;
  std::string request_id;
  std::string route = "other";
  std::optional<auth::Principal> user;
  std::string call_id;  // The call the request is about, for the log line; empty if none.
};

Api::Api(service::CallService& calls, const auth::JwtVerifier& verifier, const Clock& clock,
         ApiOptions options)
    : calls_(calls),
      verifier_(verifier),
      clock_(clock),
      options_(std::move(options)),
      static_files_(options_.web_root),
      ip_limiter_(options_.rate_ip),
      user_limiter_(options_.rate_user) {}

net::HttpResponse Api::handle(const net::HttpRequest& req) {
  const auto started = std::chrono::steady_clock::now();
  Context ctx{req, std::string(req.header("x-request-id")), "other", std::nullopt, {}};
  if (ctx.request_id.empty() || ctx.request_id.size() > 128) ctx.request_id = random_id("req_");

  net::HttpResponse res;
  try {
    res = route(ctx);
  } catch (const std::exception& e) {
    // The one place an unexpected exception from a handler is caught: answer, log, go on.
    obs::log_error("http.exception", {{"request_id", ctx.request_id}, {"what", e.what()}});
    res = error_response(ErrorCode::kUnavailable);
  }
  res.headers.emplace_back("X-Request-Id", ctx.request_id);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (options_.on_request) options_.on_request(ctx.route, res.status, seconds);
  if (ctx.route != "static" && ctx.route != "health") {
    obs::log_info("http.request", {{"request_id", ctx.request_id},
                                   {"method", req.method},
                                   {"route", ctx.route},
                                   {"status", res.status},
                                   {"ms", seconds * 1000.0},
                                   {"org", ctx.user ? ctx.user->org_id : ""},
                                   {"user", ctx.user ? ctx.user->user_id : ""},
                                   {"call_id", ctx.call_id}});
  }
  return res;
}

net::HttpResponse Api::route(Context& ctx) {
  const auto& req = ctx.req;
  const auto parts = split_path(req.path);
  const bool api = !parts.empty() && parts[0] == "v1";

  if (!api) {
    if (req.path == "/healthz") {
      ctx.route = "health";
      return json_response(200, json::object{{"status", "ok"}});
    }
    if (req.path == "/readyz") {
      ctx.route = "health";
      const bool ready = !options_.ready || options_.ready();
      if (!ready) return error_response(ErrorCode::kUnavailable);
      return json_response(200, json::object{{"status", "ready"}});
    }
    if (req.path == "/metrics") {
      ctx.route = "metrics";
      net::HttpResponse res;
      res.content_type = "text/plain; version=0.0.4; charset=utf-8";
      res.body = options_.metrics_text ? options_.metrics_text() : "";
      return res;
    }
    ctx.route = "static";
    if (req.method != "GET" && req.method != "HEAD") return error_response(ErrorCode::kNotFound);
    return static_files_.serve(req.path);
  }

  const std::int64_t now = clock_.now_ms();
  if (int wait = ip_limiter_.take(req.remote_ip, now)) {
    auto res = error_response(ErrorCode::kRateLimited);
    res.headers.emplace_back("Retry-After", std::to_string(wait));
    return res;
  }
  if (req.body_too_large) return error_response(ErrorCode::kPayloadTooLarge);

  // POST /v1/dev/token exists only with --dev (CONTRACT 4).
  if (parts.size() == 3 && parts[1] == "dev" && parts[2] == "token") {
    ctx.route = "/v1/dev/token";
    if (!options_.dev || req.method != "POST") return error_response(ErrorCode::kNotFound);
    auto body = parse_object(req.body);
    if (!body) return error_response(ErrorCode::kInvalidRequest, "The body must be a JSON object.");
    bool bad = false;
    auto org = opt_string(*body, "org", bad);
    auto sub = opt_string(*body, "sub", bad);
    auto role_text = opt_string(*body, "role", bad);
    auto name = opt_string(*body, "name", bad);
    std::optional<auth::Role> role = role_text ? auth::parse_role(*role_text) : std::nullopt;
    if (bad || !org || !sub || !role || !auth::is_valid_id(*org) || !auth::is_valid_id(*sub) ||
        (name && name->size() > 200)) {
      return error_response(ErrorCode::kInvalidRequest,
                            "Give org and sub (1 to 128 of A-Z a-z 0-9 . _ : @ -) and a role.");
    }
    auth::Principal p{*sub, *org, *role, name.value_or(*sub), 0};
    auto token = auth::mint_hs256_token(options_.dev_secret, p, now / 1000, 12 * 3600);
    return json_response(200, json::object{{"token", token}});
  }

  // Everything else under /v1 needs a verified token.
  auto authz = req.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authz.size() <= kBearer.size() || !authz.starts_with(kBearer)) {
    return error_response(ErrorCode::kUnauthenticated);
  }
  auto principal = verifier_.verify(authz.substr(kBearer.size()), now / 1000);
  if (!principal) {
    obs::log_info("auth.rejected",
                  {{"request_id", ctx.request_id}, {"reason", principal.error().message()}});
    return error_response(ErrorCode::kUnauthenticated);
  }
  ctx.user = *principal;
  if (int wait = user_limiter_.take(ctx.user->org_id + "/" + ctx.user->user_id, now)) {
    auto res = error_response(ErrorCode::kRateLimited);
    res.headers.emplace_back("Retry-After", std::to_string(wait));
    return res;
  }

  if (parts.size() >= 2 && parts[1] == "calls") return route_calls(ctx, parts);

  if (parts.size() == 3 && parts[1] == "staff" && parts[2] == "availability" &&
      req.method == "GET") {
    ctx.route = "/v1/staff/availability";
    auto staff = calls_.list_staff(*ctx.user);
    if (!staff) return error_response(staff.error());
    json::array list;
    for (const auto& s : *staff) list.push_back(service::staff_to_json(s));
    return json_response(200, json::object{{"staff", std::move(list)}});
  }
  if (parts.size() == 4 && parts[1] == "staff" && parts[2] == "me" && parts[3] == "availability" &&
      req.method == "PUT") {
    ctx.route = "/v1/staff/me/availability";
    auto body = parse_object(req.body);
    bool bad = false;
    auto status_text = body ? opt_string(*body, "status", bad) : std::nullopt;
    auto status = status_text ? call::parse_staff_status(*status_text) : std::nullopt;
    if (!body || bad || !status) {
      return error_response(ErrorCode::kInvalidRequest,
                            "Status must be available, away or offline.");
    }
    auto entry = calls_.set_my_status(*ctx.user, *status);
    if (!entry) return error_response(entry.error());
    return json_response(200, service::staff_to_json(*entry));
  }
  if (parts.size() == 3 && parts[1] == "ops" && parts[2] == "summary" && req.method == "GET") {
    ctx.route = "/v1/ops/summary";
    auto summary = calls_.ops_summary(*ctx.user, 3600 * 1000);
    if (!summary) return error_response(summary.error());
    return json_response(200, *summary);
  }
  if (parts.size() == 2 && parts[1] == "ice-servers" && req.method == "GET") {
    ctx.route = "/v1/ice-servers";
    return json_response(200, calls_.ice_servers_for(ctx.user->user_id));
  }
  return error_response(ErrorCode::kNotFound);
}

net::HttpResponse Api::route_calls(Context& ctx, const std::vector<std::string_view>& parts) {
  const auto& req = ctx.req;
  const auto& user = *ctx.user;

  if (parts.size() == 2 && req.method == "POST") {
    ctx.route = "/v1/calls";
    auto body = parse_object(req.body);
    if (!body) return error_response(ErrorCode::kInvalidRequest, "The body must be a JSON object.");
    service::CreateCallRequest create;
    if (auto it = body->find("media"); it != body->end() && !it->value().is_null()) {
      if (!it->value().is_object()) {
        return error_response(ErrorCode::kInvalidRequest, "media must be an object.");
      }
      for (const auto& [key, value] : it->value().as_object()) {
        if ((key != "audio" && key != "video") || !value.is_bool()) {
          return error_response(ErrorCode::kInvalidRequest,
                                "media takes audio and video as true or false.");
        }
        (key == "audio" ? create.media.audio : create.media.video) = value.as_bool();
      }
    }
    bool bad = false;
    create.staff_id = opt_string(*body, "staff_id", bad);
    if (bad || (create.staff_id && !auth::is_valid_id(*create.staff_id))) {
      return error_response(ErrorCode::kInvalidRequest, "staff_id is not a valid id.");
    }
    if (auto it = body->find("metadata"); it != body->end() && !it->value().is_null()) {
      if (!it->value().is_object()) {
        return error_response(ErrorCode::kInvalidRequest, "metadata must be an object.");
      }
      for (const auto& [key, value] : it->value().as_object()) {
        if (!value.is_string()) {
          return error_response(ErrorCode::kInvalidRequest, "metadata values must be strings.");
        }
        create.metadata.emplace(std::string(key), std::string(value.as_string()));
      }
      if (json::serialize(it->value()).size() > kMaxMetadataBytes) {
        return error_response(ErrorCode::kInvalidRequest, "metadata is over 4 KiB.");
      }
    }
    if (auto key = req.header("idempotency-key"); !key.empty()) {
      if (key.size() > kMaxIdempotencyKey) {
        return error_response(ErrorCode::kInvalidRequest, "Idempotency-Key is too long.");
      }
      create.idempotency_key = std::string(key);
    }
    if (options_.admit_new_call && !options_.admit_new_call()) {
      auto res = error_response(
          make_error(ErrorCode::kUnavailable, "The server is overloaded; try again shortly."));
      res.headers.emplace_back("Retry-After", "1");
      return res;
    }
    auto created = calls_.create_call(user, create);
    if (!created) return error_response(created.error());
    ctx.call_id = created->call.id;
    // CONTRACT 10.9: a retried create answers 201 with the call as it is now.
    return json_response(201, calls_.render(created->call));
  }

  if (parts.size() == 2 && req.method == "GET") {
    ctx.route = "/v1/calls";
    storage::CallQuery query;
    bool present = false;
    auto state = query_param(req.query, "state", present);
    if (present && !state.empty()) {
      query.state = call::parse_call_state(state);
      if (!query.state) return error_response(ErrorCode::kInvalidRequest, "Unknown state.");
    }
    auto limit = query_param(req.query, "limit", present);
    if (present) {
      int n = 0;
      bool ok = !limit.empty() && limit.size() <= 3;
      for (char c : limit) ok = ok && c >= '0' && c <= '9';
      if (ok) n = std::stoi(limit);
      if (!ok || n < 1 || n > 100) {
        return error_response(ErrorCode::kInvalidRequest, "limit must be 1 to 100.");
      }
      query.limit = n;
    }
    auto before = query_param(req.query, "before", present);
    if (present && !before.empty()) {
      query.before = parse_cursor(before);
      if (!query.before) return error_response(ErrorCode::kInvalidRequest, "Bad cursor.");
    }
    auto page = calls_.list_calls(user, query);
    if (!page) return error_response(page.error());
    json::array list;
    for (const auto& c : page->calls) list.push_back(calls_.render(c));
    json::value next = nullptr;
    if (page->more && !page->calls.empty()) next = json::string(make_cursor(page->calls.back()));
    return json_response(200, json::object{{"calls", std::move(list)}, {"next", next}});
  }

  if (parts.size() < 3 || parts.size() > 4) return error_response(ErrorCode::kNotFound);
  const std::string call_id(parts[2]);
  // CONTRACT 1 and 2: ids are 1 to 128 of [A-Za-z0-9._:@-]; anything else is a bad request.
  if (!auth::is_valid_id(call_id)) {
    return error_response(ErrorCode::kInvalidRequest, "That is not a valid call id.");
  }
  ctx.call_id = call_id;

  if (parts.size() == 3) {
    ctx.route = "/v1/calls/{id}";
    if (req.method != "GET") return error_response(ErrorCode::kNotFound);
    auto c = calls_.get_call(user, call_id);
    if (!c) return error_response(c.error());
    return json_response(200, calls_.render(*c));
  }

  const std::string_view action = parts[3];
  constexpr std::string_view kActions[] = {"accept", "decline", "cancel",  "connected",
                                           "end",    "quality", "feedback"};
  // Only known actions name a route: the metrics label must stay bounded.
  if (std::find(std::begin(kActions), std::end(kActions), action) == std::end(kActions)) {
    return error_response(ErrorCode::kNotFound);
  }
  ctx.route = "/v1/calls/{id}/" + std::string(action);
  if (req.method != "POST") return error_response(ErrorCode::kNotFound);
  auto body = parse_object(req.body);
  if (!body) return error_response(ErrorCode::kInvalidRequest, "The body must be a JSON object.");

  call::Result<call::Call> result = make_error(ErrorCode::kNotFound);
  if (action == "accept") {
    result = calls_.accept(user, call_id);
  } else if (action == "decline") {
    result = calls_.decline(user, call_id);
  } else if (action == "cancel") {
    result = calls_.cancel(user, call_id);
  } else if (action == "connected") {
    bool bad = false;
    auto candidate = opt_string(*body, "candidate_type", bad);
    if (bad || (candidate && !is_candidate_type(*candidate))) {
      return error_response(ErrorCode::kInvalidRequest,
                            "candidate_type must be host, srflx, prflx or relay.");
    }
    result = calls_.connected(user, call_id, candidate);
  } else if (action == "quality") {
    auto sample = parse_quality(*body);
    if (!sample) {
      return error_response(ErrorCode::kInvalidRequest,
                            "A quality sample takes non-negative numbers and a known "
                            "candidate_type.");
    }
    auto added = calls_.add_quality(user, call_id, *sample);
    if (!added) return error_response(added.error());
    return json_response(202, json::object{{"accepted", true}});
  } else if (action == "feedback") {
    auto feedback = parse_feedback(*body);
    if (!feedback) {
      return error_response(ErrorCode::kInvalidRequest,
                            "Feedback takes a score from 1 to 5, optional issues (short words) "
                            "and an optional comment of up to 1000 characters.");
    }
    auto given = calls_.give_feedback(user, call_id, *feedback);
    if (!given) return error_response(given.error());
    json::array issues(feedback->issues.begin(), feedback->issues.end());
    return json_response(200, json::object{{"call_id", call_id},
                                           {"score", feedback->score},
                                           {"issues", std::move(issues)},
                                           {"comment", feedback->comment}});
  } else if (action == "end") {
    bool bad = false;
    auto reason = opt_string(*body, "reason", bad);
    if (bad ||
        (reason && (reason->empty() || reason->size() > 64 || !auth::is_valid_id(*reason)))) {
      return error_response(ErrorCode::kInvalidRequest, "reason must be a short word.");
    }
    result = calls_.end(user, call_id, reason);
  }
  if (!result) return error_response(result.error());
  return json_response(200, calls_.render(*result));
}

}  // namespace sb::rest
