#pragma once
// The pieces run_server() puts together, each built from the configuration in one function, so
// app.cpp reads as the order of start-up.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "app/config.hpp"
#include "auth/jwks_refresher.hpp"
#include "bus/bus.hpp"
#include "net/http_client.hpp"
#include "net/loop_lag_probe.hpp"
#include "obs/metrics.hpp"
#include "rest/api.hpp"
#include "service/call_service.hpp"
#include "service/webhook_sender.hpp"
#include "signaling/hub.hpp"
#include "storage/store.hpp"
#include "util/clock.hpp"

namespace sb::app {

/// Logs start-up failure `what` as one line; returns the exit code 1.
int fail(std::string_view what, std::string_view detail);

service::CallTimings timings_of(const Config& c);
/// --max-connections, or (0) 90% of the process's open-files limit.
std::size_t connection_cap(const Config& c);
service::IceConfig ice_of(const Config& c);

/// The configured database, opened; nullptr with `error` when it can't be.
std::unique_ptr<storage::Store> open_store(const Config& config, std::string& error);
/// Redis for several nodes, else the in-process bus; nullptr with `error` for a bad Redis URL.
std::unique_ptr<bus::Bus> open_bus(const Config& config, boost::asio::io_context& ioc,
                                   std::string& error);

/// Store operations into /metrics, and their errors into the log (one line a second at most).
void observe_store(storage::Store& store, obs::Metrics& metrics, const Clock& clock);
/// What a scrape of /metrics reads at that moment.
std::function<obs::ScrapeSnapshot()> scrape_snapshot(storage::Store& store, const Clock& clock,
                                                     const net::LoopLagProbe& lag_probe,
                                                     std::function<bool()> ready);

rest::ApiOptions api_options_of(const Config& config, obs::Metrics& metrics,
                                const net::LoopLagProbe& lag_probe, storage::Store& store,
                                std::function<bool()> ready);
signaling::HubOptions hub_options_of(const Config& config, obs::Metrics& metrics);

/// Webhook POSTs through the Beast client, with a 10 s deadline per try.
class NetPoster final : public service::HttpPoster {
 public:
  explicit NetPoster(boost::asio::io_context& ioc) : client_(ioc) {}
  void post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
            std::string body, std::function<void(int, std::string)> done) override;

 private:
  net::HttpClient client_;
};

/// With --webhook-url: every transition is written to the outbox, and the sender started.
std::unique_ptr<service::WebhookSender> start_webhooks(const Config& config, storage::Store& store,
                                                       Scheduler& scheduler, const Clock& clock,
                                                       service::HttpPoster& poster,
                                                       obs::Metrics& metrics);

/// With --jwt-jwks-url: the key set is fetched now (start-up does not wait for it) and kept
/// current; tokens with an unknown kid ask for a refresh. nullptr without the flag.
std::unique_ptr<auth::JwksRefresher> start_jwks(const Config& config, auth::JwtVerifier& verifier,
                                                boost::asio::io_context& ioc, Scheduler& scheduler,
                                                const Clock& clock, obs::Metrics& metrics);

}  // namespace sb::app
