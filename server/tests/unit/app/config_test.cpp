#include "app/config.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "auth/dev_token.hpp"
#include "util/build_info.hpp"

namespace sb::app {
namespace {

using namespace std::chrono_literals;
using Env = std::map<std::string, std::string>;

ConfigResult parse(std::vector<std::string> args, const Env& env = {}) {
  args.insert(args.begin(), "switchboard");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_config(static_cast<int>(argv.size()), argv.data(), env);
}

Config parse_ok(std::vector<std::string> args, const Env& env = {}) {
  auto r = parse(std::move(args), env);
  if (auto* e = std::get_if<ConfigError>(&r)) ADD_FAILURE() << e->message;
  if (auto* c = std::get_if<Config>(&r)) return *c;
  return Config{};
}

std::string parse_error(std::vector<std::string> args, const Env& env = {}) {
  auto r = parse(std::move(args), env);
  if (auto* e = std::get_if<ConfigError>(&r)) return e->message;
  ADD_FAILURE() << "expected an error";
  return {};
}

// PEM files written to a per-test temporary directory.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("sb-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

const std::string& rsa_pem() {
  static const std::string pem = public_pem(EVP_RSA_gen(2048));
  return pem;
}
const std::string& ec_pem() {
  static const std::string pem = public_pem(EVP_EC_gen("P-256"));
  return pem;
}

// --- Defaults ---

TEST(Config, DefaultsMatchTheContract) {
  const Config c = parse_ok({"--dev"});
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.db, "sqlite:./data/switchboard.db");
  EXPECT_EQ(c.db_kind, DbKind::kSqlite);
  EXPECT_EQ(c.sqlite_path, "./data/switchboard.db");
  EXPECT_FALSE(c.redis);
  EXPECT_FALSE(c.jwt_secret);
  EXPECT_FALSE(c.jwt_public_key_path);
  EXPECT_FALSE(c.jwt_issuer);
  EXPECT_FALSE(c.jwt_audience);
  EXPECT_EQ(c.ring_timeout, 45s);
  EXPECT_EQ(c.ring_step, 15s);
  EXPECT_EQ(c.connect_timeout, 30s);
  EXPECT_EQ(c.reconnect_grace, 30s);
  EXPECT_EQ(c.presence_grace, 10s);
  EXPECT_EQ(c.wrap_up, 0s);
  EXPECT_EQ(c.max_missed, 3);
  EXPECT_EQ(c.max_connections, 0);         // from the open-files limit
  EXPECT_EQ(c.max_connections_per_ip, 0);  // no cap
  EXPECT_EQ(c.board_interval, 500ms);
  EXPECT_EQ(c.admission_lag, 100ms);
  EXPECT_EQ(c.routing, Routing::kRingAll);
  EXPECT_TRUE(c.stun_urls.empty());
  EXPECT_TRUE(c.turn_urls.empty());
  EXPECT_FALSE(c.turn_secret);
  EXPECT_EQ(c.turn_ttl, 1h);
  EXPECT_EQ(c.web_root, "web/dist");
  EXPECT_TRUE(c.dev);
  EXPECT_FALSE(c.webhook_url);
  EXPECT_FALSE(c.webhook_secret);
  EXPECT_EQ(c.rate_user.per_second, 20);
  EXPECT_EQ(c.rate_user.burst, 40);
  EXPECT_EQ(c.rate_ip.per_second, 200);
  EXPECT_EQ(c.rate_ip.burst, 400);
  EXPECT_EQ(c.ws_rate.per_second, 50);
  EXPECT_EQ(c.ws_rate.burst, 100);
  EXPECT_EQ(c.log_format, obs::LogFormat::kJson);
  EXPECT_EQ(c.ws_ping_interval, 15s);
  EXPECT_EQ(c.sweep_interval, 5s);
  EXPECT_EQ(c.due_check_interval, 500ms);
}

TEST(Config, TheStructDefaultsAreTheParsedDefaults) {
  const Config parsed = parse_ok({"--dev"});
  const Config plain;
  EXPECT_EQ(parsed.listen_port, plain.listen_port);
  EXPECT_EQ(parsed.ring_timeout, plain.ring_timeout);
  EXPECT_EQ(parsed.rate_ip.burst, plain.rate_ip.burst);
  EXPECT_EQ(parsed.web_root, plain.web_root);
}

TEST(Config, DevWithoutASecretUsesTheDevSecretAndWarns) {
  const Config c = parse_ok({"--dev"});
  EXPECT_EQ(c.jwt.algorithm, auth::JwtAlgorithm::kHs256);
  EXPECT_EQ(c.jwt.key, auth::kDevJwtSecret);
  EXPECT_TRUE(c.jwt_uses_dev_secret);
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings.back().find("--dev"), std::string::npos);
}

