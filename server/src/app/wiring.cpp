#include "app/wiring.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <filesystem>

#include "bus/local/local_bus.hpp"
#include "bus/redis/redis_bus.hpp"
#include "obs/log.hpp"
#include "service/call_json.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "util/ids.hpp"

namespace sb::app {
namespace {

RateSpec rate_of(const Rate& r) {
  return RateSpec{r.per_second, r.burst};
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

int fail(std::string_view what, std::string_view detail) {
  obs::log_error("startup.failed", {{"what", what}, {"detail", detail}});
  return 1;
}

service::CallTimings timings_of(const Config& c) {
  service::CallTimings t;
  t.ring_timeout_ms = c.ring_timeout.count();
  t.ring_step_ms = c.ring_step.count();
  t.connect_timeout_ms = c.connect_timeout.count();
  t.reconnect_grace_ms = c.reconnect_grace.count();
  t.presence_grace_ms = c.presence_grace.count();
  t.wrap_up_ms = c.wrap_up.count();
  t.max_missed = c.max_missed;
  t.queue_timeout_ms = c.queue_timeout.count();
  t.max_queue = c.max_queue;
  t.routing = c.routing == Routing::kLongestIdle ? call::RoutingMode::kLongestIdle
                                                 : call::RoutingMode::kRingAll;
  // Stable across restarts, so a restarted node finds its own presence rows again, and
  // distinct across machines that all listen on 0.0.0.0:8080.
  t.node_id = host_name() + "/" + c.listen_host + ":" + std::to_string(c.listen_port);
  // Port 0 (tests): the port is picked anew at each start, and nodes on one host would share
  // the name.
  if (c.listen_port == 0) t.node_id = random_id(t.node_id + "/");
  t.single_node = !c.redis;
  t.node_timeout_ms = c.node_timeout.count();
  return t;
}

std::size_t connection_cap(const Config& c) {
  if (c.max_connections > 0) return static_cast<std::size_t>(c.max_connections);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 100'000;
  // The rest is kept for the database, Redis, webhooks and the listener itself.
  return std::max<std::size_t>(64, static_cast<std::size_t>(limit.rlim_cur) / 10 * 9);
}

service::IceConfig ice_of(const Config& c) {
  return service::IceConfig{c.stun_urls, c.turn_urls, c.turn_secret.value_or(""),
                            c.turn_ttl.count(), c.ice_profiles};
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

std::unique_ptr<bus::Bus> open_bus(const Config& config, boost::asio::io_context& ioc,
                                   std::string& error) {
  if (!config.redis) return std::make_unique<bus::LocalBus>();
  bus::RedisBusOptions options;
  options.url = *config.redis;
  options.connect_timeout = config.redis_connect_timeout;
  options.command_timeout = config.redis_command_timeout;
  options.ping_interval = config.redis_ping_interval;
  options.backoff_min = config.redis_reconnect_min;
  options.backoff_max = config.redis_reconnect_max;
  options.on_event = [](std::string_view event, std::string_view detail) {
    obs::log_warn(event, {{"detail", detail}});
  };
  try {
    return std::make_unique<bus::RedisBus>(
        options, [&ioc](std::function<void()> fn) { boost::asio::post(ioc, std::move(fn)); });
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

void observe_store(storage::Store& store, obs::Metrics& metrics, const Clock& clock) {
  store.set_operation_observer([&metrics, &clock, last_logged_ms = std::int64_t{0}, suppressed = 0](
                                   double seconds, std::string_view error) mutable {
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
}

std::function<obs::ScrapeSnapshot()> scrape_snapshot(storage::Store& store, const Clock& clock,
                                                     const net::LoopLagProbe& lag_probe,
                                                     std::function<bool()> ready) {
  return [&store, &clock, &lag_probe, ready = std::move(ready)] {
    obs::ScrapeSnapshot s;
    const std::int64_t now = clock.now_ms();
    if (auto ringing = store.ringing_calls()) {
      s.ringing_calls = static_cast<std::int64_t>(ringing->size());
      for (const auto& r : *ringing) s.stuck_ringing += r.deadline_ms + 5000 < now ? 1 : 0;
    }
    if (auto queued = store.queued_call_refs()) {
      s.queued_calls = static_cast<std::int64_t>(queued->size());
    }
    if (auto open = store.open_calls()) {
      s.active_calls = static_cast<std::int64_t>(open->size()) - s.ringing_calls - s.queued_calls;
    }
    if (auto pending = store.webhook_pending()) s.webhook_pending = *pending;
    s.ready = ready();
    s.loop_lag_seconds = lag_probe.lag_ms() / 1000.0;
    s.loop_busy_ratio = lag_probe.busy_ratio();
    s.loop_run_ratio = lag_probe.run_ratio();
    s.commit_wait_seconds = store.commit_wait_ms() / 1000.0;
    s.durable_syncs = store.durable_syncs();
    return s;
  };
}

rest::ApiOptions api_options_of(const Config& config, obs::Metrics& metrics,
                                const net::LoopLagProbe& lag_probe, storage::Store& store,
                                std::function<bool()> ready) {
  rest::ApiOptions o;
  o.dev = config.dev;
  o.dev_secret = config.jwt.algorithm == auth::JwtAlgorithm::kHs256 ? config.jwt.key : "";
  o.web_root = config.web_root;
  o.rate_user = rate_of(config.rate_user);
  o.rate_ip = rate_of(config.rate_ip);
  o.cors_origins = config.cors_origins;
  o.ready = std::move(ready);
  o.metrics_text = [&metrics] { return metrics.render(); };
  o.on_request = [&metrics](std::string_view route, int status, double seconds) {
    metrics.http_request(route, status, seconds);
  };
  // Overload (docs/api.md#failures): while work waits too long, new calls are refused before
  // anything is written, so calls already placed keep their latency.
  if (config.admission_lag.count() > 0) {
    o.admit_new_call = [&lag_probe, &store, &metrics,
                        limit = static_cast<double>(config.admission_lag.count())] {
      // Work waits behind the loop's backlog and for the group commit; and once the io thread
      // has no idle moment left, in the sockets' buffers, where neither of those shows it.
      const bool waits_too_long = std::max(lag_probe.lag_ms(), store.commit_wait_ms()) > limit;
      if (!waits_too_long && !lag_probe.full()) return true;
      metrics.call_refused_overload();
      return false;
    };
  }
  return o;
}

signaling::HubOptions hub_options_of(const Config& config, obs::Metrics& metrics) {
  signaling::HubOptions o;
  o.ws_rate = rate_of(config.ws_rate);
  o.board_interval_ms = config.board_interval.count();
  o.on_signal_relayed = [&metrics](std::string_view kind) { metrics.signal_relayed(kind); };
  o.on_connections_changed = [&metrics](std::int64_t open) { metrics.ws_connections(open); };
  o.on_frames_sent = [&metrics](std::int64_t n) { metrics.ws_frames_sent(n); };
  return o;
}

void NetPoster::post(const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string body, std::function<void(int, std::string)> done) {
  client_.post(url, headers, std::move(body), std::chrono::seconds(10),
               [done = std::move(done)](net::HttpClientResult r) { done(r.status, r.error); });
}

std::unique_ptr<service::WebhookSender> start_webhooks(const Config& config, storage::Store& store,
                                                       Scheduler& scheduler, const Clock& clock,
                                                       service::HttpPoster& poster,
                                                       obs::Metrics& metrics) {
  if (!config.webhook_url) return nullptr;
  store.enable_outbox([](const call::Call& c, const storage::CallQuality* quality) {
    auto json = service::call_to_json(c);
    if (quality) json["quality"] = service::quality_to_json(*quality);
    return boost::json::serialize(
        boost::json::object{{"type", "call.updated"}, {"call", std::move(json)}});
  });
  auto sender = std::make_unique<service::WebhookSender>(
      store, scheduler, clock, poster,
      service::WebhookConfig{*config.webhook_url, config.webhook_secret.value_or("")},
      [&metrics](std::string_view result) { metrics.webhook_delivery(result); });
  sender->start();
  return sender;
}

std::unique_ptr<auth::JwksRefresher> start_jwks(const Config& config, auth::JwtVerifier& verifier,
                                                boost::asio::io_context& ioc, Scheduler& scheduler,
                                                const Clock& clock, obs::Metrics& metrics) {
  if (!config.jwt_jwks_url) return nullptr;
  auto client = std::make_shared<net::HttpClient>(ioc);
  auto get = [client, url = *config.jwt_jwks_url](std::function<void(auth::JwksResponse)> done) {
    client->get(url, std::chrono::seconds(10), [done = std::move(done)](net::HttpClientResult r) {
      done(auth::JwksResponse{r.status, std::move(r.error), std::move(r.body),
                              std::move(r.cache_control)});
    });
  };
  auth::JwksTimings timings;
  timings.min_gap_ms = config.jwt_jwks_refresh_gap.count();
  auto refresher = std::make_unique<auth::JwksRefresher>(
      verifier, std::move(get), scheduler, clock, timings,
      [&metrics, &clock](const auth::JwksRefreshReport& r) {
        metrics.jwks_refresh(r.ok ? "ok" : "failed");
        if (r.ok) {
          obs::log_info("jwks.refreshed", {{"reason", r.reason},
                                           {"keys", static_cast<std::int64_t>(r.keys)},
                                           {"ignored", r.ignored},
                                           {"next_in_ms", r.next_ms - clock.now_ms()}});
        } else {
          obs::log_warn("jwks.refresh_failed", {{"reason", r.reason},
                                                {"error", r.error},
                                                {"ignored", r.ignored},
                                                {"retry_in_ms", r.next_ms - clock.now_ms()}});
        }
      });
  // Verification may run on any thread; the refresher lives on the io thread.
  verifier.on_unknown_kid([&ioc, target = refresher.get()] {
    boost::asio::post(ioc, [target] { target->unknown_kid(); });
  });
  refresher->start();
  return refresher;
}

}  // namespace sb::app
