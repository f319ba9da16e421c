// The call service on a real SQLite database, with time moved by hand: routing, timers,
// presence and the rules of who may do what.

#include "service/call_service.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "fakes/manual_time.hpp"
#include "fakes/recording_bus.hpp"
#include "service/missed_rings.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace sb::service {
namespace {

using auth::Role;
using call::CallState;
using call::ErrorCode;
using call::StaffState;
using call::StaffStatus;

Principal user(const std::string& id, Role role, const std::string& org = "org1") {
  return Principal{id, org, role, "Name " + id, 0};
}

class CallServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { make_service({}); }

  void make_service(CallTimings timings) {
    service_.reset();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(":memory:");
    ASSERT_TRUE(store_->migrate());
    timings.node_id = "test";
    service_ = std::make_unique<CallService>(
        *store_, bus_, scheduler_, clock_, timings,
        IceConfig{{"stun:stun.test:3478"}, {"turn:turn.test:3478"}, "secret", 600'000});
  }

  void online(const Principal& staff) {
    service_->connection_opened(staff);
    ASSERT_TRUE(service_->set_my_status(staff, StaffStatus::kAvailable));
  }

  Call create(const Principal& client) {
    auto r = service_->create_call(client, {});
    EXPECT_TRUE(r) << (r ? "" : std::string(r.error().text()));
    return r ? r->call : Call{};
  }

  storage::StaffEntry entry(const Principal& staff) {
    return store_->find_staff(staff.org_id, staff.user_id, clock_.now_ms(), 10'000)->value();
  }

  testing::ManualClock clock_;
  testing::ManualScheduler scheduler_{clock_};
  testing::RecordingBus bus_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CallService> service_;
  Principal ana_ = user("ana", Role::kStaff);
  Principal bo_ = user("bo", Role::kStaff);
  Principal cat_ = user("cat", Role::kClient);
  Principal dan_ = user("dan", Role::kClient);
};

TEST_F(CallServiceTest, RingAllRingsEveryAvailableConnectedStaffMember) {
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  EXPECT_EQ(c.state, CallState::kRinging);
  EXPECT_EQ(bus_.to("ana", "call.incoming").size(), 1u);
  EXPECT_EQ(bus_.to("bo", "call.incoming").size(), 1u);
  EXPECT_EQ(entry(ana_).state, StaffState::kRinging);
}

TEST_F(CallServiceTest, NobodyAvailableIsRefusedAndWritesNothing) {
  service_->connection_opened(ana_);  // Connected but never chose "available".
  auto r = service_->create_call(cat_, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNoStaffAvailable);
  EXPECT_TRUE(store_->ringing_calls()->empty());
}

TEST_F(CallServiceTest, RingTimeoutMovesRingingToMissedAtTheDeadline) {
  online(ana_);
  Call c = create(cat_);
  scheduler_.advance(44'999);
  EXPECT_EQ(service_->get_call(cat_, c.id)->state, CallState::kRinging);
  scheduler_.advance(1);
  auto after = service_->get_call(cat_, c.id);
  EXPECT_EQ(after->state, CallState::kMissed);
  EXPECT_EQ(after->end_reason, "timeout");
  EXPECT_EQ(after->ended_at_ms, c.ring_deadline_ms);
  EXPECT_EQ(bus_.to("cat", "call.updated").back().at("call").at("state").as_string(), "missed");
}

TEST_F(CallServiceTest, AcceptingTellsTheCallerAndEveryRungStaffMember) {
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  auto won = service_->accept(ana_, c.id);
  ASSERT_TRUE(won);
  EXPECT_EQ(won->version, 2);
  auto lost = service_->accept(bo_, c.id);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kCallAlreadyTaken);
  EXPECT_TRUE(service_->accept(ana_, c.id));  // The winner's repeat is 200.
  auto bo_update = bus_.to("bo", "call.updated").back();
  EXPECT_EQ(bo_update.at("call").at("staff").at("id").as_string(), "ana");
  EXPECT_EQ(bus_.to("cat", "ice_servers").size(), 1u);
  EXPECT_EQ(bus_.to("ana", "ice_servers").size(), 1u);
}

TEST_F(CallServiceTest, OnlyRungStaffMayAcceptAndOnlyTheCallerMayCancel) {
  online(ana_);
  Call c = create(cat_);
  Principal outsider = user("eve", Role::kStaff);
  EXPECT_EQ(service_->accept(outsider, c.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_->accept(dan_, c.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_->cancel(dan_, c.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_->get_call(dan_, c.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_->get_call(user("cat", Role::kClient, "org2"), c.id).error().code,
            ErrorCode::kNotFound);
  auto cancelled = service_->cancel(cat_, c.id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->end_reason, "caller_cancelled");
}

TEST_F(CallServiceTest, AcceptAfterYourRingStoppedSaysWhy) {
  online(ana_);
  online(bo_);
  Call a = create(cat_);
  Call b = create(dan_);
  ASSERT_TRUE(service_->accept(ana_, a.id));  // Stops ana's ring for b (docs/api.md#routing).
  auto late = service_->accept(ana_, b.id);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kInvalidTransition);
  EXPECT_EQ(late.error().details.at("state"), "ringing");
  EXPECT_EQ(late.error().details.at("ring"), "stopped");
  // bo declines it too: nobody rings it, and ana (busy) may take it later, so it waits in the
  // queue rather than ringing nobody until its deadline (docs/queue.md).
  ASSERT_TRUE(service_->decline(bo_, b.id));
  auto again = service_->accept(bo_, b.id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().details.at("state"), "queued");
  EXPECT_EQ(service_->get_call(dan_, b.id)->state, CallState::kQueued);
}

TEST_F(CallServiceTest, EveryoneDecliningEndsTheCallDeclined) {
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  EXPECT_EQ(service_->decline(ana_, c.id)->state, CallState::kRinging);
  EXPECT_EQ(service_->get_call(cat_, c.id)->version, 1);  // docs/api.md#the-call
  auto last = service_->decline(bo_, c.id);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->state, CallState::kDeclined);
  EXPECT_EQ(last->end_reason, "all_declined");
}

TEST_F(CallServiceTest, ConnectedThenEndWithWrapUp) {
  CallTimings t;
  t.wrap_up_ms = 5000;
  make_service(t);
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  ASSERT_TRUE(service_->accept(ana_, c.id));
  EXPECT_EQ(service_->connected(cat_, c.id)->state, CallState::kActive);
  EXPECT_EQ(service_->connected(ana_, c.id)->state, CallState::kActive);  // Second report.
  EXPECT_EQ(service_->end(cat_, c.id, std::nullopt)->end_reason, "hangup");
  EXPECT_EQ(service_->end(cat_, c.id, std::nullopt).error().code, ErrorCode::kInvalidTransition);
  EXPECT_EQ(entry(ana_).state, StaffState::kWrapUp);
  // Not rung while wrapping up.
  Call next = create(dan_);
  EXPECT_EQ(bus_.to("ana", "call.incoming").size(), 1u);
  scheduler_.advance(5001);
  EXPECT_EQ(entry(ana_).state, StaffState::kRinging);  // Rung once wrap-up ended.
  EXPECT_EQ(bus_.to("ana", "call.incoming").back().at("call").at("id").as_string(), next.id);
}

TEST_F(CallServiceTest, WrapUpThatOutlivesARestartStillEndsAndRingsWaitingCalls) {
  CallTimings t;
  t.wrap_up_ms = 5000;
  make_service(t);
  online(ana_);
  Call c = create(cat_);
  ASSERT_TRUE(service_->accept(ana_, c.id));
  ASSERT_TRUE(service_->end(cat_, c.id, std::nullopt));
  online(bo_);
  // The server restarts 1 s into ana's wrap-up; a call comes in while she is still wrapping up
  // and rings bo only.
  scheduler_.advance(1000);
  testing::ManualScheduler fresh(clock_);
  t.node_id = "test";
  CallService restarted(*store_, bus_, fresh, clock_, t, IceConfig{});
  ASSERT_TRUE(restarted.recover());
  restarted.connection_opened(ana_);
  auto created = restarted.create_call(dan_, {});
  ASSERT_TRUE(created);
  const Call next = created->call;
  EXPECT_EQ(bus_.to("bo", "call.incoming").size(), 1u);
  EXPECT_EQ(entry(ana_).state, StaffState::kWrapUp);
  EXPECT_EQ(bus_.to("ana", "call.incoming").size(), 1u);
  fresh.advance(4001);  // The wrap-up timer came back from the database.
  EXPECT_EQ(entry(ana_).state, StaffState::kRinging);
  EXPECT_EQ(bus_.to("ana", "call.incoming").back().at("call").at("id").as_string(), next.id);
}

TEST_F(CallServiceTest, EndOnARingingCallIsAnInvalidTransition) {
  online(ana_);
  Call c = create(cat_);
  auto r = service_->end(cat_, c.id, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidTransition);
  EXPECT_EQ(r.error().details.at("state"), "ringing");
}

TEST_F(CallServiceTest, MediaFailureBeforeConnectingFails) {
  online(ana_);
  Call c = create(cat_);
  ASSERT_TRUE(service_->accept(ana_, c.id));
  auto failed = service_->end(ana_, c.id, std::string("ice_failed"));
  EXPECT_EQ(failed->state, CallState::kFailed);
  EXPECT_EQ(failed->end_reason, "ice_failed");
}

TEST_F(CallServiceTest, ConnectTimeoutFailsAnAcceptedCall) {
  online(ana_);
  Call c = create(cat_);
  ASSERT_TRUE(service_->accept(ana_, c.id));
  scheduler_.advance(30'001);
  auto after = service_->get_call(cat_, c.id);
  EXPECT_EQ(after->state, CallState::kFailed);
  EXPECT_EQ(after->end_reason, "connect_timeout");
}

TEST_F(CallServiceTest, LongestIdleRingsOneAtATimeAndMovesOn) {
  CallTimings t;
  t.routing = call::RoutingMode::kLongestIdle;
  t.ring_step_ms = 15'000;
  make_service(t);
  online(ana_);
  scheduler_.advance(10);
  online(bo_);
  Call c = create(cat_);
  EXPECT_EQ(bus_.to("ana", "call.incoming").size(), 1u);
  EXPECT_EQ(bus_.to("bo", "call.incoming").size(), 0u);
  scheduler_.advance(15'000);
  EXPECT_EQ(bus_.to("bo", "call.incoming").size(), 1u);
  EXPECT_EQ(entry(ana_).missed_in_row, 1);
  EXPECT_TRUE(service_->accept(bo_, c.id));
}

TEST_F(CallServiceTest, TakingACallForgivesTheMissedRingsOfWhoTookIt) {
  online(ana_);
  online(bo_);
  Call first = create(cat_);
  scheduler_.advance(45'001);
  ASSERT_EQ(service_->get_call(cat_, first.id)->state, CallState::kMissed);
  ASSERT_EQ(entry(ana_).missed_in_row, 1);
  ASSERT_EQ(entry(bo_).missed_in_row, 1);
  Call second = create(cat_);
  ASSERT_TRUE(service_->accept(ana_, second.id));
  EXPECT_EQ(entry(ana_).missed_in_row, 0);
  // Bo's ring stopped because another took the call: it neither counts nor is forgiven.
  EXPECT_EQ(entry(bo_).missed_in_row, 1);
}

TEST_F(CallServiceTest, MissedRingsInARowSetAway) {
  CallTimings t;
  t.max_missed = 2;
  make_service(t);
  online(ana_);
  for (auto client : {cat_, dan_}) {
    create(client);
    scheduler_.advance(45'000);
  }
  EXPECT_EQ(entry(ana_).chosen_status, StaffStatus::kAway);
  auto r = service_->create_call(user("fay", Role::kClient), {});
  EXPECT_EQ(r.error().code, ErrorCode::kNoStaffAvailable);
}

TEST_F(CallServiceTest, StaffWhoBecomeAvailableWhileACallRingsAreRungToo) {
  online(ana_);
  Call c = create(cat_);
  online(bo_);
  ASSERT_EQ(bus_.to("bo", "call.incoming").size(), 1u);
  EXPECT_TRUE(service_->accept(bo_, c.id));
}

TEST_F(CallServiceTest, ACallerGoneLongerThanTheGraceCancelsTheRingingCall) {
  online(ana_);
  service_->connection_opened(cat_);
  Call c = create(cat_);
  service_->connection_closed(cat_);
  scheduler_.advance(9'000);
  service_->connection_opened(cat_);  // Back within the grace: nothing happens.
  service_->connection_closed(cat_);
  scheduler_.advance(10'001);
  auto after = service_->get_call(cat_, c.id);
  EXPECT_EQ(after->state, CallState::kCancelled);
  EXPECT_EQ(after->end_reason, "caller_left");
}

TEST_F(CallServiceTest, AStaffMemberGoneLongerThanTheGraceIsNotRung) {
  online(ana_);
  service_->connection_closed(ana_);
  scheduler_.advance(10'001);
  EXPECT_EQ(entry(ana_).status, StaffStatus::kOffline);
  EXPECT_EQ(service_->create_call(cat_, {}).error().code, ErrorCode::kNoStaffAvailable);
}

storage::RingOutcome outcome_of(storage::Store& store, const Call& c, const std::string& staff) {
  for (const auto& p : store.participants(c.id).value()) {
    if (p.staff_id == staff) return p.outcome;
  }
  ADD_FAILURE() << staff << " was never rung for " << c.id;
  return storage::RingOutcome::kRinging;
}

TEST_F(CallServiceTest, RingsOfAStaffMemberWhoWentOfflineAreWithdrawnNotMissed) {
  CallTimings t;
  t.max_missed = 1;
  make_service(t);
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  service_->connection_closed(ana_);
  scheduler_.advance(10'001);
  EXPECT_EQ(outcome_of(*store_, c, "ana"), storage::RingOutcome::kWithdrawn);
  EXPECT_EQ(entry(ana_).state, StaffState::kIdle);
  EXPECT_EQ(service_->get_call(cat_, c.id)->version, 1);  // Not a change of the call.
  scheduler_.advance(35'000);
  EXPECT_EQ(service_->get_call(cat_, c.id)->state, CallState::kMissed);
  // Only bo let it ring out: he is away, ana is not.
  EXPECT_EQ(entry(bo_).missed_in_row, 1);
  EXPECT_EQ(entry(bo_).chosen_status, StaffStatus::kAway);
  EXPECT_EQ(entry(ana_).missed_in_row, 0);
  EXPECT_EQ(entry(ana_).chosen_status, StaffStatus::kAvailable);
}

TEST_F(CallServiceTest, ACallWhoseOnlyStaffMemberWentOfflineRingsOnForWhoeverComesBack) {
  online(ana_);
  Call c = create(cat_);
  service_->connection_closed(ana_);
  scheduler_.advance(10'001);
  EXPECT_EQ(service_->get_call(cat_, c.id)->state, CallState::kRinging);
  EXPECT_EQ(service_->accept(ana_, c.id).error().code, ErrorCode::kInvalidTransition);
  service_->connection_opened(ana_);
  EXPECT_EQ(bus_.to("ana", "call.incoming").size(), 2u);
  EXPECT_EQ(outcome_of(*store_, c, "ana"), storage::RingOutcome::kRinging);
  EXPECT_TRUE(service_->accept(ana_, c.id));
}

TEST_F(CallServiceTest, ACallNobodyCanBeRungForAnyMoreEndsMissedAtTheDeadline) {
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  ASSERT_TRUE(service_->decline(bo_, c.id));
  service_->connection_closed(ana_);
  scheduler_.advance(10'001);
  // Not everyone declined: it rings on, in case someone becomes available.
  EXPECT_EQ(service_->get_call(cat_, c.id)->state, CallState::kRinging);
  scheduler_.advance(35'000);
  auto after = service_->get_call(cat_, c.id);
  EXPECT_EQ(after->state, CallState::kMissed);
  EXPECT_EQ(after->end_reason, "timeout");
  EXPECT_EQ(entry(ana_).missed_in_row, 0);
  EXPECT_EQ(entry(bo_).missed_in_row, 0);
}

TEST_F(CallServiceTest, LongestIdleMovesOnWhenTheRungStaffMemberGoesOffline) {
  CallTimings t;
  t.routing = call::RoutingMode::kLongestIdle;
  t.ring_step_ms = 15'000;
  make_service(t);
  online(ana_);
  scheduler_.advance(10);
  online(bo_);
  Call c = create(cat_);
  ASSERT_EQ(bus_.to("ana", "call.incoming").size(), 1u);
  service_->connection_closed(ana_);
  scheduler_.advance(10'001);
  EXPECT_EQ(bus_.to("bo", "call.incoming").size(), 1u);
  EXPECT_EQ(outcome_of(*store_, c, "ana"), storage::RingOutcome::kWithdrawn);
  scheduler_.advance(5'000);  // Past the end of ana's step: nothing of hers counts.
  EXPECT_EQ(entry(ana_).missed_in_row, 0);
  EXPECT_EQ(outcome_of(*store_, c, "bo"), storage::RingOutcome::kRinging);
  EXPECT_TRUE(service_->accept(bo_, c.id));
}

TEST_F(CallServiceTest, RingsAreWithdrawnFromStaffWhoDoNotComeBackAfterARestart) {
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  // The same node restarts: its connections are gone, and everyone gets the grace again.
  CallTimings same_node;
  same_node.node_id = "test";
  testing::ManualScheduler fresh(clock_);
  CallService restarted(*store_, bus_, fresh, clock_, same_node, IceConfig{});
  ASSERT_TRUE(restarted.recover());
  restarted.connection_opened(bo_);
  fresh.advance(10'001);
  EXPECT_EQ(outcome_of(*store_, c, "ana"), storage::RingOutcome::kWithdrawn);
  EXPECT_EQ(outcome_of(*store_, c, "bo"), storage::RingOutcome::kRinging);
}

TEST_F(CallServiceTest, AParticipantGoneLongerThanTheReconnectGraceEndsTheCall) {
  online(ana_);
  service_->connection_opened(cat_);
  Call c = create(cat_);
  ASSERT_TRUE(service_->accept(ana_, c.id));
  ASSERT_TRUE(service_->connected(cat_, c.id));
  service_->connection_closed(ana_);
  scheduler_.advance(30'001);
  auto after = service_->get_call(cat_, c.id);
  EXPECT_EQ(after->state, CallState::kEnded);
  EXPECT_EQ(after->end_reason, "participant_lost");
}

TEST_F(CallServiceTest, RecoverySetsRingTimersAgainAfterARestart) {
  online(ana_);
  Call c = create(cat_);
  // A new service on the same database, as after a crash: its timers come from the database.
  auto& db = *store_;
  testing::ManualScheduler fresh(clock_);
  CallService restarted(db, bus_, fresh, clock_, CallTimings{}, IceConfig{});
  ASSERT_TRUE(restarted.recover());
  fresh.advance(45'000);
  EXPECT_EQ(db.find_call("org1", c.id)->value().state, CallState::kMissed);
}

TEST_F(CallServiceTest, RingsThatRanOutAroundARestartDoNotCountAsMissed) {
  CallTimings t;
  t.max_missed = 1;
  make_service(t);
  online(ana_);
  Call before = create(cat_);
  // The server dies while the call rings for ana, and comes back 50 s later, past its deadline.
  clock_.set(clock_.now_ms() + 50'000);
  t.node_id = "test";
  testing::ManualScheduler fresh(clock_);
  CallService restarted(*store_, bus_, fresh, clock_, t, IceConfig{});
  ASSERT_TRUE(restarted.recover());
  fresh.advance(0);
  EXPECT_EQ(store_->find_call("org1", before.id)->value().state, CallState::kMissed);
  EXPECT_EQ(entry(ana_).chosen_status, StaffStatus::kAvailable);
  // A call placed within the presence grace of the start rings ana before she is back.
  auto during = restarted.create_call(dan_, {});
  ASSERT_TRUE(during);
  restarted.connection_opened(ana_);
  fresh.advance(45'000);
  EXPECT_EQ(store_->find_call("org1", during->call.id)->value().state, CallState::kMissed);
  EXPECT_EQ(entry(ana_).chosen_status, StaffStatus::kAvailable);
  EXPECT_EQ(entry(ana_).missed_in_row, 0);
  // Once staff could have come back, a missed ring counts again.
  auto after = restarted.create_call(user("fay", Role::kClient), {});
  ASSERT_TRUE(after);
  fresh.advance(45'000);
  EXPECT_EQ(entry(ana_).chosen_status, StaffStatus::kAway);
}

TEST_F(CallServiceTest, StaffWhoConnectAfterAStartAreHeldToTheirRingsAtOnce) {
  CallTimings t;
  t.max_missed = 1;
  t.node_id = "test";
  testing::ManualScheduler fresh(clock_);
  CallService started(*store_, bus_, fresh, clock_, t, IceConfig{});
  ASSERT_TRUE(started.recover());
  ASSERT_TRUE(started.set_my_status(ana_, StaffStatus::kAvailable));
  started.connection_opened(ana_);
  clock_.set(clock_.now_ms() + 1);
  // Within the presence grace of the start, but ana was connected when it rang.
  auto c = started.create_call(cat_, {});
  ASSERT_TRUE(c);
  fresh.advance(45'000);
  EXPECT_EQ(store_->find_call("org1", c->call.id)->value().state, CallState::kMissed);
  EXPECT_EQ(entry(ana_).chosen_status, StaffStatus::kAway);
}

TEST(MissedRingCounts, OnlyRingsStaffCouldAnswerCount) {
  const std::int64_t start = 100'000, grace = 10'000;
  EXPECT_TRUE(missed_ring_counts(50'000, std::nullopt, grace, std::nullopt));  // never restarted
  EXPECT_FALSE(missed_ring_counts(90'000, start, grace, 95'000));         // rang before the start
  EXPECT_FALSE(missed_ring_counts(101'000, start, grace, std::nullopt));  // not back yet
  EXPECT_FALSE(missed_ring_counts(101'000, start, grace, 102'000));       // back after it rang
  EXPECT_FALSE(missed_ring_counts(102'000, start, grace, 102'000));       // the same millisecond
  EXPECT_TRUE(missed_ring_counts(103'000, start, grace, 102'000));        // back before it rang
  EXPECT_TRUE(missed_ring_counts(110'000, start, grace, std::nullopt));   // past the grace
}

TEST_F(CallServiceTest, SignalsFlowOnlyBetweenTheParticipantsOfALiveCall) {
  online(ana_);
  online(bo_);
  Call c = create(cat_);
  EXPECT_EQ(service_->signal_peer(cat_, c.id).error().code, ErrorCode::kInvalidTransition);
  ASSERT_TRUE(service_->accept(ana_, c.id));
  EXPECT_EQ(*service_->signal_peer(cat_, c.id), "ana");
  EXPECT_EQ(*service_->signal_peer(ana_, c.id), "cat");
  EXPECT_EQ(service_->signal_peer(bo_, c.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_->signal_peer(user("ana", Role::kStaff, "org2"), c.id).error().code,
            ErrorCode::kNotFound);
}

TEST_F(CallServiceTest, QualitySummaryShowsOnTheEndedCall) {
  online(ana_);
  Call c = create(cat_);
  ASSERT_TRUE(service_->accept(ana_, c.id));
  storage::QualitySample s;
  s.rtt_ms = 10;
  s.packet_loss_pct = 1;
  s.candidate_type = "relay";
  ASSERT_TRUE(service_->add_quality(cat_, c.id, s));
  s.rtt_ms = 30;
  ASSERT_TRUE(service_->add_quality(cat_, c.id, s));
  // A sample without an RTT reading (none yet) leaves the RTT average alone.
  s.rtt_ms.reset();
  s.packet_loss_pct = 4;
  ASSERT_TRUE(service_->add_quality(cat_, c.id, s));
  EXPECT_EQ(service_->give_feedback(cat_, c.id, {5, {}, ""}).error().code,
            ErrorCode::kInvalidTransition);
  auto ended = service_->end(cat_, c.id, std::nullopt);
  auto view = service_->render(*ended);
  const auto& caller = view.at("quality").at("caller").as_object();
  EXPECT_EQ(caller.at("samples").as_int64(), 3);
  EXPECT_DOUBLE_EQ(caller.at("rtt_ms").at("avg").as_double(), 20.0);
  EXPECT_DOUBLE_EQ(caller.at("rtt_ms").at("max").as_double(), 30.0);
  EXPECT_DOUBLE_EQ(caller.at("packet_loss_pct").at("avg").as_double(), 2.0);
  EXPECT_DOUBLE_EQ(caller.at("packet_loss_pct").at("max").as_double(), 4.0);
  // Never measured: no average to show, rather than a flattering zero.
  EXPECT_TRUE(caller.at("jitter_ms").at("avg").is_null());
  EXPECT_TRUE(caller.at("bitrate_kbps").at("video_in").is_null());
  EXPECT_EQ(caller.at("candidate_type").as_string(), "relay");
  EXPECT_TRUE(view.at("quality").at("staff").is_null());
  // The end was announced with the same summary.
  EXPECT_EQ(bus_.to("cat", "call.updated").back().at("call").as_object(), view);
  EXPECT_TRUE(service_->give_feedback(cat_, c.id, {5, {"audio"}, "fine"}));
}

TEST_F(CallServiceTest, OnlyTerminalCallsCarryQualityEvenWithoutSamples) {
  online(ana_);
  Call c = create(cat_);
  auto accepted = service_->accept(ana_, c.id);
  ASSERT_TRUE(accepted);
  EXPECT_FALSE(service_->render(*accepted).contains("quality"));
  EXPECT_FALSE(bus_.to("cat", "call.updated").back().at("call").as_object().contains("quality"));
  auto ended = service_->end(ana_, c.id, std::nullopt);
  ASSERT_TRUE(ended);
  const auto announced = bus_.to("cat", "call.updated").back().at("call").as_object();
  EXPECT_TRUE(announced.at("quality").at("caller").is_null());
  EXPECT_TRUE(announced.at("quality").at("staff").is_null());
  EXPECT_EQ(service_->render(*ended), announced);
}

// When the staff list cannot be read, a create is `unavailable` (retryable), never the
// misleading "nobody available", and nothing is written.
TEST(CallServiceStorageFault, CreateIsUnavailableWhenTheStaffListCannotBeRead) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("sb-fault-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".db");
  std::filesystem::remove(path);
  testing::ManualClock clock;
  testing::ManualScheduler scheduler{clock};
  testing::RecordingBus bus;
  storage::sqlite::SqliteStore store(path.string());
  ASSERT_TRUE(store.migrate());
  CallTimings timings;
  timings.node_id = "test";
  CallService service(store, bus, scheduler, clock, timings, IceConfig{});
  const Principal ana = user("ana", Role::kStaff);
  service.connection_opened(ana);
  ASSERT_TRUE(service.set_my_status(ana, StaffStatus::kAvailable));

  // Another connection breaks the schema under the running service.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(other, "ALTER TABLE staff RENAME TO staff_gone", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(other);

  auto r = service.create_call(user("cat", Role::kClient), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(bus.to("ana", "call.incoming").empty());
  std::filesystem::remove(path);
}

/// A SQLite store on a file another connection can change under the running service.
class CallServiceWriteFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::remove(path_);
    store_ = std::make_unique<storage::sqlite::SqliteStore>(path_.string());
    ASSERT_TRUE(store_->migrate());
    timings_.node_id = "test";
    service_ =
        std::make_unique<CallService>(*store_, bus_, scheduler_, clock_, timings_, IceConfig{});
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove(path_);
  }

  /// Runs `sql` on a second connection to the database file.
  void on_the_side(const std::string& sql) {
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(other, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
  }

  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() /
      ("sb-write-fault-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ".db");
  testing::ManualClock clock_;
  testing::ManualScheduler scheduler_{clock_};
  testing::RecordingBus bus_;
  CallTimings timings_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CallService> service_;
};

TEST_F(CallServiceWriteFaultTest, AnAcceptWhoseWriteFailsIsUnavailableNotALostRace) {
  const Principal ana = user("ana", Role::kStaff);
  service_->connection_opened(ana);
  ASSERT_TRUE(service_->set_my_status(ana, StaffStatus::kAvailable));
  auto created = service_->create_call(user("cat", Role::kClient), {});
  ASSERT_TRUE(created);
  EXPECT_TRUE(store_->ping());
  // Reads still work but no call can be moved, as on a full disk.
  on_the_side(
      "CREATE TRIGGER full_disk BEFORE UPDATE ON calls BEGIN SELECT RAISE(FAIL, 'disk full'); "
      "END");
  auto refused = service_->accept(ana, created->call.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(store_->ping());  // Not ready while writes fail.
  // Nothing was lost: once writes work again the same accept goes through.
  on_the_side("DROP TRIGGER full_disk");
  auto accepted = service_->accept(ana, created->call.id);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->state, CallState::kAccepted);
  EXPECT_TRUE(store_->ping());
}

// Issue 10 item 6: a ring timeout whose write fails is not announced (nothing is, until it is
// durable) and ends at the next due check once writes work again, not at the next sweep.
TEST_F(CallServiceWriteFaultTest, ARingTimeoutWhoseWriteFailedEndsAtTheNextDueCheck) {
  const Principal ana = user("ana", Role::kStaff);
  service_->connection_opened(ana);
  ASSERT_TRUE(service_->set_my_status(ana, StaffStatus::kAvailable));
  auto created = service_->create_call(user("cat", Role::kClient), {});
  ASSERT_TRUE(created);
  const Call c = created->call;
  // News of the call beyond `ringing` (the caller hears that one when the call is placed).
  const auto news = [&](const std::string& user_id) {
    std::vector<std::string> states;
    for (const auto& m : bus_.to(user_id, "call.updated")) {
      const auto state = std::string(m.at("call").at("state").as_string());
      if (state != "ringing") states.push_back(state);
    }
    return states;
  };
  on_the_side(
      "CREATE TRIGGER full_disk BEFORE UPDATE ON calls BEGIN SELECT RAISE(FAIL, 'disk full'); "
      "END");
  scheduler_.advance(timings_.ring_timeout_ms + 2'000);  // The timer fired and its write failed.
  EXPECT_TRUE(service_->take_over_due());                // Reads work: so does the check.
  EXPECT_EQ((*store_->find_call("org1", c.id))->state, CallState::kRinging);
  EXPECT_TRUE(news("cat").empty());
  EXPECT_TRUE(news("ana").empty());

  on_the_side("DROP TRIGGER full_disk");
  EXPECT_TRUE(service_->take_over_due());
  const Call ended = **store_->find_call("org1", c.id);
  EXPECT_EQ(ended.state, CallState::kMissed);
  EXPECT_EQ(ended.end_reason, "timeout");
  EXPECT_EQ(news("cat"), (std::vector<std::string>{"missed"}));
  EXPECT_EQ(news("ana"), (std::vector<std::string>{"missed"}));
}

// Issue 10 item 8: two nodes on one database. Node A sets the call's timers and dies; node B's
// due check ends the call once it is kTakeOverAfterMs past its deadline, not before (a live
// node's own timer would still be running it).
TEST(CallServiceTakeOver, ASurvivingNodeEndsADeadNodesDueCalls) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("sb-take-over-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".db");
  std::filesystem::remove(path);
  testing::ManualClock clock;
  testing::RecordingBus bus;
  storage::sqlite::SqliteStore store_a(path.string());
  ASSERT_TRUE(store_a.migrate());
  storage::sqlite::SqliteStore store_b(path.string());
  CallTimings timings;
  timings.single_node = false;
  timings.node_id = "a";
  testing::ManualScheduler dead(clock);  // Node A's timers never run again.
  CallService a(store_a, bus, dead, clock, timings, IceConfig{});
  timings.node_id = "b";
  testing::ManualScheduler alive(clock);
  CallService b(store_b, bus, alive, clock, timings, IceConfig{});

  const Principal ana = user("ana", Role::kStaff);
  b.connection_opened(ana);
  ASSERT_TRUE(b.set_my_status(ana, StaffStatus::kAvailable));
  auto created = a.create_call(user("cat", Role::kClient), {});
  ASSERT_TRUE(created);
  const Call c = created->call;

  clock.set(c.ring_deadline_ms + CallTimers::kTakeOverAfterMs - 1);
  EXPECT_TRUE(b.take_over_due());
  EXPECT_EQ((*store_b.find_call("org1", c.id))->state, CallState::kRinging);
  clock.set(c.ring_deadline_ms + CallTimers::kTakeOverAfterMs);
  EXPECT_TRUE(b.take_over_due());
  const Call missed = **store_b.find_call("org1", c.id);
  EXPECT_EQ(missed.state, CallState::kMissed);
  EXPECT_EQ(missed.end_reason, "timeout");
  EXPECT_EQ(missed.ended_at_ms, c.ring_deadline_ms + CallTimers::kTakeOverAfterMs);
  EXPECT_EQ(bus.to("ana", "call.updated").back().at("call").at("state").as_string(), "missed");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sb::service
