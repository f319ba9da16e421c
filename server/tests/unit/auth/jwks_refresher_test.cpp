#include "auth/jwks_refresher.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "fakes/manual_time.hpp"
#include "unit/auth/test_keys.hpp"

namespace sb::auth {
namespace {

using testing::jwk_of;
using testing::other_rsa_key;
using testing::rsa_key;

constexpr std::int64_t kSecond = 1000;

std::string jwks_text(std::initializer_list<boost::json::object> keys) {
  boost::json::array array;
  for (const auto& k : keys) array.push_back(k);
  return boost::json::serialize(boost::json::object{{"keys", std::move(array)}});
}

// GETs wait here until the test answers them.
struct FakeProvider {
  std::deque<std::function<void(JwksResponse)>> pending;
  int requests = 0;

  JwksGetter getter() {
    return [this](std::function<void(JwksResponse)> done) {
      ++requests;
      pending.push_back(std::move(done));
    };
  }
  void answer(JwksResponse response) {
    ASSERT_FALSE(pending.empty());
    auto done = std::move(pending.front());
    pending.pop_front();
    done(std::move(response));
  }
  void answer_keys(std::initializer_list<boost::json::object> keys,
                   std::string cache_control = "") {
    answer(JwksResponse{200, "", jwks_text(keys), std::move(cache_control)});
  }
};

class JwksRefresherTest : public ::testing::Test {
 protected:
  JwksRefresherTest()
      : verifier_(JwtVerifier::create({.algorithm = JwtAlgorithm::kRs256, .keys_from_jwks = true})
                      .value()),
        refresher_(verifier_, provider_.getter(), scheduler_, clock_, JwksTimings{},
                   [this](const JwksRefreshReport& r) { reports_.push_back(r); }) {}

