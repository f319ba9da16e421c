#include "app/config.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string_view>

#include "auth/dev_token.hpp"
#include "util/build_info.hpp"
#include "util/duration.hpp"
#include "util/endpoints.hpp"
#include "util/origins.hpp"

namespace sb::app {
namespace {

using std::chrono::milliseconds;
using Problem = std::optional<std::string>;  // What is wrong with a value, without the flag name.
using Setter = std::function<Problem(Config&, std::string_view)>;

// A PEM public key is well under 1 KiB, an ICE profiles file a few; anything far larger is the
// wrong file.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;
constexpr std::size_t kMinHs256SecretBytes = 32;  // RFC 7518 section 3.2: at least 256 bits.
constexpr int kMaxMaxMissed = 1000;
constexpr int kMaxMaxQueue = 100000;
constexpr double kMaxRatePerSecond = 1e6;
// Far beyond what one process can hold open (each connection is a file descriptor).
constexpr int kMaxMaxConnections = 10'000'000;
constexpr std::size_t kMaxQuotedChars = 60;

struct Flag {
  std::string_view name;
  std::string_view value_hint;  // Empty for the boolean --dev.
  std::string_view help;
  Setter set;
  bool hidden = false;
};

// Values are echoed in errors so the operator sees the typo, but never for flags that may
// carry credentials (secrets, database and webhook URLs).
std::string shown(std::string_view value) {
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : value) {
    if (++n > kMaxQuotedChars) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Problem duration_into(milliseconds& out, std::string_view value, bool allow_zero) {
  const auto d = parse_duration(value);
  if (!d) return shown(value) + " is not a duration (use ms, s, m or h, e.g. 45s)";
  if (!allow_zero && d->count() == 0) return std::string("must be more than 0s");
  out = *d;
  return std::nullopt;
}

Setter duration(milliseconds Config::*member, bool allow_zero) {
  return [member, allow_zero](Config& c, std::string_view v) {
    return duration_into(c.*member, v, allow_zero);
  };
}

Setter text(std::optional<std::string> Config::*member) {
  return [member](Config& c, std::string_view v) -> Problem {
    c.*member = std::string(v);
    return std::nullopt;
  };
}

std::optional<double> parse_positive_number(std::string_view s) {
  // Digits with an optional fraction; no sign, exponent, inf or nan.
  if (s.empty() || s.front() == '.' || s.back() == '.') return std::nullopt;
  if (std::count(s.begin(), s.end(), '.') > 1) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

Setter rate(Rate Config::*member) {
  return [member](Config& c, std::string_view v) -> Problem {
    const std::string problem = shown(v) + " is not a rate (use e.g. 20/s or 600/m)";
    const auto slash = v.find('/');
    if (slash == std::string_view::npos) return problem;
    const auto unit = v.substr(slash + 1);
    const auto amount = parse_positive_number(v.substr(0, slash));
    if (!amount || (unit != "s" && unit != "m")) return problem;
    const double per_second = unit == "s" ? *amount : *amount / 60.0;
    if (per_second <= 0) return shown(v) + " must be more than 0";
    if (per_second > kMaxRatePerSecond) return shown(v) + " is too high";
    c.*member = Rate{per_second, std::max(1.0, 2 * per_second)};
    return std::nullopt;
  };
}

Problem set_listen(Config& c, std::string_view v) {
  const auto hp = parse_host_port(v);
  if (!hp) return shown(v) + " is not host:port (e.g. 127.0.0.1:8080 or [::1]:8080)";
  c.listen_host = hp->host;
  c.listen_port = hp->port;
  return std::nullopt;
}

Problem set_db(Config& c, std::string_view v) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (v.starts_with(kSqlite)) {
    auto path = v.substr(kSqlite.size());
    if (path.starts_with("//")) path.remove_prefix(2);  // Also accept sqlite:///abs/path.
    if (path.empty()) return std::string("sqlite: needs a file path (e.g. sqlite:./data/sb.db)");
    c.db_kind = DbKind::kSqlite;
    c.sqlite_path = std::string(path);
  } else if (v.starts_with("postgres://") || v.starts_with("postgresql://")) {
    c.db_kind = DbKind::kPostgres;
    c.sqlite_path.clear();
  } else {
    return std::string("must start with sqlite: or postgres:// (or postgresql://)");
  }
  c.db = std::string(v);
  return std::nullopt;
}

Problem set_redis(Config& c, std::string_view v) {
  if (!parse_redis_url(v)) return std::string("must be redis://[[user]:password@]host:port[/db]");
  c.redis = std::string(v);
  return std::nullopt;
}

Setter whole_number(int Config::*member, int min, int max) {
  return [member, min, max](Config& c, std::string_view v) -> Problem {
    int value = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || value < min ||
        value > max) {
      return shown(v) + " must be a whole number from " + std::to_string(min) + " to " +
             std::to_string(max);
    }
    c.*member = value;
    return std::nullopt;
  };
}

Problem set_routing(Config& c, std::string_view v) {
  if (v == "ring-all") {
    c.routing = Routing::kRingAll;
  } else if (v == "longest-idle") {
    c.routing = Routing::kLongestIdle;
  } else {
    return shown(v) + " is not ring-all or longest-idle";
  }
  return std::nullopt;
}

Setter url_list(std::vector<std::string> Config::*member, std::string_view scheme) {
  return [member, scheme](Config& c, std::string_view v) -> Problem {
    std::vector<std::string> urls;
    std::size_t start = 0;
    while (start <= v.size()) {
      auto end = v.find(',', start);
      if (end == std::string_view::npos) end = v.size();
      auto item = v.substr(start, end - start);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) {
        const std::string secure = std::string(scheme.substr(0, scheme.size() - 1)) + "s:";
        const std::size_t prefix = item.starts_with(scheme)   ? scheme.size()
                                   : item.starts_with(secure) ? secure.size()
                                                              : 0;
        if (prefix == 0 || item.size() == prefix) {
          return shown(item) + " is not a " + std::string(scheme) + " or " + secure + " URL";
        }
        urls.emplace_back(item);
      }
      start = end + 1;
    }
    c.*member = std::move(urls);
    return std::nullopt;
  };
}

Problem set_web_root(Config& c, std::string_view v) {
  c.web_root = std::string(v);
  return std::nullopt;
}

Problem set_dev(Config& c, std::string_view v) {
  if (v == "true" || v == "1") {
    c.dev = true;
  } else if (v == "false" || v == "0") {
    c.dev = false;
  } else {
    return shown(v) + " is not true or false";
  }
  return std::nullopt;
}

Problem set_webhook_url(Config& c, std::string_view v) {
  if (!v.starts_with("http://") && !v.starts_with("https://")) {
    return std::string("must be an http:// or https:// URL");
  }
  c.webhook_url = std::string(v);
  return std::nullopt;
}

Problem set_log_format(Config& c, std::string_view v) {
  const auto f = obs::parse_log_format(v);
  if (!f) return shown(v) + " is not json or text";
  c.log_format = *f;
  return std::nullopt;
}

// One table drives parsing, the environment twins and --help, so they cannot drift apart.
const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {"listen", "<host:port>", "Address to serve HTTP and WebSocket on (default 127.0.0.1:8080).",
       set_listen},
      {"db", "<url>", "sqlite:<path> or postgres://... (default sqlite:./data/switchboard.db).",
       set_db},
      {"redis", "<redis://[[user]:password@]host:port[/db]>",
       "Redis for running several nodes (default: none, one node).", set_redis},
      {"redis-connect-timeout", "<duration>",
       "How long connecting to Redis may take before the attempt counts as failed (default 1s).",
       duration(&Config::redis_connect_timeout, false)},
      {"redis-command-timeout", "<duration>",
       "How long a Redis reply may take before the connection counts as dead (default 1s).",
       duration(&Config::redis_command_timeout, false)},
      {"redis-ping-interval", "<duration>",
       "How often an idle Redis connection is pinged, and how long a read of the stream waits "
       "for entries (default 1s).",
       duration(&Config::redis_ping_interval, false)},
      {"redis-reconnect-min", "<duration>",
       "First wait before reconnecting to Redis; it doubles after each failed attempt (default "
       "100ms).",
       duration(&Config::redis_reconnect_min, false)},
      {"redis-reconnect-max", "<duration>",
       "Longest wait between two attempts to reconnect to Redis (default 2s).",
       duration(&Config::redis_reconnect_max, false)},
      {"jwt-secret", "<secret>", "HS256 shared secret of the integrating app.",
       text(&Config::jwt_secret)},
      {"jwt-public-key", "<file>", "PEM public key (RS256 or ES256) of the integrating app.",
       text(&Config::jwt_public_key_path)},
      {"jwt-jwks-url", "<url>",
       "The identity provider's JWKS (http:// or https://); tokens are verified with the key "
       "their kid names (default: none).",
       [](Config& c, std::string_view v) -> Problem {
         if (!v.starts_with("http://") && !v.starts_with("https://")) {
           return std::string("must be an http:// or https:// URL");
         }
         c.jwt_jwks_url = std::string(v);
         return std::nullopt;
       }},
      {"jwt-algorithm", "<RS256|ES256>",
       "Algorithm of --jwt-public-key (default: from the key type) or of the --jwt-jwks-url "
       "keys (default RS256).",
       [](Config& c, std::string_view v) -> Problem {
         if (!auth::parse_jwt_algorithm(v)) return shown(v) + " is not HS256, RS256 or ES256";
         c.jwt_algorithm = std::string(v);
         return std::nullopt;
       }},
      {"jwt-issuer", "<iss>", "Required iss claim (default: not checked).",
       text(&Config::jwt_issuer)},
      {"jwt-audience", "<aud>", "Required aud claim (default: not checked).",
       text(&Config::jwt_audience)},
      {"ring-timeout", "<duration>", "How long a call rings before it is missed (default 45s).",
       duration(&Config::ring_timeout, false)},
      {"ring-step", "<duration>",
       "How long each staff member rings with longest-idle (default 15s).",
       duration(&Config::ring_step, false)},
      {"connect-timeout", "<duration>",
       "How long an accepted call may take to connect media (default 30s).",
       duration(&Config::connect_timeout, false)},
      {"reconnect-grace", "<duration>",
       "How long a participant of a live call may be disconnected (default 30s).",
       duration(&Config::reconnect_grace, true)},
      {"presence-grace", "<duration>",
       "How long staff stay ringable after their WebSocket closes (default 10s).",
       duration(&Config::presence_grace, true)},
      {"wrap-up", "<duration>", "Pause after a call before staff are rung again (default 0s).",
       duration(&Config::wrap_up, true)},
      {"node-timeout", "<duration>",
       "With --redis: how long a node may go unheard before the others take its connections as "
       "closed (default 10s).",
       duration(&Config::node_timeout, false)},
      {"admission-lag", "<duration>",
       "Refuse new calls with 503 while the server runs this late, or while its io thread is "
       "full (busy 90% of the time, running half of it); 0ms turns both off (default 100ms).",
       duration(&Config::admission_lag, true)},
      {"board-interval", "<duration>",
       "How often, at most, an org's staff board sends its changes (default 500ms).",
       duration(&Config::board_interval, false)},
      {"queue-timeout", "<duration>",
       "How long a call may wait in the queue before it is missed (default 5m).",
       duration(&Config::queue_timeout, false)},
      {"max-queue", "<n>",
       "Calls that may wait in an org's queue; 0 turns the queue off (default 100).",
       whole_number(&Config::max_queue, 0, kMaxMaxQueue)},
      {"max-missed", "<n>", "Missed rings before a staff member is set away (default 3).",
       whole_number(&Config::max_missed, 1, kMaxMaxMissed)},
      {"routing", "<ring-all|longest-idle>", "Who is rung for a new call (default ring-all).",
       set_routing},
      {"stun-urls", "<url,...>", "STUN servers for browsers (default: none).",
       url_list(&Config::stun_urls, "stun:")},
      {"turn-urls", "<url,...>", "TURN servers for browsers (default: none).",
       url_list(&Config::turn_urls, "turn:")},
      {"turn-secret", "<secret>", "Shared secret for TURN REST credentials (default: none).",
       text(&Config::turn_secret)},
      {"turn-ttl", "<duration>", "Lifetime of TURN credentials (default 1h).",
       duration(&Config::turn_ttl, false)},
      {"ice-profiles", "<file>",
       "JSON list of weighted ICE server profiles to compare, one drawn per call (default: "
       "one profile, default, of --stun-urls and --turn-urls).",
       text(&Config::ice_profiles_path)},
      {"web-root", "<dir>", "The built front end to serve (default web/dist).", set_web_root},
      {"dev", "", "Development mode: dev sign-in and a built-in JWT secret (default off).",
       set_dev},
      {"webhook-url", "<url>", "Where call events are POSTed (default: none).", set_webhook_url},
      {"webhook-secret", "<secret>", "Secret that signs webhook deliveries (default: none).",
       text(&Config::webhook_secret)},
      {"rate-user", "<n/s|n/m>", "Requests per user, bursts of twice that (default 20/s).",
       rate(&Config::rate_user)},
      {"rate-ip", "<n/s|n/m>", "Requests per IP address, bursts of twice that (default 200/s).",
       rate(&Config::rate_ip)},
      {"ws-rate", "<n/s|n/m>",
       "WebSocket messages per connection, bursts of twice that (default 50/s).",
       rate(&Config::ws_rate)},
      {"max-connections", "<n>",
       "Open connections (HTTP and WebSocket) in total; more are answered 503 (default 0: 90% "
       "of the open-files limit).",
       whole_number(&Config::max_connections, 0, kMaxMaxConnections)},
      {"max-connections-per-ip", "<n>",
       "Open connections from one IP address; more are answered 503 (default 0: no cap; behind "
       "a proxy not in --trusted-proxies every client has the proxy's address).",
       whole_number(&Config::max_connections_per_ip, 0, kMaxMaxConnections)},
      {"cors-origins", "<origin,...>",
       "Browser origins allowed to call /v1, e.g. https://app.example.com (default: none).",
       [](Config& c, std::string_view v) -> Problem {
         std::string problem;
         auto origins = parse_origin_list(v, &problem);
         if (!origins) return problem;
         c.cors_origins = std::move(*origins);
         return std::nullopt;
       }},
      {"trusted-proxies", "<cidr,...>",
       "Proxies whose X-Forwarded-For is believed; the client is the rightmost address not in "
       "them (default: none).",
       [](Config& c, std::string_view v) -> Problem {
         std::string problem;
         auto proxies = TrustedProxies::parse(v, &problem);
         if (!proxies) return problem;
         c.trusted_proxies = std::move(*proxies);
         return std::nullopt;
       }},
      {"log-format", "<json|text>", "Log line format (default json).", set_log_format},
      {"ws-ping-interval", "<duration>", "", duration(&Config::ws_ping_interval, false), true},
      {"sweep-interval", "<duration>", "", duration(&Config::sweep_interval, false), true},
      {"due-check-interval", "<duration>", "", duration(&Config::due_check_interval, false), true},
      {"jwt-jwks-refresh-gap", "<duration>", "", duration(&Config::jwt_jwks_refresh_gap, false),
       true},
  };
  return table;
}

