#include "app/app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <memory>

#include "app/metrics_observer.hpp"
#include "auth/jwt_verifier.hpp"
#include "bus/gated_bus.hpp"
#include "bus/local/local_bus.hpp"
#include "bus/redis/redis_bus.hpp"
#include "net/asio_scheduler.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/loop_lag_probe.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"
#include "rest/api.hpp"
#include "service/call_json.hpp"
#include "service/call_service.hpp"
#include "service/webhook_sender.hpp"
#include "signaling/hub.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace sb::app {
namespace {

service::CallTimings timings_of(const Config& c) {
  service::CallTimings t;
  t.ring_timeout_ms = c.ring_timeout.count();
  t.ring_step_ms = c.ring_step.count();
  t.connect_timeout_ms = c.connect_timeout.count();
  t.reconnect_grace_ms = c.reconnect_grace.count();
  t.presence_grace_ms = c.presence_grace.count();
  t.wrap_up_ms = c.wrap_up.count();
  t.max_missed = c.max_missed;
  t.routing = c.routing == Routing::kLongestIdle ? call::RoutingMode::kLongestIdle
                                                 : call::RoutingMode::kRingAll;
  // Stable across restarts, so a restarted node finds its own presence rows again.
  t.node_id = c.listen_host + ":" + std::to_string(c.listen_port);
  t.single_node = !c.redis;
  return t;
}

RateSpec rate_of(const Rate& r) {
  return RateSpec{r.per_second, r.burst};
}

/// Webhook POSTs through the Beast client, with a 10 s deadline per try.
class NetPoster final : public service::HttpPoster {
 public:
  explicit NetPoster(boost::asio::io_context& ioc) : client_(ioc) {}
  void post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
            std::string body, std::function<void(int, std::string)> done) override {
    client_.post(url, headers, std::move(body), std::chrono::seconds(10),
                 [done = std::move(done)](net::HttpClientResult r) { done(r.status, r.error); });
  }

 private:
  net::HttpClient client_;
};

int fail(std::string_view what, std::string_view detail) {
  obs::log_error("startup.failed", {{"what", what}, {"detail", detail}});
  return 1;
}

std::unique_ptr<storage::Store> open_store(const Config& config, std::string& error) {
  if (config.db_kind == DbKind::kPostgres) {
    try {
      return std::make_unique<storage::postgres::PostgresStore>(config.db);
    } catch (const std::exception& e) {
      error = e.what();
      return nullptr;
    }
  }
  try {
    const std::filesystem::path path(config.sqlite_path);
    if (path.has_parent_path() && config.sqlite_path != ":memory:") {
      std::filesystem::create_directories(path.parent_path());
    }
    return std::make_unique<storage::sqlite::SqliteStore>(config.sqlite_path);
  } catch (const storage::sql::Error& e) {
    error = e.what();
  } catch (const std::filesystem::filesystem_error& e) {
    error = e.what();
  }
  return nullptr;
}

}  // namespace

