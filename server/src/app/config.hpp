#pragma once
// Start-up configuration (docs/config.md): flags with SWITCHBOARD_* environment twins,
// parsed and validated once into one plain struct that is passed down. Nothing reads it globally.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/jwt_verifier.hpp"
#include "obs/log.hpp"
#include "util/ice_profiles.hpp"
#include "util/trusted_proxies.hpp"

namespace sb::app {

enum class DbKind { kSqlite, kPostgres };
enum class Routing { kRingAll, kLongestIdle };

/// A token bucket: refills `per_second`, holds at most `burst` tokens. `--rate-user 20/s` gives
/// burst 40; `600/m` is 10 per second with burst 20 (twice the per-second rate, at least 1).
struct Rate {
  double per_second = 0;
  double burst = 0;
};

struct Config {
  // --listen
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0: any free port (tests).

  // --db, as given, and what it names.
  std::string db = "sqlite:./data/switchboard.db";
  DbKind db_kind = DbKind::kSqlite;
  std::string sqlite_path = "./data/switchboard.db";  // Empty for Postgres.

  // --redis: none for a single node.
  std::optional<std::string> redis;
  // How long the bus waits to connect to Redis and for each reply, how often it pings an idle
  // connection (also how long a stream read blocks), and how its reconnects back off (doubling
  // from min to max). Together they set how soon a dead Redis shows in /readyz (docs/faults.md).
  std::chrono::milliseconds redis_connect_timeout = std::chrono::seconds{1};
  std::chrono::milliseconds redis_command_timeout = std::chrono::seconds{1};
  std::chrono::milliseconds redis_ping_interval = std::chrono::seconds{1};
  std::chrono::milliseconds redis_reconnect_min = std::chrono::milliseconds{100};
  std::chrono::milliseconds redis_reconnect_max = std::chrono::seconds{2};

  // The JWT flags as given...
  std::optional<std::string> jwt_secret;
  std::optional<std::string> jwt_public_key_path;  // --jwt-public-key, a file.
  std::optional<std::string> jwt_algorithm;        // --jwt-algorithm.
  std::optional<std::string> jwt_issuer;
  std::optional<std::string> jwt_audience;
  std::optional<std::string> jwt_jwks_url;  // --jwt-jwks-url: keys by kid from the provider.
  // ...and what they resolve to: the algorithm, the secret or PEM text, issuer and audience.
  auth::JwtConfig jwt;
  bool jwt_uses_dev_secret = false;  // --dev without a secret: auth::kDevJwtSecret.

  // The call's timers.
  std::chrono::milliseconds ring_timeout = std::chrono::seconds{45};
  std::chrono::milliseconds ring_step = std::chrono::seconds{15};
  std::chrono::milliseconds connect_timeout = std::chrono::seconds{30};
  std::chrono::milliseconds reconnect_grace = std::chrono::seconds{30};
  std::chrono::milliseconds presence_grace = std::chrono::seconds{10};
  std::chrono::milliseconds wrap_up = std::chrono::seconds{0};
  /// With several nodes: how long a node may go unheard before the others take its connections
  /// as closed (docs/decisions/0011-dead-node-presence.md).
  std::chrono::milliseconds node_timeout = std::chrono::seconds{10};
  int max_missed = 3;
  /// docs/queue.md: how long a call may wait in the queue, and how many calls may wait per
  /// org (0: no queue).
  std::chrono::milliseconds queue_timeout = std::chrono::minutes{5};
  int max_queue = 100;
  /// New calls are refused (503, Retry-After) while the io thread runs later than this;
  /// zero turns admission control off (docs/api.md#failures).
  std::chrono::milliseconds admission_lag = std::chrono::milliseconds{100};
  /// How often, at most, an org's staff board sends its changes (docs/asyncapi.yaml).
  std::chrono::milliseconds board_interval = std::chrono::milliseconds{500};
  Routing routing = Routing::kRingAll;

  // ICE servers handed to browsers.
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
  std::optional<std::string> turn_secret;
  std::chrono::milliseconds turn_ttl = std::chrono::hours{1};
  /// --ice-profiles, the file as given, and the profiles read from it
  /// (docs/config.md#ice-server-profiles). None: one profile, `default`, of --stun-urls and
  /// --turn-urls.
  std::optional<std::string> ice_profiles_path;
  std::vector<IceProfile> ice_profiles;

  std::string web_root = "web/dist";
  bool dev = false;

  std::optional<std::string> webhook_url;
  std::optional<std::string> webhook_secret;

  Rate rate_user{20, 40};
  Rate rate_ip{200, 400};
  Rate ws_rate{50, 100};

  /// Open connections in total and per IP address; beyond either, 503 (docs/openapi.yaml).
  /// 0: 90% of the process's open-files limit, so a flood is answered 503, not refused by
  /// accept() running out of descriptors.
  int max_connections = 0;
  /// 0: no cap. Behind a proxy (the usual deployment) every client has the proxy's address.
  int max_connections_per_ip = 0;
  /// Browser origins that may call /v1 (docs/decisions/0009), and the proxies whose X-Forwarded-For
  /// names the client (11.7): for rate limits, connection caps and logs.
  std::vector<std::string> cors_origins;
  TrustedProxies trusted_proxies;

  obs::LogFormat log_format = obs::LogFormat::kJson;

  // Hidden flags, for tests that cannot wait for the real cadence.
  std::chrono::milliseconds ws_ping_interval = std::chrono::seconds{15};
  std::chrono::milliseconds sweep_interval = std::chrono::seconds{5};
  /// How often every node asks the database what is due (service::CallTimers::take_over_due):
  /// a dead node's timers and those whose write failed end within about this much more than
  /// their deadline (docs/decisions/0010-timer-takeover.md).
  std::chrono::milliseconds due_check_interval = std::chrono::milliseconds{500};
  /// The least time between two key set refreshes for an unknown kid (--jwt-jwks-url).
  std::chrono::milliseconds jwt_jwks_refresh_gap = std::chrono::seconds{10};

  /// Accepted but worth a line in the start-up log (for example a short HS256 secret).
  std::vector<std::string> warnings;
};

/// One line naming the flag (and its environment twin when the value came from there).
struct ConfigError {
  std::string message;
};

/// `--help`, `-h` or `--version` was given: print `text` and exit successfully.
struct PrintAndExit {
  std::string text;
};

using ConfigResult = std::variant<Config, PrintAndExit, ConfigError>;

/// Parses `--flag value` and `--flag=value` from argv (argv[0] is the program) over the
/// SWITCHBOARD_* variables of `env`; flags win, an empty variable counts as unset. Reads the
/// `--jwt-public-key` file. Stops at the first problem.
ConfigResult parse_config(int argc, const char* const* argv,
                          const std::map<std::string, std::string>& env);

/// The `--help` text.
std::string usage();
/// The `--version` line: "switchboard <version> (<commit>)" (docs/metrics.md#process).
std::string version_line();

/// "SWITCHBOARD_RING_TIMEOUT" for "ring-timeout".
std::string env_name(std::string_view flag);

}  // namespace sb::app