TEST(Config, DevWithASecretUsesThatSecret) {
  const Config c = parse_ok({"--dev", "--jwt-secret", std::string(40, 'k')});
  EXPECT_EQ(c.jwt.key, std::string(40, 'k'));
  EXPECT_FALSE(c.jwt_uses_dev_secret);
}

TEST(Config, WithoutDevAJwtKeyIsRequired) {
  EXPECT_EQ(parse_error({}),
            "--jwt-secret, --jwt-public-key or --jwt-jwks-url is required (or --dev for local "
            "development)");
  EXPECT_EQ(parse_error({"--dev=false"}),
            "--jwt-secret, --jwt-public-key or --jwt-jwks-url is required (or --dev for local "
            "development)");
}

// --- Flag syntax ---

TEST(Config, AcceptsFlagSpaceValueAndFlagEqualsValue) {
  const Config a = parse_ok({"--dev", "--ring-timeout", "20s", "--routing=longest-idle"});
  EXPECT_EQ(a.ring_timeout, 20s);
  EXPECT_EQ(a.routing, Routing::kLongestIdle);
}

TEST(Config, TheLastOfARepeatedFlagWins) {
  EXPECT_EQ(parse_ok({"--dev", "--max-missed", "2", "--max-missed=5"}).max_missed, 5);
}

TEST(Config, DevIsABoolean) {
  EXPECT_TRUE(parse_ok({"--dev"}).dev);
  EXPECT_TRUE(parse_ok({"--dev=true"}).dev);
  EXPECT_TRUE(parse_ok({"--dev=1"}).dev);
  EXPECT_FALSE(parse_ok({"--dev=false", "--jwt-secret", std::string(32, 's')}).dev);
  EXPECT_EQ(parse_error({"--dev=maybe"}), R"(--dev: "maybe" is not true or false)");
  // A bare --dev takes no value, so the next word is not swallowed.
  EXPECT_EQ(parse_error({"--dev", "false"}),
            R"(unexpected argument "false" (flags start with --; see --help))");
}

TEST(Config, RejectsUnknownFlags) {
  EXPECT_EQ(parse_error({"--dev", "--ring-timout", "5s"}),
            R"(unknown flag "--ring-timout" (see --help))");
  EXPECT_EQ(parse_error({"--dev", "--bogus=1"}), R"(unknown flag "--bogus" (see --help))");
  EXPECT_EQ(parse_error({"-x"}), R"(unexpected argument "-x" (flags start with --; see --help))");
}

TEST(Config, RejectsAMissingOrEmptyValue) {
  EXPECT_EQ(parse_error({"--dev", "--ring-timeout"}), "--ring-timeout: needs a value");
  EXPECT_EQ(parse_error({"--ring-timeout", "--dev"}), "--ring-timeout: needs a value");
  EXPECT_EQ(parse_error({"--dev", "--web-root="}), "--web-root: needs a value");
}

TEST(Config, HelpReturnsTheUsageText) {
  auto r = parse({"--ring-timeout", "bad", "--help"});
  ASSERT_TRUE(std::holds_alternative<PrintAndExit>(r));
  const auto& text = std::get<PrintAndExit>(r).text;
  EXPECT_EQ(text, usage());
  for (const char* flag : {"--listen",          "--db",
                           "--redis",           "--jwt-secret",
                           "--jwt-public-key",  "--jwt-algorithm",
                           "--jwt-issuer",      "--jwt-audience",
                           "--ring-timeout",    "--ring-step",
                           "--connect-timeout", "--reconnect-grace",
                           "--presence-grace",  "--wrap-up",
                           "--admission-lag",   "--board-interval",
                           "--max-missed",      "--routing",
                           "--stun-urls",       "--turn-urls",
                           "--turn-secret",     "--turn-ttl",
                           "--web-root",        "--dev",
                           "--webhook-url",     "--webhook-secret",
                           "--rate-user",       "--rate-ip",
                           "--ws-rate",         "--log-format",
                           "--max-connections", "--max-connections-per-ip"}) {
    const auto at = text.find("\n  " + std::string(flag));
    ASSERT_NE(at, std::string::npos) << flag;
    const char after = text[at + 3 + std::strlen(flag)];
    EXPECT_TRUE(after == ' ' || after == '\n') << flag;
  }
  EXPECT_EQ(text.find("--ws-ping-interval"), std::string::npos);
  EXPECT_EQ(text.find("--sweep-interval"), std::string::npos);
  EXPECT_EQ(text.find("--due-check-interval"), std::string::npos);
  for (const char* flag :
       {"--redis-connect-timeout", "--redis-command-timeout", "--redis-ping-interval",
        "--redis-reconnect-min", "--redis-reconnect-max"}) {
    EXPECT_NE(text.find("\n  " + std::string(flag) + " <duration>\n"), std::string::npos) << flag;
  }
  EXPECT_TRUE(std::holds_alternative<PrintAndExit>(parse({"-h"})));
}