  sb::testing::ManualClock clock_;
  sb::testing::ManualScheduler scheduler_{clock_};
  FakeProvider provider_;
  JwtVerifier verifier_;
  std::vector<JwksRefreshReport> reports_;
  JwksRefresher refresher_;
};

TEST(JwksPeriod, FollowsMaxAgeWithinBounds) {
  const JwksTimings t;
  EXPECT_EQ(jwks_period_ms("", t), 5 * 60 * kSecond);
  EXPECT_EQ(jwks_period_ms("public, max-age=600", t), 600 * kSecond);
  EXPECT_EQ(jwks_period_ms("Public, Max-Age=120, stale-while-revalidate=15", t), 120 * kSecond);
  EXPECT_EQ(jwks_period_ms("max-age=15", t), 60 * kSecond);       // Auth0: raised to the minimum.
  EXPECT_EQ(jwks_period_ms("max-age=86400", t), 3600 * kSecond);  // Entra ID: the maximum.
  EXPECT_EQ(jwks_period_ms("max-age=99999999999999999999", t), 5 * 60 * kSecond);  // Unreadable.
  EXPECT_EQ(jwks_period_ms("no-cache", t), 5 * 60 * kSecond);                      // Keycloak.
  EXPECT_EQ(jwks_period_ms("max-age=600, no-store", t), 5 * 60 * kSecond);
  EXPECT_EQ(jwks_period_ms("max-age=-5", t), 5 * 60 * kSecond);
  EXPECT_EQ(jwks_period_ms("max-age=1e3", t), 5 * 60 * kSecond);
}

TEST_F(JwksRefresherTest, TheFirstKeySetArrivesInTheBackground) {
  refresher_.start();
  EXPECT_EQ(provider_.requests, 1);
  EXPECT_FALSE(verifier_.has_keys());
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  EXPECT_TRUE(verifier_.has_keys());
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_TRUE(reports_[0].ok);
  EXPECT_EQ(reports_[0].reason, "start");
  EXPECT_EQ(reports_[0].keys, 1u);
}

TEST_F(JwksRefresherTest, RefreshesWhenMaxAgeRunsOut) {
  refresher_.start();
  provider_.answer_keys({jwk_of(rsa_key(), "a")}, "max-age=120");
  scheduler_.advance(119 * kSecond);
  EXPECT_EQ(provider_.requests, 1);
  scheduler_.advance(1 * kSecond);
  EXPECT_EQ(provider_.requests, 2);
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  EXPECT_EQ(reports_.back().reason, "periodic");
  scheduler_.advance(5 * 60 * kSecond);  // No max-age this time: the default period.
  EXPECT_EQ(provider_.requests, 3);
}

TEST_F(JwksRefresherTest, FailuresKeepTheKeysAndRetryWithBackoff) {
  refresher_.start();
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  scheduler_.advance(5 * 60 * kSecond);
  ASSERT_EQ(provider_.requests, 2);
  provider_.answer(JwksResponse{500, "", "oops", ""});
  EXPECT_FALSE(reports_.back().ok);
  EXPECT_EQ(reports_.back().error, "HTTP status 500");
  EXPECT_TRUE(verifier_.has_keys());
  scheduler_.advance(1 * kSecond);
  ASSERT_EQ(provider_.requests, 3);
  provider_.answer(JwksResponse{0, "connect: refused", "", ""});
  EXPECT_EQ(reports_.back().reason, "retry");
  scheduler_.advance(1 * kSecond);
  EXPECT_EQ(provider_.requests, 3);  // The second retry waits 2 s.
  scheduler_.advance(1 * kSecond);
  ASSERT_EQ(provider_.requests, 4);
  provider_.answer(JwksResponse{200, "", "<html>login</html>", ""});
  EXPECT_EQ(reports_.back().error, "the response is not a JWKS document");
  scheduler_.advance(4 * kSecond);
  ASSERT_EQ(provider_.requests, 5);
  // A set in which nothing fits RS256 would refuse every token: a failure, the old keys stay.
  provider_.answer_keys({jwk_of(testing::ec_key(), "e")});
  EXPECT_FALSE(reports_.back().ok);
  EXPECT_EQ(reports_.back().ignored, 1);
  const auto by_a = testing::sign(
      JWT_ALG_RS256, rsa_key().private_pem,
      {{"sub", "u"}, {"org", "o"}, {"role", "client"}, {"exp", clock_.now_ms() / 1000 + 60}}, "a");
  EXPECT_TRUE(verifier_.verify(by_a, clock_.now_ms() / 1000));
  scheduler_.advance(8 * kSecond);
  ASSERT_EQ(provider_.requests, 6);
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  EXPECT_TRUE(reports_.back().ok);
  scheduler_.advance(1 * kSecond);  // Back to the period, not the backoff.
  EXPECT_EQ(provider_.requests, 6);
}

TEST_F(JwksRefresherTest, AnUnknownKidRefreshesAtOnceWhenTheGapHasPassed) {
  refresher_.start();
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  scheduler_.advance(10 * kSecond);
  refresher_.unknown_kid();
  EXPECT_EQ(provider_.requests, 2);
  refresher_.unknown_kid();  // One is under way: it reads the provider's current set anyway.
  EXPECT_EQ(provider_.requests, 2);
  provider_.answer_keys({jwk_of(other_rsa_key(), "b")});
  EXPECT_EQ(reports_.back().reason, "unknown_kid");
}

TEST_F(JwksRefresherTest, UnknownKidsWithinTheGapShareOneDeferredRefresh) {
  refresher_.start();
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  scheduler_.advance(3 * kSecond);
  for (int i = 0; i < 100; ++i) refresher_.unknown_kid();
  EXPECT_EQ(provider_.requests, 1);
  scheduler_.advance(6 * kSecond);
  EXPECT_EQ(provider_.requests, 1);
  scheduler_.advance(1 * kSecond);  // 10 s after the last refresh started.
  EXPECT_EQ(provider_.requests, 2);
  provider_.answer_keys({jwk_of(other_rsa_key(), "b")});
  for (int i = 0; i < 100; ++i) refresher_.unknown_kid();
  scheduler_.advance(10 * kSecond);
  EXPECT_EQ(provider_.requests, 3);
}

TEST_F(JwksRefresherTest, VerifierAsksForTheRefreshOfARotatedKey) {
  verifier_.on_unknown_kid([this] { refresher_.unknown_kid(); });
  refresher_.start();
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  scheduler_.advance(30 * kSecond);
  const std::int64_t now_s = clock_.now_ms() / 1000;
  const boost::json::object claims{
      {"sub", "u"}, {"org", "o"}, {"role", "client"}, {"exp", now_s + 600}};
  const auto by_b = testing::sign(JWT_ALG_RS256, other_rsa_key().private_pem, claims, "b");
  EXPECT_FALSE(verifier_.verify(by_b, now_s));  // Refused now; the refresh starts.
  EXPECT_EQ(provider_.requests, 2);
  provider_.answer_keys({jwk_of(other_rsa_key(), "b")});
  EXPECT_TRUE(verifier_.verify(by_b, now_s));
}

TEST_F(JwksRefresherTest, AResponseAfterDestructionIsDropped) {
  auto refresher = std::make_unique<JwksRefresher>(verifier_, provider_.getter(), scheduler_,
                                                   clock_, JwksTimings{}, nullptr);
  refresher->start();
  refresher.reset();
  provider_.answer_keys({jwk_of(rsa_key(), "a")});
  EXPECT_FALSE(verifier_.has_keys());
  EXPECT_EQ(scheduler_.pending(), 0u);
}

}  // namespace
}  // namespace sb::auth
