#include "service/webhook_sender.hpp"

#include <gtest/gtest.h>

#include "call/call_machine.hpp"
#include "fakes/manual_time.hpp"
#include "service/call_json.hpp"
#include "service/ops_summary.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace sb::service {
namespace {

TEST(WebhookSignature, IsHmacSha256OfTimestampDotBody) {
  // Reference value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
  EXPECT_EQ(webhook_signature("secret", 1700000000, R"({"a":1})"),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686");
  EXPECT_NE(webhook_signature("secret", 1700000000, "a"),
            webhook_signature("other", 1700000000, "a"));
  EXPECT_EQ(webhook_signature("secret", 1, "x").size(), std::string("t=1,v1=").size() + 64);
}

TEST(WebhookBackoff, DoublesFromOneSecondUpToAMinute) {
  EXPECT_EQ(webhook_backoff_ms(1), 1000);
  EXPECT_EQ(webhook_backoff_ms(2), 2000);
  EXPECT_EQ(webhook_backoff_ms(6), 32000);
  EXPECT_EQ(webhook_backoff_ms(7), 60000);
  EXPECT_EQ(webhook_backoff_ms(50), 60000);
}

class FakePoster final : public HttpPoster {
 public:
  void post(const std::string&, const std::vector<std::pair<std::string, std::string>>& headers,
            std::string body, std::function<void(int, std::string)> done) override {
    bodies.push_back(body);
    signatures.push_back(headers.at(1).second);
    done(down ? 503 : 200, "");
  }
  bool down = false;
  std::vector<std::string> bodies;
  std::vector<std::string> signatures;
};

TEST(WebhookSender, DeliversEveryVersionInOrderAfterTheReceiverComesBack) {
  testing::ManualClock clock;
  testing::ManualScheduler scheduler(clock);
  storage::sqlite::SqliteStore store(":memory:");
  ASSERT_TRUE(store.migrate());
  store.enable_outbox([](const call::Call& c, const storage::CallQuality*) {
    return std::to_string(c.version) + ":" + std::string(call::to_string(c.state));
  });
  call::Call c;
  c.id = "c1";
  c.org_id = "o";
  c.caller = {"u", "U"};
  c.created_at_ms = clock.now_ms();
  c.ring_deadline_ms = c.created_at_ms + 1000;
  ASSERT_TRUE(store.create_call(c, {}, std::nullopt));
  storage::TransitionRequest r;
  r.org_id = "o";
  r.call_id = "c1";
  r.from = {call::CallState::kRinging};
  r.to = call::CallState::kCancelled;
  r.end_reason = "caller_cancelled";
  r.now_ms = clock.now_ms();
  r.effects = call::next_transition(call::CallState::kRinging, call::CallEvent::kCancel)->effects;
  ASSERT_TRUE(store.transition(r)->call);

  FakePoster poster;
  poster.down = true;
  WebhookSender sender(store, scheduler, clock, poster, {"http://x", "s", 8, 250});
  sender.start();
  scheduler.advance(10'000);
  EXPECT_GE(poster.bodies.size(), 3u);  // Tried at 0, 1 s, 3 s, 7 s: always version 1 first.
  for (const auto& b : poster.bodies) EXPECT_EQ(b, "1:ringing");
  EXPECT_EQ(*store.webhook_pending(), 2);
  poster.down = false;
  poster.bodies.clear();
  scheduler.advance(60'000);
  EXPECT_EQ(poster.bodies, (std::vector<std::string>{"1:ringing", "2:cancelled"}));
  EXPECT_EQ(*store.webhook_pending(), 0);
}

TEST(OpsSummary, PercentileIsNearestRank) {
  EXPECT_DOUBLE_EQ(percentile({}, 0.5), 0);
  EXPECT_DOUBLE_EQ(percentile({3, 1, 2}, 0.5), 2);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 0.99), 4);
  EXPECT_DOUBLE_EQ(percentile({5}, 0.01), 5);
}

TEST(OpsSummary, CountsTheFunnelAndTurnShare) {
  std::vector<CallWithQuality> rows(3);
  rows[0].call.state = call::CallState::kEnded;
  rows[0].call.end_reason = "hangup";
  rows[0].call.created_at_ms = 0;
  rows[0].call.accepted_at_ms = 2000;
  rows[0].call.active_at_ms = 2500;
  rows[0].quality.caller = storage::QualitySummary{};
  rows[0].quality.caller->candidate_type = "relay";
  rows[1].call.state = call::CallState::kMissed;
  rows[1].call.end_reason = "timeout";
  rows[2].call.state = call::CallState::kFailed;
  rows[2].call.end_reason = "ice_failed";
  rows[2].call.accepted_at_ms = 4000;
  auto s = summarize_calls(rows, OpsContext{3600'000, 0, 45'000, 0});
  EXPECT_EQ(s.at("funnel").at("created").as_uint64(), 3u);
  EXPECT_EQ(s.at("funnel").at("accepted").as_int64(), 2);
  EXPECT_EQ(s.at("funnel").at("by_reason").at("missed/timeout").as_int64(), 1);
  EXPECT_DOUBLE_EQ(s.at("ice").at("success_rate").as_double(), 0.5);
  EXPECT_DOUBLE_EQ(s.at("ice").at("turn_share").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(s.at("setup_seconds").at("p99").as_double(), 4.0);
  EXPECT_EQ(s.at("worst_calls").as_array().size(), 1u);
}

}  // namespace
}  // namespace sb::service