TEST(Config, VersionPrintsTheVersionAndCommit) {
  auto r = parse({"--ring-timeout", "bad", "--version"});
  ASSERT_TRUE(std::holds_alternative<PrintAndExit>(r));
  const auto& text = std::get<PrintAndExit>(r).text;
  EXPECT_EQ(text, "switchboard " + std::string(build_version()) + " (" +
                      std::string(build_commit()) + ")\n");
  EXPECT_TRUE(text.starts_with("switchboard 1.")) << text;
  EXPECT_EQ(build_commit().empty(), false);
}

// --- Environment twins ---

TEST(Config, EnvNamesAreUpperCaseWithUnderscores) {
  EXPECT_EQ(env_name("ring-timeout"), "SWITCHBOARD_RING_TIMEOUT");
  EXPECT_EQ(env_name("jwt-public-key"), "SWITCHBOARD_JWT_PUBLIC_KEY");
  EXPECT_EQ(env_name("dev"), "SWITCHBOARD_DEV");
}

TEST(Config, ReadsEveryKindOfValueFromTheEnvironment) {
  const Config c = parse_ok({}, {{"SWITCHBOARD_DEV", "true"},
                                 {"SWITCHBOARD_LISTEN", "0.0.0.0:9000"},
                                 {"SWITCHBOARD_RING_TIMEOUT", "1m"},
                                 {"SWITCHBOARD_MAX_MISSED", "7"},
                                 {"SWITCHBOARD_ROUTING", "longest-idle"},
                                 {"SWITCHBOARD_STUN_URLS", "stun:a:3478,stun:b:3478"},
                                 {"SWITCHBOARD_RATE_USER", "5/s"},
                                 {"SWITCHBOARD_LOG_FORMAT", "text"},
                                 {"SWITCHBOARD_JWT_ISSUER", "https://idp"},
                                 {"SWITCHBOARD_WS_PING_INTERVAL", "200ms"},
                                 {"SWITCHBOARD_SWEEP_INTERVAL", "50ms"},
                                 {"SWITCHBOARD_MAX_CONNECTIONS", "500"},
                                 {"SWITCHBOARD_MAX_CONNECTIONS_PER_IP", "20"},
                                 {"UNRELATED", "x"}});
  EXPECT_TRUE(c.dev);
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.ring_timeout, 1min);
  EXPECT_EQ(c.max_missed, 7);
  EXPECT_EQ(c.max_connections, 500);
  EXPECT_EQ(c.max_connections_per_ip, 20);
  EXPECT_EQ(c.routing, Routing::kLongestIdle);
  EXPECT_EQ(c.stun_urls, (std::vector<std::string>{"stun:a:3478", "stun:b:3478"}));
  EXPECT_EQ(c.rate_user.per_second, 5);
  EXPECT_EQ(c.log_format, obs::LogFormat::kText);
  EXPECT_EQ(c.jwt_issuer, "https://idp");
  EXPECT_EQ(c.jwt.issuer, "https://idp");
  EXPECT_EQ(c.ws_ping_interval, 200ms);
  EXPECT_EQ(c.sweep_interval, 50ms);
}

TEST(Config, RedisTimeoutsAreFlagsWithEnvironmentTwins) {
  const Config defaults = parse_ok({"--dev"});
  EXPECT_EQ(defaults.redis_connect_timeout, 1s);
  EXPECT_EQ(defaults.redis_command_timeout, 1s);
  EXPECT_EQ(defaults.redis_ping_interval, 1s);
  EXPECT_EQ(defaults.redis_reconnect_min, 100ms);
  EXPECT_EQ(defaults.redis_reconnect_max, 2s);
  const Config c = parse_ok(
      {"--dev", "--redis-connect-timeout", "3s", "--redis-command-timeout", "2500ms",
       "--redis-reconnect-min=50ms"},
      {{"SWITCHBOARD_REDIS_PING_INTERVAL", "250ms"}, {"SWITCHBOARD_REDIS_RECONNECT_MAX", "10s"}});
  EXPECT_EQ(c.redis_connect_timeout, 3s);
  EXPECT_EQ(c.redis_command_timeout, 2500ms);
  EXPECT_EQ(c.redis_ping_interval, 250ms);
  EXPECT_EQ(c.redis_reconnect_min, 50ms);
  EXPECT_EQ(c.redis_reconnect_max, 10s);
  EXPECT_EQ(parse_error({"--dev", "--redis-reconnect-min", "5s", "--redis-reconnect-max", "1s"}),
            "--redis-reconnect-max: must be at least --redis-reconnect-min");
  EXPECT_EQ(parse_error({"--dev", "--redis-command-timeout", "0s"}),
            "--redis-command-timeout: must be more than 0s");
}

