#pragma once
// Delivers the webhook outbox (docs/openapi.yaml): at least once, in version order per
// call, each try signed afresh, retried with exponential backoff from 1 s up to 60 s between
// tries, for as long as it takes (never dropped: the outbox is durable).

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/store.hpp"
#include "util/clock.hpp"
#include "util/scheduler.hpp"

namespace sb::service {

/// The outgoing HTTP seam (net::HttpClient in the server, a fake in tests).
class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  /// `done(status, error)`: status 0 when no response came.
  virtual void post(const std::string& url,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    std::string body, std::function<void(int, std::string)> done) = 0;
};

struct WebhookConfig {
  std::string url;
  std::string secret;
  int max_in_flight = 8;
  std::int64_t poll_ms = 250;
};

/// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
std::string webhook_signature(const std::string& secret, std::int64_t unix_s,
                              const std::string& body);

/// Exponential backoff after `attempts` failed tries: 1 s, 2 s, 4 s ... capped at 60 s.
std::int64_t webhook_backoff_ms(int attempts);

class WebhookSender {
 public:
  WebhookSender(storage::Store& store, Scheduler& scheduler, const Clock& clock, HttpPoster& poster,
                WebhookConfig config, std::function<void(std::string_view result)> on_result = {});

  /// Starts polling the outbox.
  void start();
  /// Looks at the outbox now (after a transition wrote to it).
  void kick();

 private:
  void tick();
  void deliver(const storage::WebhookEvent& event);

  storage::Store& store_;
  Scheduler& scheduler_;
  const Clock& clock_;
  HttpPoster& poster_;
  WebhookConfig config_;
  std::function<void(std::string_view)> on_result_;
  /// Calls with a delivery in flight: their next version waits.
  std::set<std::string> in_flight_;
};

}  // namespace sb::service
