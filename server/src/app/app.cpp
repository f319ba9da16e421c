#include "app/app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <limits>
#include <memory>

#include "app/metrics_observer.hpp"
#include "app/wiring.hpp"
#include "auth/jwt_verifier.hpp"
#include "bus/bus_metrics.hpp"
#include "bus/gated_bus.hpp"
#include "net/asio_scheduler.hpp"
#include "net/http_server.hpp"
#include "net/loop_lag_probe.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace sb::app {

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

  // One thread runs every socket, so the reactor need not lock each socket's operations
  // (3 % of the server's instructions under load). Other threads only post(), which stays locked.
  boost::asio::io_context ioc{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  SystemClock clock;
  net::AsioScheduler scheduler(ioc);
  // How late the io thread runs: for admission control and the switchboard_load_seconds gauge.
  net::LoopLagProbe lag_probe(ioc, std::chrono::milliseconds(5));
  lag_probe.start();
  // One node: events stay in this process. Several: every node hears every event through Redis
  // and hands it to its own connections.
  auto bus = open_bus(config, ioc, error);
  if (!bus) return fail("redis", error);

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
  service::CallService calls(*store, durable_bus, scheduler, clock, timings_of(config),
                             ice_of(config), &observer);
  // The identity provider's keys (--jwt-jwks-url): fetched in the background from here on.
  auto jwks = start_jwks(config, *verifier, ioc, scheduler, clock, metrics);
  // What /readyz answers and the switchboard_ready gauge shows.
  const auto ready = [&] { return store->ping() && bus->healthy() && verifier->has_keys(); };
  metrics.set_snapshot_source(scrape_snapshot(*store, clock, lag_probe, ready));
  observe_store(*store, metrics, clock);

  auto api_options = api_options_of(config, metrics, lag_probe, *store, ready);
  api_options.metrics_text = [&metrics, &bus] {
    return metrics.render() + bus::render_metrics(*bus);
  };
  rest::Api api(calls, *verifier, clock, std::move(api_options));
  signaling::Hub hub(calls, *verifier, durable_bus, scheduler, clock,
                     hub_options_of(config, metrics));
  net::ServerOptions server_options;
  server_options.host = config.listen_host;
  server_options.port = config.listen_port;
  server_options.ws_ping_interval = config.ws_ping_interval;
  server_options.max_connections = connection_cap(config);
  server_options.max_connections_per_ip =
      config.max_connections_per_ip > 0 ? static_cast<std::size_t>(config.max_connections_per_ip)
                                        : std::numeric_limits<std::size_t>::max();
  server_options.trusted_proxies = config.trusted_proxies;
  server_options.before_respond = after_durable;
  server_options.on_connection_refused = [&metrics](std::string_view cap) {
    metrics.connection_refused(cap);
  };
  net::HttpServer server(
      ioc, server_options, [&api](const net::HttpRequest& r) { return api.handle(r); }, hub);

  // Webhooks: the outbox is written with each transition, then delivered from here.
  NetPoster poster(ioc);
  auto webhooks = start_webhooks(config, *store, scheduler, clock, poster, metrics);

  if (auto recovered = calls.recover(); !recovered) {
    return fail("recovery", recovered.error().text());
  }
  if (!server.start(error)) return fail("listen", error);

  // What is due in the database, whichever node set its timer (a node that died, a write that
  // failed): every --due-check-interval (500 ms), or every --sweep-interval while the database
  // does not answer, so a stalled database does not hold the io thread twice a second.
  std::function<void()> take_over_due = [&] {
    const bool answered = calls.take_over_due();
    const auto wait = answered ? config.due_check_interval : config.sweep_interval;
    scheduler.schedule_at(clock.now_ms() + wait.count(), take_over_due);
  };
  scheduler.schedule_at(clock.now_ms() + config.due_check_interval.count(), take_over_due);
  // The sweeper: a backstop for queue promotions, every --sweep-interval.
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