TEST(Config, AFlagBeatsItsEnvironmentTwin) {
  const Env env{{"SWITCHBOARD_DEV", "1"}, {"SWITCHBOARD_RING_TIMEOUT", "1m"}};
  EXPECT_EQ(parse_ok({"--ring-timeout=5s"}, env).ring_timeout, 5s);
  // Even a bad environment value does not matter once the flag is given.
  EXPECT_EQ(parse_ok({"--ring-timeout=5s"},
                     {{"SWITCHBOARD_DEV", "1"}, {"SWITCHBOARD_RING_TIMEOUT", "soon"}})
                .ring_timeout,
            5s);
}

TEST(Config, AnEmptyVariableCountsAsUnset) {
  EXPECT_EQ(parse_ok({"--dev"}, {{"SWITCHBOARD_REDIS", ""}}).redis, std::nullopt);
}

TEST(Config, AnEnvironmentErrorNamesTheFlagAndTheVariable) {
  EXPECT_EQ(parse_error({"--dev"}, {{"SWITCHBOARD_RING_TIMEOUT", "45x"}}),
            R"(--ring-timeout (SWITCHBOARD_RING_TIMEOUT): "45x" is not a duration )"
            R"((use ms, s, m or h, e.g. 45s))");
}

// --- One clear line for each bad value ---

TEST(Config, EachBadValueGivesOneLineNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--ring-timeout", "45x"},
       R"(--ring-timeout: "45x" is not a duration (use ms, s, m or h, e.g. 45s))"},
      {{"--ring-timeout", "45"},
       R"(--ring-timeout: "45" is not a duration (use ms, s, m or h, e.g. 45s))"},
      {{"--ring-timeout", "0s"}, "--ring-timeout: must be more than 0s"},
      {{"--ring-step", "0ms"}, "--ring-step: must be more than 0s"},
      {{"--connect-timeout", "0s"}, "--connect-timeout: must be more than 0s"},
      {{"--turn-ttl", "0s"}, "--turn-ttl: must be more than 0s"},
      {{"--wrap-up", "-1s"}, R"(--wrap-up: "-1s" is not a duration (use ms, s, m or h, e.g. 45s))"},
      {{"--reconnect-grace", "abc"},
       R"(--reconnect-grace: "abc" is not a duration (use ms, s, m or h, e.g. 45s))"},
      {{"--presence-grace", "10 s"},
       R"(--presence-grace: "10 s" is not a duration (use ms, s, m or h, e.g. 45s))"},
      {{"--max-missed", "0"}, R"(--max-missed: "0" must be a whole number from 1 to 1000)"},
      {{"--max-missed", "2.5"}, R"(--max-missed: "2.5" must be a whole number from 1 to 1000)"},
      {{"--max-missed", "three"}, R"(--max-missed: "three" must be a whole number from 1 to 1000)"},
      {{"--max-connections", "-1"},
       R"(--max-connections: "-1" must be a whole number from 0 to 10000000)"},
      {{"--max-connections-per-ip", "-5"},
       R"(--max-connections-per-ip: "-5" must be a whole number from 0 to 10000000)"},
      {{"--listen", "localhost"},
       R"(--listen: "localhost" is not host:port (e.g. 127.0.0.1:8080 or [::1]:8080))"},
      {{"--listen", ":8080"},
       R"(--listen: ":8080" is not host:port (e.g. 127.0.0.1:8080 or [::1]:8080))"},
      {{"--listen", "host:70000"},
       R"(--listen: "host:70000" is not host:port (e.g. 127.0.0.1:8080 or [::1]:8080))"},
      {{"--listen", "a b:80"},
       R"(--listen: "a b:80" is not host:port (e.g. 127.0.0.1:8080 or [::1]:8080))"},
      {{"--db", "mysql://u:pw@h/db"},
       "--db: must start with sqlite: or postgres:// (or postgresql://)"},
      {{"--db", "sqlite:"}, "--db: sqlite: needs a file path (e.g. sqlite:./data/sb.db)"},
      {{"--redis", "localhost:6379"}, "--redis: must be redis://[[user]:password@]host:port[/db]"},
      {{"--redis", "redis://user@host:6379"},
       "--redis: must be redis://[[user]:password@]host:port[/db]"},
      {{"--redis", "redis://host"}, "--redis: must be redis://[[user]:password@]host:port[/db]"},
      {{"--routing", "round-robin"}, R"(--routing: "round-robin" is not ring-all or longest-idle)"},
      {{"--rate-user", "20"}, R"(--rate-user: "20" is not a rate (use e.g. 20/s or 600/m))"},
      {{"--rate-ip", "20/h"}, R"(--rate-ip: "20/h" is not a rate (use e.g. 20/s or 600/m))"},
      {{"--ws-rate", "-5/s"}, R"(--ws-rate: "-5/s" is not a rate (use e.g. 20/s or 600/m))"},
      {{"--ws-rate", "0/s"}, R"(--ws-rate: "0/s" must be more than 0)"},
      {{"--log-format", "xml"}, R"(--log-format: "xml" is not json or text)"},
      {{"--stun-urls", "http://stun.example"},
       R"(--stun-urls: "http://stun.example" is not a stun: or stuns: URL)"},
      {{"--stun-urls", "stun:"}, R"(--stun-urls: "stun:" is not a stun: or stuns: URL)"},
      {{"--turn-urls", "stun:x:3478"},
       R"(--turn-urls: "stun:x:3478" is not a turn: or turns: URL)"},
      {{"--webhook-url", "ftp://x"}, "--webhook-url: must be an http:// or https:// URL"},
      {{"--jwt-algorithm", "none"}, R"(--jwt-algorithm: "none" is not HS256, RS256 or ES256)"},
      {{"--ws-ping-interval", "0s"}, "--ws-ping-interval: must be more than 0s"},
      {{"--sweep-interval", "5"},
       R"(--sweep-interval: "5" is not a duration (use ms, s, m or h, e.g. 45s))"},
  };
  for (const auto& [args, expected] : cases) {
    auto with_dev = args;
    with_dev.insert(with_dev.begin(), "--dev");
    const auto message = parse_error(with_dev);
    EXPECT_EQ(message, expected);
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(Config, ErrorsDoNotEchoValuesThatMayHoldCredentials) {
  const auto db = parse_error({"--dev", "--db", "mysql://user:hunter2@h/db"});
  EXPECT_EQ(db.find("hunter2"), std::string::npos);
  const auto redis = parse_error({"--dev", "--redis", "redis://:hunter2@h"});
  EXPECT_EQ(redis.find("hunter2"), std::string::npos);
}

TEST(Config, ErrorsKeepControlCharactersOutOfTheLine) {
  const auto message = parse_error({"--dev", "--routing", "a\nb"});
  EXPECT_EQ(message, R"(--routing: "a?b" is not ring-all or longest-idle)");
}

// --- Values ---

TEST(Config, WrapUpAndGracesMayBeZero) {
  const Config c =
      parse_ok({"--dev", "--wrap-up", "0s", "--reconnect-grace=0s", "--presence-grace=0ms"});
  EXPECT_EQ(c.wrap_up, 0s);
  EXPECT_EQ(c.reconnect_grace, 0s);
  EXPECT_EQ(c.presence_grace, 0s);
}

TEST(Config, AdmissionLagMayBeZeroButTheBoardIntervalMayNot) {
  const Config c = parse_ok({"--dev", "--admission-lag", "0ms", "--board-interval", "250ms"});
  EXPECT_EQ(c.admission_lag, 0ms);
  EXPECT_EQ(c.board_interval, 250ms);
  std::string message = parse_error({"--dev", "--board-interval", "0ms"});
  EXPECT_NE(message.find("--board-interval"), std::string::npos) << message;
  message = parse_error({"--dev", "--admission-lag", "fast"});
  EXPECT_NE(message.find("--admission-lag"), std::string::npos) << message;
}

TEST(Config, SplitsListenIntoHostAndPort) {
  Config c = parse_ok({"--dev", "--listen", "[::1]:0"});
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 0);
  c = parse_ok({"--dev", "--listen", "example.internal:443"});
  EXPECT_EQ(c.listen_host, "example.internal");
  EXPECT_EQ(c.listen_port, 443);
}

TEST(Config, TellsSqliteFromPostgres) {
  Config c = parse_ok({"--dev", "--db", "sqlite::memory:"});
  EXPECT_EQ(c.db_kind, DbKind::kSqlite);
  EXPECT_EQ(c.sqlite_path, ":memory:");
  c = parse_ok({"--dev", "--db", "sqlite:///var/lib/sb.db"});
  EXPECT_EQ(c.sqlite_path, "/var/lib/sb.db");
  c = parse_ok({"--dev", "--db", "postgres://sb:pw@db:5432/sb"});
  EXPECT_EQ(c.db_kind, DbKind::kPostgres);
  EXPECT_EQ(c.db, "postgres://sb:pw@db:5432/sb");
  EXPECT_TRUE(c.sqlite_path.empty());
  EXPECT_EQ(parse_ok({"--dev", "--db", "postgresql://db/sb"}).db_kind, DbKind::kPostgres);
}

