#include "rest/call_bodies.hpp"

#include <boost/json/serialize.hpp>

#include "auth/principal.hpp"
#include "rest/json_io.hpp"

namespace sb::rest {
namespace {

namespace json = boost::json;
using call::ErrorCode;
using call::make_error;

constexpr std::size_t kMaxMetadataBytes = 4096;  // docs/api.md#limits
constexpr std::size_t kMaxIdempotencyKey = 255;

call::Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidRequest, std::move(message));
}

std::optional<call::Error> read_media(const json::object& body, call::Media& media) {
  auto it = body.find("media");
  if (it == body.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_object()) return invalid("media must be an object.");
  for (const auto& [key, value] : it->value().as_object()) {
    if ((key != "audio" && key != "video") || !value.is_bool()) {
      return invalid("media takes audio and video as true or false.");
    }
    (key == "audio" ? media.audio : media.video) = value.as_bool();
  }
  return std::nullopt;
}

std::optional<call::Error> read_metadata(const json::object& body,
                                         std::map<std::string, std::string>& metadata) {
  auto it = body.find("metadata");
  if (it == body.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_object()) return invalid("metadata must be an object.");
  for (const auto& [key, value] : it->value().as_object()) {
    if (!value.is_string()) return invalid("metadata values must be strings.");
    metadata.emplace(std::string(key), std::string(value.as_string()));
  }
  if (json::serialize(it->value()).size() > kMaxMetadataBytes) {
    return invalid("metadata is over 4 KiB.");
  }
  return std::nullopt;
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

}  // namespace

call::Result<service::CreateCallRequest> read_create(const json::object& body,
                                                     std::string_view idempotency_key) {
  service::CreateCallRequest create;
  if (auto error = read_media(body, create.media)) return *error;
  bool bad = false;
  create.staff_id = opt_string(body, "staff_id", bad);
  if (bad || (create.staff_id && !auth::is_valid_id(*create.staff_id))) {
    return invalid("staff_id is not a valid id.");
  }
  create.topic = opt_string(body, "topic", bad);
  if (bad || (create.topic && !auth::is_valid_id(*create.topic))) {
    return invalid("topic is not a valid id.");
  }
  if (auto error = read_metadata(body, create.metadata)) return *error;
  if (!idempotency_key.empty()) {
    if (idempotency_key.size() > kMaxIdempotencyKey) {
      return invalid("Idempotency-Key is too long.");
    }
    create.idempotency_key = std::string(idempotency_key);
  }
  return create;
}

call::Result<storage::CallQuery> read_list_query(std::string_view query_text) {
  storage::CallQuery query;
  bool present = false;
  auto state = query_param(query_text, "state", present);
  if (present && !state.empty()) {
    query.state = call::parse_call_state(state);
    if (!query.state) return invalid("Unknown state.");
  }
  auto limit = query_param(query_text, "limit", present);
  if (present) {
    int n = 0;
    bool ok = !limit.empty() && limit.size() <= 3;
    for (char c : limit) ok = ok && c >= '0' && c <= '9';
    if (ok) n = std::stoi(limit);
    if (!ok || n < 1 || n > 100) return invalid("limit must be 1 to 100.");
    query.limit = n;
  }
  auto before = query_param(query_text, "before", present);
  if (present && !before.empty()) {
    query.before = parse_cursor(before);
    if (!query.before) return invalid("Bad cursor.");
  }
  return query;
}

std::optional<storage::QualitySample> read_quality(const json::object& o) {
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

std::optional<storage::Feedback> read_feedback(const json::object& o) {
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

std::string make_cursor(const call::Call& last) {
  return std::to_string(last.created_at_ms) + "." + last.id;
}

bool is_candidate_type(std::string_view s) {
  return s == "host" || s == "srflx" || s == "prflx" || s == "relay";
}

}  // namespace sb::rest
