// docs/config.md#ice-server-profiles on the call service: each accepted call draws one ICE profile,
// records it, and both participants get that profile's servers, pushed and on GET
// /v1/ice-servers?call_id=.

#include <gtest/gtest.h>

#include <map>

#include "fakes/manual_time.hpp"
#include "fakes/recording_bus.hpp"
#include "service/call_service.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace sb::service {
namespace {

using auth::Role;
using call::StaffStatus;

Principal user(const std::string& id, Role role) {
  return Principal{id, "org1", role, id, 0};
}

/// The URLs of `{"ice_servers": [...]}`, flattened.
std::vector<std::string> urls_of(const boost::json::object& message) {
  std::vector<std::string> out;
  for (const auto& server : message.at("ice_servers").as_array()) {
    for (const auto& url : server.at("urls").as_array()) out.emplace_back(url.as_string());
  }
  return out;
}

class CallIceProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.migrate());
    CallTimings timings;
    timings.node_id = "test";
    IceConfig ice{{}, {}, "secret", 600'000, {}};
    ice.profiles = {{"udp", 1, {"stun:s:3478"}, {"turn:t:3478?transport=udp"}},
                    {"tls443", 1, {"stun:s:3478"}, {"turns:t:443?transport=tcp"}}};
    service_ = std::make_unique<CallService>(store_, bus_, scheduler_, clock_, timings, ice);
    service_->connection_opened(ana_);
    ASSERT_TRUE(service_->set_my_status(ana_, StaffStatus::kAvailable));
  }

  /// A call from `client`, accepted by ana, then hung up so the next one can ring her.
  Call accepted_call(const Principal& client) {
    auto created = service_->create_call(client, {});
    EXPECT_TRUE(created);
    auto accepted = service_->accept(ana_, created->call.id);
    EXPECT_TRUE(accepted);
    return *accepted;
  }

  void hang_up(const Call& c) { EXPECT_TRUE(service_->end(ana_, c.id, std::nullopt)); }

  testing::ManualClock clock_;
  testing::ManualScheduler scheduler_{clock_};
  testing::RecordingBus bus_;
  storage::sqlite::SqliteStore store_{":memory:"};
  std::unique_ptr<CallService> service_;
  Principal ana_ = user("ana", Role::kStaff);
  Principal cat_ = user("cat", Role::kClient);
};

TEST_F(CallIceProfileTest, TheAcceptedCallRecordsItsProfileAndBothSidesGetItsServers) {
  Call c = accepted_call(cat_);
  ASSERT_TRUE(c.ice_profile);
  EXPECT_TRUE(*c.ice_profile == "udp" || *c.ice_profile == "tls443") << *c.ice_profile;
  EXPECT_EQ(service_->get_call(cat_, c.id)->ice_profile, c.ice_profile);  // Stored.
  const std::string turn =
      *c.ice_profile == "udp" ? "turn:t:3478?transport=udp" : "turns:t:443?transport=tcp";
  for (const char* who : {"cat", "ana"}) {
    auto pushed = bus_.to(who, "ice_servers");
    ASSERT_EQ(pushed.size(), 1u) << who;
    EXPECT_EQ(urls_of(pushed.back()), (std::vector<std::string>{"stun:s:3478", turn})) << who;
  }
  EXPECT_EQ(bus_.to("cat", "call.updated").back().at("call").at("ice_profile").as_string(),
            *c.ice_profile);
  for (const auto& who : {cat_, ana_}) {
    auto fetched = service_->ice_servers_for(who, c.id);
    ASSERT_TRUE(fetched);
    EXPECT_EQ(urls_of(*fetched), (std::vector<std::string>{"stun:s:3478", turn}));
  }
}

TEST_F(CallIceProfileTest, WithoutACallTheFirstProfileAndOnlyParticipantsMayAskForACall) {
  auto plain = service_->ice_servers_for(cat_, std::nullopt);
  ASSERT_TRUE(plain);
  EXPECT_EQ(urls_of(*plain),
            (std::vector<std::string>{"stun:s:3478", "turn:t:3478?transport=udp"}));
  Call c = accepted_call(cat_);
  auto outsider = service_->ice_servers_for(user("dan", Role::kClient), c.id);
  ASSERT_FALSE(outsider);
  EXPECT_EQ(outsider.error().code, call::ErrorCode::kForbidden);
  auto unknown = service_->ice_servers_for(cat_, std::string("call_nope"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, call::ErrorCode::kNotFound);
}

TEST_F(CallIceProfileTest, CallsDrawBothProfilesOfEqualWeight) {
  std::map<std::string, int> drawn;
  for (int i = 0; i < 40; ++i) {
    Call c = accepted_call(cat_);
    drawn[c.ice_profile.value_or("none")]++;
    hang_up(c);
  }
  // 40 fair draws all landing on one side: a chance of 2 in 2^40.
  EXPECT_GT(drawn["udp"], 0);
  EXPECT_GT(drawn["tls443"], 0);
  EXPECT_EQ(drawn["udp"] + drawn["tls443"], 40);
}

}  // namespace
}  // namespace sb::service