TEST(Config, ParsesRedis) {
  const Config c = parse_ok({"--dev", "--redis", "redis://cache.internal:6380"});
  EXPECT_EQ(c.redis, "redis://cache.internal:6380");
  EXPECT_EQ(parse_ok({"--dev", "--redis", "redis://:pw@cache:6380/2"}).redis,
            "redis://:pw@cache:6380/2");
}

TEST(Config, RatesPerSecondOrPerMinuteWithBurstsOfTwice) {
  Config c = parse_ok({"--dev", "--rate-user", "600/m", "--rate-ip", "2.5/s", "--ws-rate=6/m"});
  EXPECT_DOUBLE_EQ(c.rate_user.per_second, 10);
  EXPECT_DOUBLE_EQ(c.rate_user.burst, 20);
  EXPECT_DOUBLE_EQ(c.rate_ip.per_second, 2.5);
  EXPECT_DOUBLE_EQ(c.rate_ip.burst, 5);
  EXPECT_DOUBLE_EQ(c.ws_rate.per_second, 0.1);
  EXPECT_DOUBLE_EQ(c.ws_rate.burst, 1);  // At least one request can always get through.
}

TEST(Config, IceUrlListsAreCommaSeparated) {
  const Config c = parse_ok({"--dev", "--stun-urls", "stun:a:3478, stuns:b:5349,,stun:c",
                             "--turn-urls=turn:t:3478?transport=udp,turns:t:5349", "--turn-secret",
                             "s3cret", "--turn-ttl", "30m"});
  EXPECT_EQ(c.stun_urls, (std::vector<std::string>{"stun:a:3478", "stuns:b:5349", "stun:c"}));
  EXPECT_EQ(c.turn_urls, (std::vector<std::string>{"turn:t:3478?transport=udp", "turns:t:5349"}));
  EXPECT_EQ(c.turn_secret, "s3cret");
  EXPECT_EQ(c.turn_ttl, 30min);
}

TEST(Config, CorsOriginsAndTrustedProxiesAreListsThatDefaultToNone) {
  const Config none = parse_ok({"--dev"});
  EXPECT_TRUE(none.cors_origins.empty());
  EXPECT_TRUE(none.trusted_proxies.empty());
  const Config c =
      parse_ok({"--dev", "--cors-origins", "https://App.example.com,http://localhost:5173",
                "--trusted-proxies=10.0.0.0/8, fd00::/8"});
  EXPECT_EQ(c.cors_origins,
            (std::vector<std::string>{"https://app.example.com", "http://localhost:5173"}));
  EXPECT_TRUE(c.trusted_proxies.contains("10.1.2.3"));
  EXPECT_TRUE(c.trusted_proxies.contains("fd00::1"));
  EXPECT_FALSE(c.trusted_proxies.contains("127.0.0.1"));
  EXPECT_EQ(parse_error({"--dev", "--cors-origins", "https://app.example.com/"}),
            R"(--cors-origins: "https://app.example.com/" is not an origin (scheme://host[:port], )"
            R"(no path, e.g. https://app.example.com))");
  EXPECT_EQ(parse_error({"--dev"}, {{"SWITCHBOARD_TRUSTED_PROXIES", "10.0.0.0/8,proxy"}}),
            R"(--trusted-proxies (SWITCHBOARD_TRUSTED_PROXIES): "proxy" is not an address or a )"
            R"(CIDR (e.g. 10.0.0.0/8, fd00::/8))");
}

TEST(Config, TurnUrlsNeedATurnSecret) {
  EXPECT_EQ(
      parse_error({"--dev", "--turn-urls", "turn:t:3478"}),
      "--turn-urls: needs --turn-secret (browsers need credentials for TURN, minted from it)");
}

TEST(Config, AWebhookUrlNeedsASecret) {
  EXPECT_EQ(parse_error({"--dev", "--webhook-url", "https://hooks.example/sb"}),
            "--webhook-url: needs --webhook-secret (every delivery is signed)");
  const Config c =
      parse_ok({"--dev", "--webhook-url", "https://hooks.example/sb", "--webhook-secret", "whsec"});
  EXPECT_EQ(c.webhook_url, "https://hooks.example/sb");
  EXPECT_EQ(c.webhook_secret, "whsec");
}

// --- JWT ---

