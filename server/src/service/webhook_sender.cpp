#include "service/webhook_sender.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "obs/log.hpp"

namespace sb::service {

std::string webhook_signature(const std::string& secret, std::int64_t unix_s,
                              const std::string& body) {
  const std::string signed_text = std::to_string(unix_s) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
       &mac_len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(mac_len * 2);
  for (unsigned int i = 0; i < mac_len; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0xf]);
  }
  return "t=" + std::to_string(unix_s) + ",v1=" + hex;
}

std::int64_t webhook_backoff_ms(int attempts) {
  const int exponent = std::clamp(attempts - 1, 0, 6);
  return std::min<std::int64_t>(1000LL << exponent, 60'000);
}

WebhookSender::WebhookSender(storage::Store& store, Scheduler& scheduler, const Clock& clock,
                             HttpPoster& poster, WebhookConfig config,
                             std::function<void(std::string_view)> on_result)
    : store_(store),
      scheduler_(scheduler),
      clock_(clock),
      poster_(poster),
      config_(std::move(config)),
      on_result_(std::move(on_result)) {}

void WebhookSender::start() {
  tick();
}

void WebhookSender::kick() {
  if (static_cast<int>(in_flight_.size()) < config_.max_in_flight) {
    auto due = store_.due_webhooks(clock_.now_ms(), config_.max_in_flight);
    if (!due) return;
    for (const auto& event : *due) {
      if (static_cast<int>(in_flight_.size()) >= config_.max_in_flight) break;
      if (!in_flight_.contains(event.call_id)) deliver(event);
    }
  }
}

void WebhookSender::tick() {
  kick();
  scheduler_.schedule_at(clock_.now_ms() + config_.poll_ms, [this] { tick(); });
}

void WebhookSender::deliver(const storage::WebhookEvent& event) {
  in_flight_.insert(event.call_id);
  const std::int64_t now_s = clock_.now_ms() / 1000;
  std::vector<std::pair<std::string, std::string>> headers{
      {"Content-Type", "application/json"},
      {"Switchboard-Signature", webhook_signature(config_.secret, now_s, event.payload)},
  };
  poster_.post(config_.url, headers, event.payload, [this, event](int status, std::string error) {
    in_flight_.erase(event.call_id);
    const std::int64_t now = clock_.now_ms();
    if (status >= 200 && status < 300) {
      (void)store_.webhook_delivered(event.id, now);
      if (on_result_) on_result_("ok");
      kick();  // The call's next version may be waiting.
      return;
    }
    const std::string why = status ? "status " + std::to_string(status) : error;
    const auto delay = webhook_backoff_ms(event.attempts + 1);
    (void)store_.webhook_failed(event.id, now + delay, why);
    if (on_result_) on_result_("failed");
    obs::log_warn("webhook.failed", {{"call_id", event.call_id},
                                     {"version", event.version},
                                     {"attempt", event.attempts + 1},
                                     {"retry_in_ms", delay},
                                     {"error", why}});
  });
}

}  // namespace sb::service
