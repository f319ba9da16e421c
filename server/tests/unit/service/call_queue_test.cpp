// The queue, topics and transfer (docs/queue.md) through the call service, on a real
// SQLite database with time moved by hand.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "fakes/manual_time.hpp"
#include "fakes/recording_bus.hpp"
#include "service/call_service.hpp"
#include "storage/sql_store/sql_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace sb::service {
namespace {

using auth::Role;
using call::CallState;
using call::ErrorCode;
using call::StaffState;
using call::StaffStatus;

Principal user(const std::string& id, Role role, std::vector<std::string> skills = {}) {
  Principal p{id, "org1", role, "Name " + id, 0};
  p.skills = std::move(skills);
  return p;
}

class WaitObserver final : public CallObserver {
 public:
  void on_queue_wait(double seconds) override { waits.push_back(seconds); }
  std::vector<double> waits;
};

class CallQueueTest : public ::testing::Test {
 protected:
  void SetUp() override { make_service({}); }

  void make_service(CallTimings timings) {
    service_.reset();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(":memory:");
    ASSERT_TRUE(store_->migrate());
    timings.node_id = "test";
    timings_ = timings;
    service_ = std::make_unique<CallService>(*store_, bus_, scheduler_, clock_, timings,
                                             IceConfig{}, &observer_);
  }

  void online(const Principal& staff) {
    service_->connection_opened(staff);
    ASSERT_TRUE(service_->set_my_status(staff, StaffStatus::kAvailable));
  }

  Result<CreateCallResult> create(const Principal& client,
                                  std::optional<std::string> topic = std::nullopt) {
    CreateCallRequest request;
    request.topic = std::move(topic);
    return service_->create_call(client, request);
  }

  /// `staff` takes a call from `client` and stays in it.
  Call busy_with(const Principal& staff, const Principal& client) {
    auto c = create(client);
    EXPECT_TRUE(c && c->call.state == CallState::kRinging);
    auto accepted = service_->accept(staff, c->call.id);
    EXPECT_TRUE(accepted);
    EXPECT_TRUE(service_->connected(client, c->call.id));
    return *accepted;
  }

  StaffState state_of(const Principal& staff) {
    return store_->find_staff("org1", staff.user_id, clock_.now_ms(), 10'000)->value().state;
  }

  testing::ManualClock clock_;
  testing::ManualScheduler scheduler_{clock_};
  testing::RecordingBus bus_;
  WaitObserver observer_;
  CallTimings timings_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CallService> service_;
  Principal ana_ = user("ana", Role::kStaff);
  Principal bo_ = user("bo", Role::kStaff);
  Principal cat_ = user("cat", Role::kClient);
  Principal dan_ = user("dan", Role::kClient);
  Principal eli_ = user("eli", Role::kClient);
  Principal fay_ = user("fay", Role::kClient);
};

TEST_F(CallQueueTest, ACallForBusyStaffWaitsAndRingsWhenTheyAreFree) {
  online(ana_);
  const Call first = busy_with(ana_, cat_);
  clock_.set(clock_.now_ms() + 1000);
  auto queued = create(dan_);
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->call.state, CallState::kQueued);
  EXPECT_EQ(queued->call.queued_at_ms, clock_.now_ms());
  EXPECT_EQ(queued->call.queue_deadline_ms, clock_.now_ms() + 300'000);
  ASSERT_TRUE(queued->call.queue);
  EXPECT_EQ(queued->call.queue->position, 1);
  EXPECT_FALSE(queued->call.queue->estimated_wait_s);  // No answered call in the org yet.
  EXPECT_TRUE(bus_.to("ana", "call.incoming").size() == 1u);
  scheduler_.advance(1000);
  auto told = bus_.to("dan", "queue.updated");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told.back().at("position").as_int64(), 1);
  EXPECT_TRUE(told.back().at("estimated_wait_s").is_null());