TEST(Config, ASecretGivesHs256WithIssuerAndAudience) {
  const std::string secret(48, 'z');
  const Config c = parse_ok({"--jwt-secret", secret, "--jwt-issuer", "https://idp.example",
                             "--jwt-audience", "switchboard"});
  EXPECT_FALSE(c.dev);
  EXPECT_EQ(c.jwt.algorithm, auth::JwtAlgorithm::kHs256);
  EXPECT_EQ(c.jwt.key, secret);
  EXPECT_EQ(c.jwt.issuer, "https://idp.example");
  EXPECT_EQ(c.jwt.audience, "switchboard");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Config, AShortSecretIsAcceptedWithAWarning) {
  const Config c = parse_ok({"--jwt-secret", "short"});
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("--jwt-secret"), std::string::npos);
}

TEST(Config, APemAsSecretIsRejected) {
  EXPECT_EQ(parse_error({"--jwt-secret", rsa_pem()}),
            "--jwt-secret: is a PEM key; pass its file to --jwt-public-key instead");
}

TEST(Config, APublicKeyFileIsReadAndItsAlgorithmDetected) {
  TempDir dir;
  const auto rsa = dir.write("rsa.pem", rsa_pem());
  const auto ec = dir.write("ec.pem", ec_pem());
  Config c = parse_ok({"--jwt-public-key", rsa});
  EXPECT_EQ(c.jwt.algorithm, auth::JwtAlgorithm::kRs256);
  EXPECT_EQ(c.jwt.key, rsa_pem());
  EXPECT_EQ(c.jwt_public_key_path, rsa);
  c = parse_ok({}, {{"SWITCHBOARD_JWT_PUBLIC_KEY", ec}});
  EXPECT_EQ(c.jwt.algorithm, auth::JwtAlgorithm::kEs256);
  c = parse_ok({"--jwt-public-key", ec, "--jwt-algorithm", "ES256"});
  EXPECT_EQ(c.jwt.algorithm, auth::JwtAlgorithm::kEs256);
}

TEST(Config, APublicKeyProblemIsOneClearLine) {
  TempDir dir;
  const auto rsa = dir.write("rsa.pem", rsa_pem());
  const auto junk = dir.write("junk.pem", "hello");
  const auto missing = dir.path() + "/missing.pem";
  EXPECT_EQ(parse_error({"--jwt-public-key", missing}),
            "--jwt-public-key: cannot read \"" + missing + "\": no such file");
  EXPECT_EQ(parse_error({"--jwt-public-key", dir.path()}),
            "--jwt-public-key: cannot read \"" + dir.path() + "\": not a file");
  EXPECT_EQ(parse_error({"--jwt-public-key", junk}),
            "--jwt-public-key: \"" + junk +
                "\" is not a PEM public key (RSA of 2048 bits or more, or EC P-256)");
  EXPECT_EQ(parse_error({"--jwt-public-key", rsa, "--jwt-algorithm", "ES256"}),
            "--jwt-algorithm: ES256 does not match an RSA key in \"" + rsa + "\"");
  EXPECT_EQ(parse_error({"--jwt-public-key", rsa, "--jwt-algorithm", "HS256"}),
            "--jwt-algorithm: HS256 takes --jwt-secret, not --jwt-public-key");
  EXPECT_EQ(parse_error({"--jwt-public-key", rsa, "--jwt-secret", "abc"}),
            "--jwt-secret and --jwt-public-key: give one, not both");
  EXPECT_EQ(parse_error({}, {{"SWITCHBOARD_JWT_PUBLIC_KEY", missing}}),
            "--jwt-public-key (SWITCHBOARD_JWT_PUBLIC_KEY): cannot read \"" + missing +
                "\": no such file");
  // Dev sign-in mints HS256 tokens: it cannot sign for a public key.
  EXPECT_EQ(parse_error({"--dev", "--jwt-public-key", rsa}),
            "--jwt-public-key: --dev signs its tokens with HS256 and cannot be combined with a "
            "public key");
}

TEST(Config, AnRsaOrEcAlgorithmNeedsAPublicKey) {
  EXPECT_EQ(parse_error({"--jwt-secret", "abc", "--jwt-algorithm", "RS256"}),
            "--jwt-algorithm: RS256 needs --jwt-public-key or --jwt-jwks-url");
  EXPECT_EQ(
      parse_ok({"--jwt-secret", std::string(32, 'a'), "--jwt-algorithm", "HS256"}).jwt.algorithm,
      auth::JwtAlgorithm::kHs256);
}