int run_server(const Config& config) {
  obs::init_logging(config.log_format, obs::Level::kInfo);
  for (const auto& w : config.warnings) obs::log_warn("config.warning", {{"detail", w}});
  if (config.dev) {
    obs::log_warn("dev.mode",
                  {{"detail",
                    "--dev is on: anyone can mint tokens at POST /v1/dev/token. Never use it in "
                    "production."}});
  }

  std::string error;
  auto store = open_store(config, error);
  if (!store) return fail("storage", error);
  if (auto migrated = store->migrate(); !migrated) {
    return fail("storage", "migrations failed: " + std::string(migrated.error().text()));
  }
  auto verifier = auth::JwtVerifier::create(config.jwt);
  if (!verifier) return fail("jwt", verifier.error().message());

  boost::asio::io_context ioc{1};
  SystemClock clock;
  net::AsioScheduler scheduler(ioc);
  // How late the io thread runs: for admission control and the switchboard_load_seconds gauge.
  net::LoopLagProbe lag_probe(ioc, std::chrono::milliseconds(5));
  lag_probe.start();
  // One node: events stay in this process. Several: every node hears every event through Redis
  // and hands it to its own connections.
  std::unique_ptr<bus::Bus> bus;
  if (config.redis) {
    bus::RedisBusOptions options;
    options.url = *config.redis;
    options.on_event = [](std::string_view event, std::string_view detail) {
      obs::log_warn(event, {{"detail", detail}});
    };
    try {
      bus = std::make_unique<bus::RedisBus>(
          options, [&ioc](std::function<void()> fn) { boost::asio::post(ioc, std::move(fn)); });
    } catch (const std::exception& e) {
      return fail("redis", e.what());
    }
  } else {
    bus = std::make_unique<bus::LocalBus>();
  }

  service::IceConfig ice{config.stun_urls, config.turn_urls, config.turn_secret.value_or(""),
                         config.turn_ttl.count()};
  obs::Metrics metrics;
  MetricsObserver observer(metrics);
  // Group commit: commits don't wait for the disk; answers and events wait for the one fsync
  // that covers many commits (storage/group_commit.hpp).
  try {
    store->enable_group_commit(
        [&ioc](std::function<void()> fn) { boost::asio::post(ioc, std::move(fn)); });
  } catch (const std::exception& e) {
    return fail("storage", e.what());
  }
  const auto after_durable = [&store](std::function<void()> fn) {
    store->after_commit_durable(std::move(fn));
  };
  bus::GatedBus durable_bus(*bus, after_durable);
  service::CallService calls(*store, durable_bus, scheduler, clock, timings_of(config), ice,
                             &observer);
  // What /readyz answers and the switchboard_ready gauge shows.
  const auto ready = [&] { return store->ping() && bus->healthy(); };
  metrics.set_snapshot_source([&] {
    obs::ScrapeSnapshot s;
    const std::int64_t now = clock.now_ms();
    if (auto ringing = store->ringing_calls()) {
      s.ringing_calls = static_cast<std::int64_t>(ringing->size());
      for (const auto& r : *ringing) s.stuck_ringing += r.deadline_ms + 5000 < now ? 1 : 0;
    }
    if (auto open = store->open_calls()) {
      s.active_calls = static_cast<std::int64_t>(open->size()) - s.ringing_calls;
    }
    if (auto pending = store->webhook_pending()) s.webhook_pending = *pending;
    s.ready = ready();
    s.loop_lag_seconds = lag_probe.lag_ms() / 1000.0;
    s.commit_wait_seconds = store->commit_wait_ms() / 1000.0;
    return s;
  });
  store->set_operation_observer([&metrics, &clock, last_logged_ms = std::int64_t{0},
                                 suppressed = 0](double seconds, std::string_view error) mutable {
    metrics.store_operation(seconds, !error.empty());
    if (error.empty()) return;
    // One line a second at most: a database that is down fails every request.
    const std::int64_t now = clock.now_ms();
    if (now - last_logged_ms < 1000) {
      ++suppressed;
      return;
    }
    obs::log_error("storage.error", {{"error", error}, {"suppressed", suppressed}});
    last_logged_ms = now;
    suppressed = 0;
  });

  rest::ApiOptions api_options;
  api_options.dev = config.dev;
  api_options.dev_secret = config.jwt.algorithm == auth::JwtAlgorithm::kHs256 ? config.jwt.key : "";
  api_options.web_root = config.web_root;
  api_options.rate_user = rate_of(config.rate_user);
  api_options.rate_ip = rate_of(config.rate_ip);
  api_options.ready = ready;
  api_options.metrics_text = [&] { return metrics.render(); };
  api_options.on_request = [&](std::string_view route, int status, double seconds) {
    metrics.http_request(route, status, seconds);
  };
  // Overload (CONTRACT 11.5): while work waits too long, new calls are refused before
  // anything is written, so calls already placed keep their latency.
  if (config.admission_lag.count() > 0) {
    api_options.admit_new_call = [&lag_probe, &store, &metrics,
                                  limit = static_cast<double>(config.admission_lag.count())] {
      // Work waits in two places: behind the loop's backlog, and for the group commit.
      if (std::max(lag_probe.lag_ms(), store->commit_wait_ms()) <= limit) return true;
      metrics.call_refused_overload();
      return false;
    };
  }
  rest::Api api(calls, *verifier, clock, api_options);

  signaling::HubOptions hub_options;
  hub_options.ws_rate = rate_of(config.ws_rate);
  hub_options.board_interval_ms = config.board_interval.count();
  hub_options.on_signal_relayed = [&](std::string_view kind) { metrics.signal_relayed(kind); };
  hub_options.on_connections_changed = [&](std::int64_t open) { metrics.ws_connections(open); };
  hub_options.on_frames_sent = [&](std::int64_t n) { metrics.ws_frames_sent(n); };
  signaling::Hub hub(calls, *verifier, durable_bus, scheduler, clock, hub_options);

  net::ServerOptions server_options;
  server_options.host = config.listen_host;
  server_options.port = config.listen_port;
  server_options.ws_ping_interval = config.ws_ping_interval;
  server_options.before_respond = after_durable;
  net::HttpServer server(
      ioc, server_options, [&api](const net::HttpRequest& r) { return api.handle(r); }, hub);

  // Webhooks: the outbox is written with each transition, then delivered from here.
  NetPoster poster(ioc);
  std::unique_ptr<service::WebhookSender> webhooks;
  if (config.webhook_url) {
    store->enable_outbox([](const call::Call& c, const storage::CallQuality* quality) {
      auto json = service::call_to_json(c);
      if (quality) json["quality"] = service::quality_to_json(*quality);
      return boost::json::serialize(
          boost::json::object{{"type", "call.updated"}, {"call", std::move(json)}});
    });
    webhooks = std::make_unique<service::WebhookSender>(
        *store, scheduler, clock, poster,
        service::WebhookConfig{*config.webhook_url, config.webhook_secret.value_or("")},
        [&](std::string_view result) { metrics.webhook_delivery(result); });
    webhooks->start();
  }

  if (auto recovered = calls.recover(); !recovered) {
    return fail("recovery", recovered.error().text());
  }
  if (!server.start(error)) return fail("listen", error);

  // The sweeper: a backstop for per-call timers, every --sweep-interval.
  std::function<void()> sweep = [&] {
    calls.sweep();
    scheduler.schedule_at(clock.now_ms() + config.sweep_interval.count(), sweep);
  };
  scheduler.schedule_at(clock.now_ms() + config.sweep_interval.count(), sweep);

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    obs::log_info("server.stopping", {{"signal", signal}});
    hub.begin_shutdown();
    server.stop();
    // Let close frames and in-flight responses go out, then stop the timers too.
    scheduler.schedule_at(clock.now_ms() + 500, [&] { ioc.stop(); });
  });

  obs::log_info("server.listening",
                {{"host", config.listen_host},
                 {"port", server.port()},
                 {"db", config.db_kind == DbKind::kSqlite ? "sqlite" : "postgres"},
                 {"routing", config.routing == Routing::kRingAll ? "ring-all" : "longest-idle"}});
  ioc.run();
  // Its thread posts to the io_context: stop it while that still exists.
  store->stop_group_commit();
  obs::log_info("server.stopped", {});
  return 0;
}

}  // namespace sb::app