  scheduler_.advance(9000);
  ASSERT_TRUE(service_->end(cat_, first.id, std::nullopt));  // ana is free: dan's call rings.
  auto now = service_->get_call(dan_, queued->call.id);
  EXPECT_EQ(now->state, CallState::kRinging);
  EXPECT_EQ(now->version, 2);
  EXPECT_EQ(now->ring_deadline_ms, clock_.now_ms() + 45'000);
  EXPECT_EQ(bus_.to("ana", "call.incoming").back().at("call").at("id").as_string(),
            queued->call.id);
  EXPECT_EQ(state_of(ana_), StaffState::kRinging);
  EXPECT_TRUE(observer_.waits.empty()) << "not settled while it rings: it may go back";
  // Its ring deadline is a ring deadline again.
  scheduler_.advance(45'000);
  EXPECT_EQ(service_->get_call(dan_, queued->call.id)->end_reason, "timeout");
  ASSERT_EQ(observer_.waits.size(), 1u);
  EXPECT_DOUBLE_EQ(observer_.waits[0], 10.0) << "queued until it rang";
}

TEST_F(CallQueueTest, TheBoardsHearOfEveryCallThatJoinsOrLeavesTheQueue) {
  online(ana_);
  const Call first = busy_with(ana_, cat_);
  // docs/asyncapi.yaml: the org's boards on every node send the queue's length in their next
  // board.updated, though no staff row changed.
  const auto queue_changes = [&] {
    return std::count_if(bus_.sent.begin(), bus_.sent.end(),
                         [](const bus::Delivery& d) { return d.queue_changed; });
  };
  EXPECT_EQ(queue_changes(), 0) << "calls rung at once are no queue change";
  create(dan_);
  EXPECT_EQ(queue_changes(), 1) << "joined";
  const Call leaving = create(eli_)->call;
  ASSERT_TRUE(service_->cancel(eli_, leaving.id));
  EXPECT_EQ(queue_changes(), 3) << "joined, then left by the caller";
  ASSERT_TRUE(service_->end(cat_, first.id, std::nullopt));
  EXPECT_EQ(queue_changes(), 4) << "left to ring ana";
  const auto& change = *std::find_if(bus_.sent.begin(), bus_.sent.end(),
                                     [](const bus::Delivery& d) { return d.queue_changed; });
  EXPECT_EQ(change.org_id, "org1");
  EXPECT_TRUE(change.user_ids.empty());
  EXPECT_TRUE(change.payload.empty());
}

TEST_F(CallQueueTest, QueuedCallsRingFirstInFirstOutAndHearTheirPlaces) {
  online(ana_);
  const Call first = busy_with(ana_, cat_);
  const std::string d = create(dan_)->call.id;
  clock_.set(clock_.now_ms() + 10);
  const std::string e = create(eli_)->call.id;
  auto listed = service_->queued_calls(ana_);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, d);
  EXPECT_EQ((*listed)[1].queue->position, 2);
  EXPECT_EQ(service_->queued_calls(cat_).error().code, ErrorCode::kForbidden);
  scheduler_.advance(1000);
  EXPECT_EQ(bus_.to("eli", "queue.updated").back().at("position").as_int64(), 2);
  ASSERT_TRUE(service_->end(ana_, first.id, std::nullopt));
  EXPECT_EQ(service_->get_call(dan_, d)->state, CallState::kRinging);
  EXPECT_EQ(service_->get_call(eli_, e)->state, CallState::kQueued);
  scheduler_.advance(1000);
  auto eli_told = bus_.to("eli", "queue.updated").back();
  EXPECT_EQ(eli_told.at("position").as_int64(), 1);
  // An answered call in the org now gives an estimate: about one call's length away.
  EXPECT_FALSE(eli_told.at("estimated_wait_s").is_null());
}

TEST_F(CallQueueTest, WhoCannotWaitIsRefused) {
  auto none = create(cat_);
  EXPECT_EQ(none.error().code, ErrorCode::kNoStaffAvailable);  // Nobody online at all.
  CallTimings t;
  t.max_queue = 1;
  make_service(t);
  online(ana_);
  busy_with(ana_, cat_);
  ASSERT_EQ(create(dan_)->call.state, CallState::kQueued);
  auto full = create(eli_);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::kQueueFull);
  EXPECT_TRUE(call::error_info(ErrorCode::kQueueFull).retryable);
  t.max_queue = 0;  // v1 behaviour.
  make_service(t);
  online(ana_);
  busy_with(ana_, cat_);
  EXPECT_EQ(create(dan_).error().code, ErrorCode::kNoStaffAvailable);
}

TEST_F(CallQueueTest, ACallQueuedTooLongIsMissedAndACallerWhoLeftIsCancelled) {
  online(ana_);
  busy_with(ana_, cat_);
  const Call waiting = create(dan_)->call;
  service_->connection_opened(eli_);
  const Call leaving = create(eli_)->call;
  service_->connection_closed(eli_);
  scheduler_.advance(10'001);
  auto left = service_->get_call(eli_, leaving.id);
  EXPECT_EQ(left->state, CallState::kCancelled);
  EXPECT_EQ(left->end_reason, "caller_left");
  scheduler_.advance(300'000);
  auto missed = service_->get_call(dan_, waiting.id);
  EXPECT_EQ(missed->state, CallState::kMissed);
  EXPECT_EQ(missed->end_reason, "queue_timeout");
  EXPECT_EQ(missed->ended_at_ms, waiting.queue_deadline_ms);
  EXPECT_EQ(observer_.waits.size(), 2u);
}

TEST_F(CallQueueTest, APromotedCallNobodyTakesGoesBackToItsPlaceWhileItMayWait) {
  online(ana_);
  online(bo_);
  const Call ana_call = busy_with(ana_, cat_);
  const Call bo_call = busy_with(bo_, fay_);
  const Call dan = create(dan_)->call;
  clock_.set(clock_.now_ms() + 10);
  const Call eli = create(eli_)->call;
  scheduler_.advance(20'000);
  ASSERT_TRUE(service_->end(cat_, ana_call.id, std::nullopt));
  ASSERT_EQ(service_->get_call(dan_, dan.id)->state, CallState::kRinging);

  // ana declines; bo (busy) could still take it: back at its old place, with its old deadline.
  ASSERT_TRUE(service_->decline(ana_, dan.id));
  auto back = service_->get_call(dan_, dan.id);
  EXPECT_EQ(back->state, CallState::kQueued);
  EXPECT_EQ(back->version, 3);
  EXPECT_EQ(back->queued_at_ms, dan.queued_at_ms);
  EXPECT_EQ(back->queue_deadline_ms, dan.queue_deadline_ms);
  EXPECT_EQ(back->ring_deadline_ms, dan.queue_deadline_ms);
  EXPECT_FALSE(back->end_reason);
  auto heard = bus_.to("dan", "call.updated").back().at("call");
  EXPECT_EQ(heard.at("state").as_string(), "queued");
  EXPECT_EQ(heard.at("queue").at("position").as_int64(), 1);
  // ana is not offered it again; the call behind it, which she may take, rings her instead.
  EXPECT_EQ(service_->get_call(eli_, eli.id)->state, CallState::kRinging);
  EXPECT_EQ(bus_.to("ana", "call.incoming").back().at("call").at("id").as_string(), eli.id);
  scheduler_.advance(1000);
  EXPECT_EQ(bus_.to("dan", "queue.updated").back().at("position").as_int64(), 1);

  // bo is freed: dan rings him. He lets it ring out, and nobody who has not refused it is left.
  ASSERT_TRUE(service_->end(bo_, bo_call.id, std::nullopt));
  ASSERT_EQ(service_->get_call(dan_, dan.id)->state, CallState::kRinging);
  const auto rung_bo = bus_.to("bo", "call.incoming");
  EXPECT_TRUE(std::any_of(rung_bo.begin(), rung_bo.end(), [&](const auto& m) {
    return m.at("call").at("id").as_string() == dan.id;
  }));
  scheduler_.advance(45'000);
  auto missed = service_->get_call(dan_, dan.id);
  EXPECT_EQ(missed->state, CallState::kMissed);
  EXPECT_EQ(missed->end_reason, "timeout");
  // The wait metric saw dan once, though he was promoted twice: his whole wait until he last
  // rang (21.01 s), never the first stretch alone (20.01 s).
  const auto& waits = observer_.waits;
  EXPECT_EQ(std::count(waits.begin(), waits.end(), 21.01), 1);
  EXPECT_EQ(std::count(waits.begin(), waits.end(), 20.01), 0);
}

TEST_F(CallQueueTest, APromotedCallThatRingsOutWaitsAgainUntilItsQueueDeadline) {
  online(ana_);
  online(bo_);
  const Call ana_call = busy_with(ana_, cat_);
  busy_with(bo_, fay_);
  const Call dan = create(dan_)->call;
  ASSERT_TRUE(service_->end(cat_, ana_call.id, std::nullopt));
  ASSERT_EQ(service_->get_call(dan_, dan.id)->state, CallState::kRinging);
  scheduler_.advance(45'000);  // ana lets it ring out; bo is still busy.
  EXPECT_EQ(service_->get_call(dan_, dan.id)->state, CallState::kQueued);
  EXPECT_EQ(store_->find_staff("org1", "ana", clock_.now_ms(), 10'000)->value().missed_in_row, 1);
  scheduler_.advance(*dan.queue_deadline_ms - clock_.now_ms() - 1);
  EXPECT_EQ(service_->get_call(dan_, dan.id)->state, CallState::kQueued);
  scheduler_.advance(1);
  auto missed = service_->get_call(dan_, dan.id);
  EXPECT_EQ(missed->state, CallState::kMissed);
  EXPECT_EQ(missed->end_reason, "queue_timeout");
  EXPECT_EQ(missed->ended_at_ms, dan.queue_deadline_ms);
}

TEST_F(CallQueueTest, APromotedCallDeclinedByTheOnlyStaffMemberWhoServesItEndsDeclined) {
  online(ana_);
  const Call first = busy_with(ana_, cat_);
  const Call dan = create(dan_)->call;
  ASSERT_TRUE(service_->end(cat_, first.id, std::nullopt));
  ASSERT_TRUE(service_->decline(ana_, dan.id));
  auto declined = service_->get_call(dan_, dan.id);
  EXPECT_EQ(declined->state, CallState::kDeclined);
  EXPECT_EQ(declined->end_reason, "all_declined");
}

TEST_F(CallQueueTest, ACallWhoseStaffAllTookOtherCallsJoinsTheQueueAndRingsTheNextFreeStaff) {
  online(ana_);
  // Two calls ring ana at once; she takes the first, which stops her ring for the second
  // (docs/api.md#routing). Nobody else is free, so the second joins the queue at once
  // (docs/queue.md, "Churn") and rings the next staff member who frees up.
  const Call first = create(cat_)->call;
  const Call second = create(dan_)->call;
  ASSERT_EQ(second.state, CallState::kRinging);
  ASSERT_TRUE(service_->accept(ana_, first.id));
  auto waiting = service_->get_call(dan_, second.id);
  EXPECT_EQ(waiting->state, CallState::kQueued);
  EXPECT_EQ(waiting->queued_at_ms, second.created_at_ms);
  online(bo_);
  EXPECT_EQ(service_->get_call(dan_, second.id)->state, CallState::kRinging);
  EXPECT_EQ(bus_.to("bo", "call.incoming").back().at("call").at("id").as_string(), second.id);
}

TEST_F(CallQueueTest, CallsQueuedInTheSameMillisecondKeepTheOrderTheyCameIn) {
  online(ana_);
  const Call busy = busy_with(ana_, cat_);
  Principal fay = user("fay", Role::kClient);
  std::vector<std::string> order;
  for (const Principal* caller : {&dan_, &eli_, &fay}) order.push_back(create(*caller)->call.id);
  auto listed = service_->queued_calls(ana_);
  ASSERT_EQ(listed->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*listed)[i].id, order[i]);
    EXPECT_EQ((*listed)[i].queue->position, static_cast<int>(i) + 1);
  }
  ASSERT_TRUE(service_->end(cat_, busy.id, std::nullopt));
  EXPECT_EQ(bus_.to("ana", "call.incoming").back().at("call").at("id").as_string(), order[0]);
}

TEST_F(CallQueueTest, ANewCallQueuesBehindAWaitingCallWhileStaffRing) {
  online(ana_);
  const Call busy = busy_with(ana_, cat_);
  const Call dan = create(dan_)->call;
  scheduler_.advance(1);  // The queue is in order of queued_at.
  const Call eli = create(eli_)->call;
  ASSERT_EQ(eli.state, CallState::kQueued);
  ASSERT_TRUE(service_->end(cat_, busy.id, std::nullopt));
  ASSERT_EQ(service_->get_call(dan_, dan.id)->state, CallState::kRinging);  // ana is rung.
  // ana rings for dan's call, so a new call could ring her too (docs/api.md#routing); but eli waits
  // ahead of it, so it queues behind eli (first in, first out).
  Principal fay = user("fay", Role::kClient);
  scheduler_.advance(1);
  auto late = create(fay);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->call.state, CallState::kQueued);
  EXPECT_EQ(late->call.queue->position, 2);
  const auto rung = bus_.to("ana", "call.incoming");
  ASSERT_EQ(rung.size(), 2u);  // Her first call, then dan's: not fay's.
  EXPECT_EQ(rung.back().at("call").at("id").as_string(), dan.id);
}

TEST_F(CallQueueTest, ACallRungAtOnceAndDeclinedEndsDeclinedAsInV1) {
  online(ana_);
  online(bo_);
  busy_with(bo_, cat_);
  const Call c = create(dan_)->call;
  ASSERT_EQ(c.state, CallState::kRinging);
  ASSERT_TRUE(service_->decline(ana_, c.id));
  EXPECT_EQ(service_->get_call(dan_, c.id)->state, CallState::kDeclined);
}

TEST_F(CallQueueTest, TheQueueAndItsDeadlinesComeBackAfterARestart) {
  online(ana_);
  const Call first = busy_with(ana_, cat_);
  const Call waiting = create(dan_)->call;
  scheduler_.advance(60'000);
  testing::ManualScheduler fresh(clock_);
  CallService restarted(*store_, bus_, fresh, clock_, timings_, IceConfig{});
  ASSERT_TRUE(restarted.recover());
  auto listed = restarted.queued_calls(ana_);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].queue_deadline_ms, waiting.queue_deadline_ms);
  fresh.advance(239'999);
  EXPECT_EQ(restarted.get_call(dan_, waiting.id)->state, CallState::kQueued);
  fresh.advance(1);
  EXPECT_EQ(restarted.get_call(dan_, waiting.id)->end_reason, "queue_timeout");
  (void)first;
}

TEST_F(CallQueueTest, TopicsRingAndQueueOnlyForStaffWithTheSkill) {
  Principal billing = user("ana", Role::kStaff, {"billing"});
  Principal tech = user("bo", Role::kStaff, {"tech"});
  online(billing);
  online(tech);
  EXPECT_EQ(create(cat_, "sales").error().code, ErrorCode::kNoStaffAvailable);
  auto c = create(cat_, "billing");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->call.topic, "billing");
  EXPECT_EQ(bus_.to("ana", "call.incoming").size(), 1u);
  EXPECT_TRUE(bus_.to("bo", "call.incoming").empty());
  auto staff = service_->list_staff(billing);
  EXPECT_EQ(staff->front().skills, (std::vector<std::string>{"billing"}));
  ASSERT_TRUE(service_->accept(billing, c->call.id));
  // A tech call still rings bo; a billing call waits for ana, and rings her when she is free,
  // although an older tech call waits too (first in, first out among the calls she serves).
  Principal fay = user("fay", Role::kClient);
  auto t1 = create(dan_, "tech");
  EXPECT_EQ(t1->call.state, CallState::kRinging);
  ASSERT_TRUE(service_->accept(tech, t1->call.id));
  auto t2 = create(eli_, "tech");
  auto b1 = create(fay, "billing");
  EXPECT_EQ(t2->call.state, CallState::kQueued);
  EXPECT_EQ(b1->call.state, CallState::kQueued);
  EXPECT_EQ(b1->call.queue->position, 1);  // The tech call ahead is not ahead for billing.
  ASSERT_TRUE(service_->end(cat_, c->call.id, std::nullopt));
  EXPECT_EQ(service_->get_call(fay, b1->call.id)->state, CallState::kRinging);
  EXPECT_EQ(service_->get_call(eli_, t2->call.id)->state, CallState::kQueued);
}

TEST_F(CallQueueTest, TransferEndsTheCallAndRingsTheNewOneForTheSameCaller) {
  online(ana_);
  online(bo_);
  const Call c = busy_with(ana_, cat_);
  EXPECT_EQ(service_->transfer(bo_, c.id, std::string("ana"), std::nullopt).error().code,
            ErrorCode::kForbidden);
  auto next = service_->transfer(ana_, c.id, std::string("bo"), std::nullopt);
  ASSERT_TRUE(next) << next.error().text();
  EXPECT_EQ(next->state, CallState::kRinging);
  EXPECT_EQ(next->transferred_from, c.id);
  EXPECT_EQ(next->caller.id, "cat");
  EXPECT_EQ(next->requested_staff_id, "bo");
  auto old = service_->get_call(cat_, c.id);
  EXPECT_EQ(old->state, CallState::kEnded);
  EXPECT_EQ(old->end_reason, "transferred");
  EXPECT_EQ(old->transferred_to, next->id);
  auto to_caller = bus_.to("cat", "call.updated");
  ASSERT_GE(to_caller.size(), 2u);
  EXPECT_EQ(to_caller[to_caller.size() - 2].at("call").at("transferred_to").as_string(), next->id);
  EXPECT_EQ(to_caller.back().at("call").at("id").as_string(), next->id);
  // The caller's page names whom it is passed to ("Transferring you to Name bo…").
  EXPECT_EQ(to_caller.back().at("call").at("transfer_target").at("name").as_string(), "Name bo");
  EXPECT_EQ(next->transfer_target->id, "bo");
  EXPECT_EQ(bus_.to("bo", "call.incoming").back().at("call").at("id").as_string(), next->id);
  EXPECT_EQ(state_of(ana_), StaffState::kIdle);
  // The old call is over: no second transfer.
  EXPECT_EQ(service_->transfer(ana_, c.id, std::string("bo"), std::nullopt).error().code,
            ErrorCode::kInvalidTransition);
  ASSERT_TRUE(service_->accept(bo_, next->id));
}

TEST_F(CallQueueTest, TransferToATopicNobodyServesIsRefusedAndKeepsTheCall) {
  online(ana_);
  const Call c = busy_with(ana_, cat_);
  auto refused = service_->transfer(ana_, c.id, std::nullopt, std::string("billing"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNoStaffAvailable);
  EXPECT_EQ(service_->get_call(cat_, c.id)->state, CallState::kActive);
  // To a topic whose staff are busy: the new call waits in the queue.
  Principal billing = user("bo", Role::kStaff, {"billing"});
  online(billing);
  busy_with(billing, dan_);
  auto queued = service_->transfer(ana_, c.id, std::nullopt, std::string("billing"));
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->state, CallState::kQueued);
  EXPECT_EQ(queued->topic, "billing");
  ASSERT_TRUE(queued->queue);
  EXPECT_EQ(queued->queue->position, 1);
}

// One node's store on a shared SQLite file whose staff reads another node can slip in between,
// or that fails them for a moment.
class InterleavedStore final : public storage::SqlStore {
 public:
  explicit InterleavedStore(const std::string& path)
      : SqlStore(std::make_unique<storage::sqlite::SqliteDatabase>(path)) {}

  Result<std::vector<storage::StaffEntry>> list_staff(const std::string& org_id,
                                                      std::int64_t now_ms,
                                                      std::int64_t grace_ms) override {
    if (failing) return call::make_error(ErrorCode::kUnavailable);
    if (before_read && ready()) std::exchange(before_read, nullptr)();
    return SqlStore::list_staff(org_id, now_ms, grace_ms);
  }

  bool failing = false;
  /// Runs once, before the first staff read at which `ready` says yes.
  std::function<bool()> ready;
  std::function<void()> before_read;
};

// CI caught this once on two nodes: both staff hung up at the same moment, each on their own
// node. Node A promoted the head of the queue to its staff member, then read the staff again
// for the calls that ring: the other node's staff member was free by then, so A rang them for
// the head too, and the second queued call waited with nobody to ring it. Staff who could take a
// queued call are offered the queue instead.
TEST(CallQueueTwoNodes, StaffFreedOnAnotherNodeMidRerouteTakeTheQueueNotAnotherRing) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("sb-queue-two-nodes-" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".db");
  std::filesystem::remove(path);
  testing::ManualClock clock;
  testing::ManualScheduler scheduler_a(clock);
  testing::ManualScheduler scheduler_b(clock);
  testing::RecordingBus bus;
  InterleavedStore store_a(path.string());
  ASSERT_TRUE(store_a.migrate());
  InterleavedStore store_b(path.string());
  CallTimings timings;
  timings.single_node = false;
  timings.node_id = "a";
  CallService a(store_a, bus, scheduler_a, clock, timings, IceConfig{});
  timings.node_id = "b";
  CallService b(store_b, bus, scheduler_b, clock, timings, IceConfig{});

  const Principal ana = user("ana", Role::kStaff);
  const Principal bo = user("bo", Role::kStaff);
  a.connection_opened(ana);
  ASSERT_TRUE(a.set_my_status(ana, StaffStatus::kAvailable));
  b.connection_opened(bo);
  ASSERT_TRUE(b.set_my_status(bo, StaffStatus::kAvailable));
  auto in_call = [&](CallService& node, const Principal& staff, const Principal& client) {
    auto c = node.create_call(client, {});
    EXPECT_TRUE(c);
    EXPECT_TRUE(node.accept(staff, c->call.id));
    EXPECT_TRUE(node.connected(client, c->call.id));
    return c->call;
  };
  const Call ana_call = in_call(a, ana, user("cat", Role::kClient));
  const Call bo_call = in_call(b, bo, user("dan", Role::kClient));
  clock.set(clock.now_ms() + 10);
  auto first = a.create_call(user("eli", Role::kClient), {});
  clock.set(clock.now_ms() + 10);
  auto second = a.create_call(user("fay", Role::kClient), {});
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->call.state, CallState::kQueued);
  ASSERT_EQ(second->call.state, CallState::kQueued);

  // Node B's hang-up commits after A promoted the head, before A's next staff read; B's own
  // promotion finds the database unavailable for a moment and is left to its sweep.
  store_a.ready = [&] {
    return (*store_a.find_call("org1", first->call.id))->state == CallState::kRinging;
  };
  store_a.before_read = [&] {
    store_b.failing = true;
    EXPECT_TRUE(b.end(bo, bo_call.id, std::nullopt));
    store_b.failing = false;
  };
  ASSERT_TRUE(a.end(ana, ana_call.id, std::nullopt));
  EXPECT_FALSE(store_a.before_read) << "the other node's hang-up came in between";
  b.sweep();

  auto rung_for = [&](const Call& c) {
    std::vector<std::string> ids;
    for (const auto& p : *store_a.participants(c.id)) {
      if (p.outcome == storage::RingOutcome::kRinging) ids.push_back(p.staff_id);
    }
    return ids;
  };
  EXPECT_EQ((*store_a.find_call("org1", first->call.id))->state, CallState::kRinging);
  EXPECT_EQ((*store_a.find_call("org1", second->call.id))->state, CallState::kRinging);
  EXPECT_EQ(rung_for(first->call), std::vector<std::string>{"ana"});
  EXPECT_EQ(rung_for(second->call), std::vector<std::string>{"bo"});
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sb::service