const Flag* find_flag(std::string_view name) {
  for (const Flag& f : flags()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

struct Value {
  std::string text;
  bool from_env = false;
};
using Values = std::map<std::string_view, Value>;

// "--ring-timeout", or "--ring-timeout (SWITCHBOARD_RING_TIMEOUT)" when the value came from there.
std::string label(std::string_view flag, const Values& values) {
  std::string out = "--" + std::string(flag);
  if (auto it = values.find(flag); it != values.end() && it->second.from_env) {
    out += " (" + env_name(flag) + ")";
  }
  return out;
}

// `what` names the file's purpose in the too-large message ("a public key").
Problem read_text_file(const std::string& path, std::string& out, std::string_view what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return "cannot read " + shown(path) + ": no such file";
  if (!fs::is_regular_file(status)) return "cannot read " + shown(path) + ": not a file";
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxKeyFileBytes)
    return shown(path) + " is too large to be " + std::string(what);
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return "cannot read " + shown(path) + ": permission denied";
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return "cannot read " + shown(path);
  out = std::move(content);
  return std::nullopt;
}

std::string_view key_type_name(auth::JwtAlgorithm a) {
  return a == auth::JwtAlgorithm::kRs256 ? "an RSA" : "an EC P-256";
}

// Resolves the JWT flags into c.jwt, and proves the result by building a verifier from it.
Problem resolve_jwt(Config& c, const Values& values) {
  // Spelled out rather than a conditional expression: GCC 12 at -O2 misreads the latter as a
  // maybe-uninitialized optional.
  std::optional<auth::JwtAlgorithm> wanted;
  if (c.jwt_algorithm) wanted = auth::parse_jwt_algorithm(*c.jwt_algorithm);
  if (c.jwt_secret && c.jwt_public_key_path) {
    return std::string("--jwt-secret and --jwt-public-key: give one, not both");
  }
  auth::JwtConfig jwt;
  jwt.issuer = c.jwt_issuer;
  jwt.audience = c.jwt_audience;
  if (c.jwt_jwks_url) {
    const std::string url_label = label("jwt-jwks-url", values);
    if (c.jwt_secret || c.jwt_public_key_path) {
      return url_label + ": give one of --jwt-secret, --jwt-public-key and --jwt-jwks-url";
    }
    if (c.dev) return url_label + ": --dev signs its tokens with HS256 and cannot be combined";
    if (wanted == auth::JwtAlgorithm::kHs256) {
      return label("jwt-algorithm", values) + ": HS256 takes --jwt-secret, not --jwt-jwks-url";
    }
    jwt.algorithm = wanted.value_or(auth::JwtAlgorithm::kRs256);
    jwt.keys_from_jwks = true;
    c.jwt = std::move(jwt);
    return std::nullopt;
  }
  if (c.jwt_public_key_path && c.dev) {
    // Dev sign-in mints HS256 tokens; with only a public key the server could not sign them.
    return label("jwt-public-key", values) +
           ": --dev signs its tokens with HS256 and cannot be combined with a public key";
  }
  if (c.jwt_public_key_path) {
    const std::string key_label = label("jwt-public-key", values);
    const std::string& path = *c.jwt_public_key_path;
    std::string pem;
    if (auto problem = read_text_file(path, pem, "a public key"))
      return key_label + ": " + *problem;
    const auto detected = auth::detect_public_key_algorithm(pem);
    if (!detected) {
      return key_label + ": " + shown(path) +
             " is not a PEM public key (RSA of 2048 bits or more, or EC P-256)";
    }
    if (wanted == auth::JwtAlgorithm::kHs256) {
      return label("jwt-algorithm", values) + ": HS256 takes --jwt-secret, not --jwt-public-key";
    }
    if (wanted && *wanted != *detected) {
      return label("jwt-algorithm", values) + ": " + std::string(auth::to_string(*wanted)) +
             " does not match " + std::string(key_type_name(*detected)) + " key in " + shown(path);
    }
    jwt.algorithm = *detected;
    jwt.key = std::move(pem);
  } else {
    if (wanted && *wanted != auth::JwtAlgorithm::kHs256) {
      return label("jwt-algorithm", values) + ": " + std::string(auth::to_string(*wanted)) +
             " needs --jwt-public-key or --jwt-jwks-url";
    }
    jwt.algorithm = auth::JwtAlgorithm::kHs256;
    if (c.jwt_secret) {
      if (c.jwt_secret->find("-----BEGIN") != std::string::npos) {
        return label("jwt-secret", values) +
               ": is a PEM key; pass its file to --jwt-public-key instead";
      }
      jwt.key = *c.jwt_secret;
      if (jwt.key.size() < kMinHs256SecretBytes) {
        c.warnings.emplace_back(
            "--jwt-secret is shorter than 32 bytes; RFC 7518 asks for at least 256 random bits");
      }
    } else if (c.dev) {
      jwt.key = std::string(auth::kDevJwtSecret);
      c.jwt_uses_dev_secret = true;
    } else {
      return std::string(
          "--jwt-secret, --jwt-public-key or --jwt-jwks-url is required (or --dev for local "
          "development)");
    }
  }
  if (auto verifier = auth::JwtVerifier::create(jwt); !verifier) {
    return label(c.jwt_public_key_path ? "jwt-public-key" : "jwt-secret", values) + ": " +
           verifier.error().message();
  }
  c.jwt = std::move(jwt);
  return std::nullopt;
}

// Reads the --ice-profiles file into c.ice_profiles (docs/config.md#ice-server-profiles).
Problem read_ice_profiles(Config& c, const Values& values) {
  if (!c.ice_profiles_path) return std::nullopt;
  const std::string flag = label("ice-profiles", values);
  const std::string& path = *c.ice_profiles_path;
  if (!c.stun_urls.empty() || !c.turn_urls.empty()) {
    return flag + ": the profiles name the ICE servers; drop --stun-urls and --turn-urls";
  }
  std::string text;
  if (auto problem = read_text_file(path, text, "an ICE profiles file")) {
    return flag + ": " + *problem;
  }
  auto parsed = parse_ice_profiles(text);
  if (auto* error = std::get_if<IceProfilesError>(&parsed)) {
    return flag + ": " + shown(path) + ": " + error->message;
  }
  c.ice_profiles = std::move(std::get<std::vector<IceProfile>>(parsed));
  for (const auto& p : c.ice_profiles) {
    if (!p.turn_urls.empty() && !c.turn_secret) {
      return flag + ": profile \"" + p.name +
             "\" has TURN URLs and needs --turn-secret (browsers need credentials for TURN)";
    }
  }
  return std::nullopt;
}

Problem check_combinations(Config& c, const Values& values) {
  if (!c.turn_urls.empty() && !c.turn_secret) {
    return label("turn-urls", values) +
           ": needs --turn-secret (browsers need credentials for TURN, minted from it)";
  }
  if (c.redis_reconnect_max < c.redis_reconnect_min) {
    return label("redis-reconnect-max", values) + ": must be at least --redis-reconnect-min";
  }
  if (c.webhook_url && !c.webhook_secret) {
    return label("webhook-url", values) + ": needs --webhook-secret (every delivery is signed)";
  }
  if (c.dev) {
    c.warnings.emplace_back(
        "--dev is on: anyone can sign in as anyone; never use it in production");
  }
  return std::nullopt;
}

// "--name...": the next flag, not a value. "-----BEGIN ..." or "-5s" are values.
bool looks_like_flag(std::string_view arg) {
  return arg.size() > 2 && arg.starts_with("--") &&
         ((arg[2] >= 'a' && arg[2] <= 'z') || (arg[2] >= 'A' && arg[2] <= 'Z'));
}

ConfigResult parse(int argc, const char* const* argv,
                   const std::map<std::string, std::string>& env) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i] != nullptr ? argv[i] : "";
    if (arg == "--help" || arg == "-h") return PrintAndExit{usage()};
    if (arg == "--version") return PrintAndExit{version_line()};
  }

  Values values;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i] != nullptr ? argv[i] : "";
    if (!arg.starts_with("--")) {
      return ConfigError{"unexpected argument " + shown(arg) +
                         " (flags start with --; see --help)"};
    }
    const auto body = arg.substr(2);
    const auto eq = body.find('=');
    const auto name = body.substr(0, eq);
    const Flag* flag = find_flag(name);
    if (flag == nullptr)
      return ConfigError{"unknown flag " + shown("--" + std::string(name)) + " (see --help)"};
    const std::string label_text = "--" + std::string(flag->name);
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(body.substr(eq + 1));
    } else if (flag->value_hint.empty()) {
      value = "true";
    } else if (i + 1 < argc && argv[i + 1] != nullptr && !looks_like_flag(argv[i + 1])) {
      value = argv[++i];
    } else {
      return ConfigError{label_text + ": needs a value"};
    }
    if (value.empty()) return ConfigError{label_text + ": needs a value"};
    values[flag->name] = Value{std::move(value), false};
  }
  for (const Flag& flag : flags()) {
    if (values.contains(flag.name)) continue;
    if (auto it = env.find(env_name(flag.name)); it != env.end() && !it->second.empty()) {
      values[flag.name] = Value{it->second, true};
    }
  }

  Config c;
  for (const Flag& flag : flags()) {
    const auto it = values.find(flag.name);
    if (it == values.end()) continue;
    if (auto problem = flag.set(c, it->second.text)) {
      return ConfigError{label(flag.name, values) + ": " + *problem};
    }
  }
  if (auto problem = resolve_jwt(c, values)) return ConfigError{*problem};
  if (auto problem = check_combinations(c, values)) return ConfigError{*problem};
  if (auto problem = read_ice_profiles(c, values)) return ConfigError{*problem};
  return c;
}

}  // namespace