TEST(Config, AJwksUrlTakesKeysByKidWithTheAlgorithmPinned) {
  const std::string url = "https://idp.example.com/.well-known/jwks.json";
  const Config c = parse_ok({"--jwt-jwks-url", url, "--jwt-issuer", "https://idp.example.com/"});
  EXPECT_EQ(c.jwt_jwks_url, url);
  EXPECT_TRUE(c.jwt.keys_from_jwks);
  EXPECT_EQ(c.jwt.algorithm, auth::JwtAlgorithm::kRs256);
  EXPECT_EQ(c.jwt.issuer, "https://idp.example.com/");
  EXPECT_EQ(c.jwt_jwks_refresh_gap, 10s);
  EXPECT_NE(usage().find("\n  --jwt-jwks-url <url>\n"), std::string::npos);
  EXPECT_EQ(usage().find("--jwt-jwks-refresh-gap"), std::string::npos);  // Hidden, for tests.
  EXPECT_EQ(parse_ok({"--jwt-jwks-url", url, "--jwt-algorithm", "ES256"}).jwt.algorithm,
            auth::JwtAlgorithm::kEs256);
  const Config from_env = parse_ok({}, {{"SWITCHBOARD_JWT_JWKS_URL", "http://127.0.0.1:9/keys"},
                                        {"SWITCHBOARD_JWT_JWKS_REFRESH_GAP", "2s"}});
  EXPECT_TRUE(from_env.jwt.keys_from_jwks);
  EXPECT_EQ(from_env.jwt_jwks_refresh_gap, 2s);
}

TEST(Config, AJwksUrlIsTheOnlyKeySource) {
  const std::string url = "https://idp.example.com/jwks";
  EXPECT_EQ(parse_error({"--jwt-jwks-url", "idp.example.com/jwks"}),
            "--jwt-jwks-url: must be an http:// or https:// URL");
  EXPECT_EQ(parse_error({"--jwt-jwks-url", url, "--jwt-secret", std::string(32, 's')}),
            "--jwt-jwks-url: give one of --jwt-secret, --jwt-public-key and --jwt-jwks-url");
  EXPECT_EQ(parse_error({"--jwt-jwks-url", url, "--jwt-public-key", "/nonexistent.pem"}),
            "--jwt-jwks-url: give one of --jwt-secret, --jwt-public-key and --jwt-jwks-url");
  EXPECT_EQ(parse_error({"--jwt-jwks-url", url, "--dev"}),
            "--jwt-jwks-url: --dev signs its tokens with HS256 and cannot be combined");
  EXPECT_EQ(parse_error({"--jwt-jwks-url", url, "--jwt-algorithm", "HS256"}),
            "--jwt-algorithm: HS256 takes --jwt-secret, not --jwt-jwks-url");
}

TEST(Config, IceProfilesFromAFileOrOneDefaultProfile) {
  EXPECT_TRUE(parse_ok({"--dev"}).ice_profiles.empty());  // service::ice_profiles: "default".
  TempDir dir;
  const auto file = dir.write("profiles.json", R"([
    {"name": "udp", "weight": 50, "turn_urls": ["turn:t:3478?transport=udp"]},
    {"name": "tls443", "weight": 50, "turn_urls": ["turns:t:443?transport=tcp"]}])");
  Config c = parse_ok({"--dev", "--turn-secret", "s", "--ice-profiles", file});
  ASSERT_EQ(c.ice_profiles.size(), 2u);
  EXPECT_EQ(c.ice_profiles[1].name, "tls443");
  EXPECT_EQ(parse_ok({"--dev", "--turn-secret", "s"}, {{"SWITCHBOARD_ICE_PROFILES", file}})
                .ice_profiles.size(),
            2u);
}

TEST(Config, BadIceProfilesStopTheStartWithOneLine) {
  TempDir dir;
  const auto good =
      dir.write("good.json", R"([{"name": "a", "weight": 1, "turn_urls": ["turn:t"]}])");
  EXPECT_EQ(parse_error({"--dev", "--ice-profiles", good}),
            "--ice-profiles: profile \"a\" has TURN URLs and needs --turn-secret (browsers need "
            "credentials for TURN)");
  EXPECT_EQ(
      parse_error({"--dev", "--turn-secret", "s", "--stun-urls", "stun:x", "--ice-profiles", good}),
      "--ice-profiles: the profiles name the ICE servers; drop --stun-urls and --turn-urls");
  const auto typo = dir.write("typo.json", R"([{"name": "a", "wieght": 1}])");
  EXPECT_EQ(parse_error({"--dev", "--ice-profiles", typo}),
            "--ice-profiles: \"" + typo +
                "\": profile 1: unknown key \"wieght\" (keys: name, weight, stun_urls, turn_urls)");
  EXPECT_EQ(parse_error({"--dev"}, {{"SWITCHBOARD_ICE_PROFILES", "/nonexistent/p.json"}}),
            "--ice-profiles (SWITCHBOARD_ICE_PROFILES): cannot read \"/nonexistent/p.json\": no "
            "such file");
}

}  // namespace
}  // namespace sb::app