std::string env_name(std::string_view flag) {
  std::string out = "SWITCHBOARD_";
  for (char c : flag) {
    out += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

ConfigResult parse_config(int argc, const char* const* argv,
                          const std::map<std::string, std::string>& env) {
  try {
    return parse(argc, argv, env);
  } catch (const std::exception& e) {
    // Only allocation can fail here; still report it as the one start-up line.
    return ConfigError{std::string("configuration: ") + e.what()};
  }
}

std::string usage() {
  std::string out =
      "Usage: switchboard [flags]\n"
      "\n"
      "Client-to-staff video calling server.\n"
      "\n"
      "Every flag can also be set by its environment twin: --ring-timeout is\n"
      "SWITCHBOARD_RING_TIMEOUT. A flag on the command line wins over the environment.\n"
      "Write flags as --flag value or --flag=value.\n"
      "\n"
      "Flags:\n";
  for (const Flag& flag : flags()) {
    if (flag.hidden) continue;
    out += "  --" + std::string(flag.name);
    if (!flag.value_hint.empty()) out += " " + std::string(flag.value_hint);
    out += "\n      " + std::string(flag.help) + "\n";
  }
  out +=
      "  --help\n"
      "      Print this text.\n"
      "  --version\n"
      "      Print the version and the commit it was built from.\n"
      "\n"
      "Durations take ms, s, m or h (250ms, 45s, 1m30s, 1h). Rates are n/s or n/m.\n"
      "Without --dev, --jwt-secret, --jwt-public-key or --jwt-jwks-url is required.\n";
  return out;
}

std::string version_line() {
  return "switchboard " + std::string(build_version()) + " (" + std::string(build_commit()) + ")\n";
}

}  // namespace sb::app
