// The Store contract, run on every backend in kBackends: a real SQLite file, and a real
// PostgreSQL database (scripts/with-postgres.sh starts one and sets SB_TEST_POSTGRES_URL; without
// it the postgres cases fail). Every case below runs on each backend unchanged.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>

#include "call/call_machine.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace sb::storage {
namespace {

using call::CallState;
using call::StaffState;
using call::StaffStatus;

// The data effects the state machine gives a move (spec/call-fsm.json), as the service passes.
call::Effects effects_of(CallState from, call::CallEvent event) {
  return call::next_transition(from, event)->effects;
}

/// A backend under test: how to open a store whose data lives under `dir` (the same `dir` opens
/// the same data again, as after a restart). `create` and `drop`, when set, make and remove the
/// backend's own home for `dir` before the first open and after the last.
struct Backend {
  std::string name;
  std::function<std::unique_ptr<Store>(const std::filesystem::path& dir)> open;
  std::function<void(const std::filesystem::path& dir)> create = nullptr;
  std::function<void(const std::filesystem::path& dir)> drop = nullptr;
};

// gtest names the backend in a failure rather than dumping its bytes.
void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

/// The server scripts/with-postgres.sh started. Fails loudly when there is none: a postgres
/// case that skipped would hide a broken backend.
std::string postgres_admin_url() {
  const char* url = std::getenv("SB_TEST_POSTGRES_URL");
  if (!url || !*url) {
    throw std::runtime_error(
        "SB_TEST_POSTGRES_URL is not set: run the tests under scripts/with-postgres.sh "
        "(make test-unit does)");
  }
  return url;
}

/// One database per test, named after its folder: sb_store_<pid>_postgres_<hash>. Only digits,
/// lowercase letters and underscores, so it is a plain identifier.
std::string postgres_db_name(const std::filesystem::path& dir) {
  return dir.filename().string();
}

/// The admin URL with its database replaced by `db`.
std::string postgres_url_for(const std::string& db) {
  std::string url = postgres_admin_url();
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const auto query = url.find('?', slash == std::string::npos ? 0 : slash);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, slash) + "/" + db + tail;
}

void postgres_admin(const std::string& sql) {
  postgres::PostgresDatabase admin(postgres_admin_url());
  admin.exec(sql);
}

const std::vector<Backend> kBackends{
    {"sqlite",
     [](const std::filesystem::path& dir) -> std::unique_ptr<Store> {
       return std::make_unique<sqlite::SqliteStore>((dir / "sb.db").string());
     }},
    {"postgres",
     [](const std::filesystem::path& dir) -> std::unique_ptr<Store> {
       return std::make_unique<postgres::PostgresStore>(postgres_url_for(postgres_db_name(dir)));
     },
     [](const std::filesystem::path& dir) {
       const std::string db = postgres_db_name(dir);
       postgres_admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
       postgres_admin("CREATE DATABASE " + db);
     },
     [](const std::filesystem::path& dir) {
       postgres_admin("DROP DATABASE IF EXISTS " + postgres_db_name(dir) + " WITH (FORCE)");
     }},
};

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb_store_" + std::to_string(::getpid()) + "_" + GetParam().name + "_" +
            std::to_string(std::hash<std::string>{}(
                ::testing::UnitTest::GetInstance()->current_test_info()->name())));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    try {
      if (GetParam().create) GetParam().create(dir_);
      created_ = true;
      store_ = open();
    } catch (const std::exception& e) {
      FAIL() << GetParam().name << " backend: " << e.what();
    }
  }
  void TearDown() override {
    store_.reset();
    if (created_ && GetParam().drop) {
      try {
        GetParam().drop(dir_);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "dropping the test database: " << e.what();
      }
    }
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<Store> open() {
    auto s = GetParam().open(dir_);
    EXPECT_TRUE(s->migrate());
    return s;
  }

  Call make_call(const std::string& id, const std::string& caller, std::int64_t at = 1000) {
    Call c;
    c.id = id;
    c.org_id = "org1";
    c.caller = {caller, "Caller " + caller};
    c.created_at_ms = at;
    c.ring_deadline_ms = at + 45000;
    c.metadata = {{"topic", "billing"}};
    return c;
  }

  void staff_online(const std::string& id, std::int64_t now = 500) {
    ASSERT_TRUE(store_->upsert_staff("org1", id, "Staff " + id, now));
    ASSERT_TRUE(store_->set_staff_status("org1", id, StaffStatus::kAvailable, now));
    ASSERT_TRUE(store_->presence_connect("org1", id, "node"));
  }

  TransitionRequest accept_request(const std::string& call_id, const std::string& staff) {
    TransitionRequest r;
    r.org_id = "org1";
    r.call_id = call_id;
    r.from = {CallState::kRinging};
    r.to = CallState::kAccepted;
    r.now_ms = 2000;
    r.accepting_staff = call::Person{staff, "Staff " + staff};
    r.effects = effects_of(CallState::kRinging, call::CallEvent::kAccept);
    return r;
  }

  /// A hang-up of an accepted or active call at `now`, with `wrap_up_ms` of wrap-up after it.
  TransitionRequest hangup_request(const std::string& call_id, std::int64_t now,
                                   std::int64_t wrap_up_ms) {
    TransitionRequest r;
    r.org_id = "org1";
    r.call_id = call_id;
    r.from = {CallState::kAccepted, CallState::kActive};
    r.to = CallState::kEnded;
    r.end_reason = "hangup";
    r.now_ms = now;
    r.wrap_up_ms = wrap_up_ms;
    r.effects = effects_of(CallState::kActive, call::CallEvent::kHangup);
    return r;
  }

  StaffEntry staff(const std::string& id, std::int64_t now = 3000) {
    auto e = store_->find_staff("org1", id, now, 10000);
    EXPECT_TRUE(e && *e);
    return **e;
  }

  std::filesystem::path dir_;
  bool created_ = false;
  std::unique_ptr<Store> store_;
};

// Group commit on each backend: a write, then what announces it waits for the store's own sync
// (an fdatasync of SQLite's WAL, a synchronous commit on PostgreSQL's second connection), and
// the write is there for a store opened afresh.
TEST_P(StoreTest, GroupCommitReleasesWhatWaitsOnceTheWriteIsDurable) {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::function<void()>> posted;
  store_->enable_group_commit([&](std::function<void()> fn) {
    std::lock_guard lock(mutex);
    posted.push_back(std::move(fn));
    cv.notify_all();
  });
  ASSERT_TRUE(store_->upsert_staff("org", "ana", "Ana", 1000));
  bool released = false;
  store_->after_commit_durable([&] { released = true; });
  EXPECT_FALSE(released) << "released before any sync ran";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!released) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mutex);
      ASSERT_TRUE(cv.wait_until(lock, deadline, [&] { return !posted.empty(); }))
          << "the sync never reported back";
      fn = std::move(posted.front());
      posted.pop_front();
    }
    fn();
  }
  // Nothing new since: the next one runs at once.
  bool again = false;
  store_->after_commit_durable([&] { again = true; });
  EXPECT_TRUE(again);
  // Nor does a due check that found nothing make the next one wait (on PostgreSQL every other
  // read does: it may have seen another node's commit).
  ASSERT_TRUE(store_->due_calls(1000, 1000, 10));
  ASSERT_TRUE(store_->due_ring_steps(1000, 10));
  ASSERT_TRUE(store_->due_wrap_up_ends(1000, 10));
  // Nor do a node's heartbeat and a look for dead nodes that found none.
  ASSERT_TRUE(store_->node_heartbeat("self", 1000));
  ASSERT_TRUE(store_->node_heartbeat("self", 2000));
  ASSERT_TRUE(store_->reap_dead_nodes("self", 1000));
  bool after_due_check = false;
  store_->after_commit_durable([&] { after_due_check = true; });
  EXPECT_TRUE(after_due_check);
  // Stopped (at shutdown): commits are durable when they return, so nothing waits.
  store_->stop_group_commit();
  ASSERT_TRUE(store_->upsert_staff("org", "bo", "Bo", 1000));
  bool after_stop = false;
  store_->after_commit_durable([&] { after_stop = true; });
  EXPECT_TRUE(after_stop);
  store_.reset();
  store_ = open();
  auto found = store_->find_staff("org", "ana", 1000, 10'000);
  ASSERT_TRUE(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->name, "Ana");
}

TEST_P(StoreTest, MigratingTwiceIsHarmless) {
  EXPECT_TRUE(store_->migrate());
}

TEST_P(StoreTest, CreatedCallReadsBackWithEveryField) {
  auto created = store_->create_call(make_call("c1", "u1"), {{"s1", std::nullopt}}, std::nullopt);
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->created);
  auto found = store_->find_call("org1", "c1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->state, CallState::kRinging);
  EXPECT_EQ((*found)->version, 1);
  EXPECT_EQ((*found)->caller.name, "Caller u1");
  EXPECT_EQ((*found)->metadata.at("topic"), "billing");
  EXPECT_EQ((*found)->ring_deadline_ms, 46000);
  EXPECT_FALSE((*found)->staff);
}

TEST_P(StoreTest, AnotherOrgDoesNotSeeTheCall) {
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {}, std::nullopt));
  auto found = store_->find_call("org2", "c1");
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
}

TEST_P(StoreTest, SecondOpenCallOfACallerIsRefused) {
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {}, std::nullopt));
  auto second = store_->create_call(make_call("c2", "u1"), {}, std::nullopt);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, call::ErrorCode::kCallInProgress);
  EXPECT_EQ(second.error().details.at("call_id"), "c1");
}

TEST_P(StoreTest, IdempotencyKeyReturnsTheFirstCall) {
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {}, std::string("k1")));
  auto again = store_->create_call(make_call("c2", "u1"), {}, std::string("k1"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->call.id, "c1");
  auto by_key = store_->find_call_by_idempotency_key("org1", "u1", "k1");
  ASSERT_TRUE(by_key && *by_key);
  EXPECT_EQ((*by_key)->id, "c1");
}

TEST_P(StoreTest, ExactlyOneAcceptWins) {
  staff_online("s1");
  staff_online("s2");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}, {"s2", {}}}, std::nullopt));
  auto first = store_->transition(accept_request("c1", "s1"));
  auto second = store_->transition(accept_request("c1", "s2"));
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->call);
  EXPECT_FALSE(second->call);
  EXPECT_EQ(first->call->state, CallState::kAccepted);
  EXPECT_EQ(first->call->version, 2);
  EXPECT_EQ(first->call->staff->id, "s1");
  EXPECT_EQ(staff("s1").state, StaffState::kInCall);
  EXPECT_EQ(staff("s2").state, StaffState::kIdle);
  auto parts = store_->participants("c1");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].outcome, RingOutcome::kAccepted);
  EXPECT_EQ((*parts)[1].outcome, RingOutcome::kTaken);
}

TEST_P(StoreTest, OnlyARungStaffMemberCanAccept) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  auto outsider = store_->transition(accept_request("c1", "s9"));
  ASSERT_TRUE(outsider);
  EXPECT_FALSE(outsider->call);
}

TEST_P(StoreTest, AcceptingOneCallStopsTheOthersRingingForThatStaffMember) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->create_call(make_call("c2", "u2"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  auto parts = store_->participants("c2");
  EXPECT_EQ((*parts)[0].outcome, RingOutcome::kStopped);
  EXPECT_FALSE(store_->transition(accept_request("c2", "s1"))->call);
}

TEST_P(StoreTest, MissedRingsInARowSetAway) {
  staff_online("s1");
  for (int i = 0; i < 3; ++i) {
    const std::string id = "c" + std::to_string(i);
    ASSERT_TRUE(
        store_->create_call(make_call(id, "u" + std::to_string(i)), {{"s1", {}}}, std::nullopt));
    TransitionRequest r;
    r.org_id = "org1";
    r.call_id = id;
    r.from = {CallState::kRinging};
    r.to = CallState::kMissed;
    r.end_reason = "timeout";
    r.now_ms = 50000;
    r.effects = effects_of(CallState::kRinging, call::CallEvent::kRingTimeout);
    r.max_missed = 3;
    auto out = store_->transition(r);
    ASSERT_TRUE(out && out->call);
    EXPECT_EQ(out->call->end_reason, "timeout");
    EXPECT_EQ(out->staff_changed, std::vector<std::string>{"s1"});
    EXPECT_EQ(staff("s1", 50000).chosen_status,
              i < 2 ? StaffStatus::kAvailable : StaffStatus::kAway);
  }
}

TEST_P(StoreTest, AMissedRingTheServiceDoesNotCountLeavesTheStaffMemberAvailable) {
  staff_online("s1");
  for (int i = 0; i < 2; ++i) {
    const std::string id = "c" + std::to_string(i);
    ASSERT_TRUE(
        store_->create_call(make_call(id, "u" + std::to_string(i)), {{"s1", {}}}, std::nullopt));
    TransitionRequest r;
    r.org_id = "org1";
    r.call_id = id;
    r.from = {CallState::kRinging};
    r.to = CallState::kMissed;
    r.now_ms = 50000;
    r.effects = effects_of(CallState::kRinging, call::CallEvent::kRingTimeout);
    r.max_missed = 1;
    r.missed_not_counted = {"s1"};
    auto out = store_->transition(r);
    ASSERT_TRUE(out && out->call);
    ASSERT_TRUE(out->participants);
    EXPECT_EQ(out->participants->at(0).outcome, RingOutcome::kMissed);
    EXPECT_EQ(staff("s1", 50000).chosen_status, StaffStatus::kAvailable);
    EXPECT_EQ(staff("s1", 50000).missed_in_row, 0);
  }
}

TEST_P(StoreTest, DeclineCountsWhoStillRings) {
  staff_online("s1");
  staff_online("s2");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}, {"s2", {}}}, std::nullopt));
  auto d1 = store_->decline("org1", "c1", "s1", 1500);
  ASSERT_TRUE(d1);
  EXPECT_TRUE(d1->declined);
  EXPECT_EQ(d1->still_ringing, 1);
  auto again = store_->decline("org1", "c1", "s1", 1600);
  EXPECT_FALSE(again->declined);
  EXPECT_EQ(store_->find_call("org1", "c1")->value().version, 1);
}

TEST_P(StoreTest, EndingACallStartsWrapUpAndFreesTheStaffMember) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  auto out = store_->transition(hangup_request("c1", 10000, 5000));
  ASSERT_TRUE(out && out->call);
  EXPECT_EQ(out->call->ended_at_ms, 10000);
  EXPECT_EQ(staff("s1", 12000).state, StaffState::kWrapUp);
  EXPECT_EQ(staff("s1", 15001).state, StaffState::kIdle);
  EXPECT_EQ(staff("s1", 15001).idle_since_ms, 10000);
}

// A move that starts, ends or accepts no ring hands back no participants (the service knows them
// already); one that does hands back the rings as they are after it.
TEST_P(StoreTest, AMoveHandsBackTheRingsOnlyWhenItChangedThem) {
  staff_online("s1");
  staff_online("s2");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}, {"s2", {}}}, std::nullopt));
  auto accepted = store_->transition(accept_request("c1", "s1"));
  ASSERT_TRUE(accepted && accepted->call && accepted->participants);
  ASSERT_EQ(accepted->participants->size(), 2u);
  EXPECT_EQ(accepted->participants->at(0).outcome, RingOutcome::kAccepted);
  EXPECT_NE(accepted->participants->at(1).outcome, RingOutcome::kRinging);
  auto ended = store_->transition(hangup_request("c1", 10000, 0));
  ASSERT_TRUE(ended && ended->call);
  EXPECT_EQ(ended->call->state, CallState::kEnded);
  EXPECT_FALSE(ended->participants);
  EXPECT_EQ(store_->participants("c1")->size(), 2u);
}

TEST_P(StoreTest, PresenceCountsConnectionsAndHonoursTheGrace) {
  staff_online("s1");
  ASSERT_TRUE(store_->presence_connect("org1", "s1", "node"));
  EXPECT_EQ(*store_->presence_disconnect("org1", "s1", "node", 1000), 1);
  EXPECT_EQ(*store_->presence_disconnect("org1", "s1", "node", 2000), 0);
  EXPECT_TRUE(*store_->is_present("org1", "s1", 2500, 1000));
  EXPECT_FALSE(*store_->is_present("org1", "s1", 3500, 1000));
  EXPECT_EQ(store_->find_staff("org1", "s1", 3500, 1000)->value().status, StaffStatus::kOffline);
  EXPECT_TRUE(*store_->ever_connected("org1", "s1"));
  EXPECT_FALSE(*store_->ever_connected("org1", "nobody"));
}

TEST_P(StoreTest, PresenceResetRestartsTheGraceForOpenConnections) {
  staff_online("s1");
  ASSERT_TRUE(store_->presence_reset("node", 9000));
  EXPECT_TRUE(*store_->is_present("org1", "s1", 9500, 1000));
  EXPECT_FALSE(*store_->is_present("org1", "s1", 10500, 1000));
}

TEST_P(StoreTest, PresenceResetOfNoNodeInParticularResetsEveryNode) {
  staff_online("s1");
  ASSERT_TRUE(store_->presence_connect("org1", "u1", "an-old-name"));
  ASSERT_TRUE(store_->presence_reset("", 9000));
  EXPECT_FALSE(*store_->is_present("org1", "s1", 10500, 1000));
  EXPECT_FALSE(*store_->is_present("org1", "u1", 10500, 1000));
}

TEST_P(StoreTest, AHeartbeatSaysWhetherTheNodeStillHadItsRow) {
  EXPECT_FALSE(*store_->node_heartbeat("a", 1000));  // first beat
  EXPECT_TRUE(*store_->node_heartbeat("a", 2000));
  EXPECT_TRUE(*store_->node_heartbeat("a", 3000));
}

TEST_P(StoreTest, ANodeNotHeardFromHasItsUsersTakenOverOnceFromWhenItWasLastHeard) {
  staff_online("s1");  // on "node"
  ASSERT_TRUE(store_->presence_connect("org1", "u1", "node"));
  ASSERT_TRUE(store_->upsert_staff("org1", "s2", "Staff s2", 500));
  ASSERT_TRUE(store_->presence_connect("org1", "s2", "other"));
  ASSERT_TRUE(store_->node_heartbeat("node", 1000));
  ASSERT_TRUE(store_->node_heartbeat("other", 1000));
  ASSERT_TRUE(store_->node_heartbeat("self", 1000));
  // Heard from within the timeout: nobody is taken.
  EXPECT_TRUE(store_->reap_dead_nodes("self", 1000)->empty());
  ASSERT_TRUE(store_->node_heartbeat("other", 5000));
  ASSERT_TRUE(store_->node_heartbeat("self", 5000));
  // "node" was last heard at 1000; "self" is never taken, however old its row.
  auto reaped = store_->reap_dead_nodes("self", 4000);
  ASSERT_TRUE(reaped);
  ASSERT_EQ(reaped->size(), 2u);
  std::map<std::string, ReapedPresence> by_user;
  for (const auto& r : *reaped) by_user[r.user_id] = r;
  EXPECT_TRUE(by_user.at("s1").staff);
  EXPECT_FALSE(by_user.at("u1").staff);
  EXPECT_EQ(by_user.at("s1").disconnected_at_ms, 1000);
  EXPECT_EQ(by_user.at("u1").org_id, "org1");
  // Their grace runs from when the node was last heard from.
  EXPECT_TRUE(*store_->is_present("org1", "s1", 1500, 1000));
  EXPECT_FALSE(*store_->is_present("org1", "s1", 2500, 1000));
  EXPECT_TRUE(*store_->is_present("org1", "s2", 99000, 1000));  // on a live node
  // Taken once: a second reaper finds nothing, and the dead node's row is gone.
  EXPECT_TRUE(store_->reap_dead_nodes("other", 4000)->empty());
  EXPECT_FALSE(*store_->node_heartbeat("node", 6000));
}

TEST_P(StoreTest, ANodeTakenForDeadRestoresItsOpenConnections) {
  staff_online("s1");
  ASSERT_TRUE(store_->node_heartbeat("node", 1000));
  ASSERT_EQ(store_->reap_dead_nodes("self", 2000)->size(), 1u);
  EXPECT_FALSE(*store_->is_present("org1", "s1", 20000, 1000));
  EXPECT_FALSE(*store_->node_heartbeat("node", 20000));  // no row: it was taken for dead
  ASSERT_TRUE(store_->presence_restore("node", {{"org1", "s1", 2}}));
  EXPECT_TRUE(*store_->is_present("org1", "s1", 20000, 1000));
  EXPECT_EQ(*store_->presence_disconnect("org1", "s1", "node", 21000), 1);
}

TEST_P(StoreTest, ListPagesNewestFirst) {
  for (int i = 0; i < 5; ++i) {
    auto c = make_call("c" + std::to_string(i), "u" + std::to_string(i), 1000 + i);
    ASSERT_TRUE(store_->create_call(c, {}, std::nullopt));
  }
  CallQuery q;
  q.org_id = "org1";
  q.limit = 2;
  auto page1 = store_->list_calls(q);
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->calls.size(), 2u);
  EXPECT_TRUE(page1->more);
  EXPECT_EQ(page1->calls[0].id, "c4");
  q.before = std::make_pair(page1->calls[1].created_at_ms, page1->calls[1].id);
  auto page2 = store_->list_calls(q);
  EXPECT_EQ(page2->calls[0].id, "c2");
  q.limit = 10;
  q.before.reset();
  q.caller_id = "u3";
  EXPECT_EQ(store_->list_calls(q)->calls.size(), 1u);
}

TEST_P(StoreTest, EverythingSurvivesReopeningTheFile) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  store_.reset();
  store_ = open();
  auto found = store_->find_call("org1", "c1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->state, CallState::kAccepted);
  auto accepted = store_->accepted_calls();
  ASSERT_EQ(accepted->size(), 1u);
  EXPECT_EQ((*accepted)[0].deadline_ms, 2000);
}

TEST_P(StoreTest, OpenCallsOfAUserIncludeRingingOnes) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  EXPECT_EQ(store_->open_calls_of_user("org1", "s1")->size(), 1u);
  EXPECT_EQ(store_->open_calls_of_user("org1", "u1")->size(), 1u);
  EXPECT_EQ(store_->open_calls_of_user("org1", "s2")->size(), 0u);
  EXPECT_EQ(store_->ringing_calls()->size(), 1u);

  // Rung for two calls, oldest first; once one is accepted, only that one (the other's ring
  // stopped), and each caller still sees their own.
  auto ids_of = [](const std::vector<Call>& calls) {
    std::vector<std::string> ids;
    for (const auto& c : calls) ids.push_back(c.id);
    return ids;
  };
  ASSERT_TRUE(store_->create_call(make_call("c2", "u2"), {{"s1", {}}}, std::nullopt));
  EXPECT_EQ(ids_of(*store_->open_calls_of_user("org1", "s1")),
            (std::vector<std::string>{"c1", "c2"}));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  EXPECT_EQ(ids_of(*store_->open_calls_of_user("org1", "s1")), (std::vector<std::string>{"c1"}));
  EXPECT_EQ(ids_of(*store_->open_calls_of_user("org1", "u2")), (std::vector<std::string>{"c2"}));
  EXPECT_EQ(store_->open_calls_of_user("org2", "s1")->size(), 0u) << "another org's";
}

TEST_P(StoreTest, QualityFiguresAreAveragedOverTheSamplesThatCarriedThem) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  QualitySample first;  // Before the first RTCP report: no RTT, no jitter yet.
  first.packet_loss_pct = 0;
  first.audio_in_kbps = 30;
  first.ice_state = "connected";
  QualitySample second;
  second.rtt_ms = 40;
  second.packet_loss_pct = 3;
  second.audio_in_kbps = 50;
  second.candidate_type = "relay";
  second.ice_state = "disconnected";
  ASSERT_TRUE(store_->add_quality_sample("c1", "caller", first));
  ASSERT_TRUE(store_->add_quality_sample("c1", "caller", second));
  auto q = store_->quality_of("c1");
  ASSERT_TRUE(q && q->caller);
  EXPECT_FALSE(q->staff);
  const QualitySummary& c = *q->caller;
  EXPECT_EQ(c.samples, 2);
  EXPECT_EQ(c.rtt_avg, 40.0);
  EXPECT_EQ(c.rtt_max, 40.0);
  EXPECT_FALSE(c.jitter_avg);
  EXPECT_FALSE(c.jitter_max);
  EXPECT_EQ(c.loss_avg, 1.5);
  EXPECT_EQ(c.loss_max, 3.0);
  EXPECT_EQ(c.audio_in_avg, 40.0);
  EXPECT_FALSE(c.video_out_avg);
  EXPECT_EQ(c.candidate_type, "relay");
  EXPECT_EQ(c.reconnects, 1);
}

TEST_P(StoreTest, FeedbackReadsBackAndASecondOneReplacesTheFirst) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->save_feedback("c1", "u1", {2, {"audio"}, "first"}, 100));
  ASSERT_TRUE(store_->save_feedback("c1", "s1", {5, {}, ""}, 200));
  ASSERT_TRUE(store_->save_feedback("c1", "u1", {3, {"video", "connection"}, "Say \"hi\""}, 300));
  auto got = store_->feedback_of("c1");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].user_id, "s1");
  EXPECT_EQ((*got)[0].feedback.score, 5);
  EXPECT_EQ((*got)[1].user_id, "u1");
  EXPECT_EQ((*got)[1].feedback.score, 3);
  EXPECT_EQ((*got)[1].feedback.issues, (std::vector<std::string>{"video", "connection"}));
  EXPECT_EQ((*got)[1].feedback.comment, "Say \"hi\"");
  EXPECT_EQ((*got)[1].created_at_ms, 300);
  EXPECT_TRUE(store_->feedback_of("other")->empty());
}

TEST_P(StoreTest, WrapUpsInProgressAreListedForRecovery) {
  staff_online("s1");
  staff_online("s2");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  ASSERT_TRUE(store_->transition(hangup_request("c1", 10000, 5000)));
  auto during = store_->wrap_ups_after(12000);
  ASSERT_TRUE(during);
  ASSERT_EQ(during->size(), 1u);
  EXPECT_EQ((*during)[0].staff_id, "s1");
  EXPECT_EQ((*during)[0].until_ms, 15000);
  EXPECT_TRUE(store_->wrap_ups_after(15000)->empty());
}

TEST_P(StoreTest, AWrapUpEndIsClaimedOnceAndThenNoLongerDue) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  ASSERT_TRUE(store_->transition(hangup_request("c1", 10000, 5000)));
  EXPECT_TRUE(store_->due_wrap_up_ends(14999, 10)->empty());  // not over yet
  auto due = store_->due_wrap_up_ends(15000, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].staff_id, "s1");
  EXPECT_EQ((*due)[0].until_ms, 15000);
  EXPECT_FALSE(*store_->claim_wrap_up_end({"org1", "s1", 14000}));  // not that wrap-up
  EXPECT_TRUE(*store_->claim_wrap_up_end((*due)[0]));
  EXPECT_FALSE(*store_->claim_wrap_up_end((*due)[0]));  // another node came second
  EXPECT_TRUE(store_->due_wrap_up_ends(99000, 10)->empty());
  EXPECT_EQ(staff("s1", 16000).state, StaffState::kIdle);
}

TEST_P(StoreTest, EveryOperationIsTimedAndFailuresAreNamed) {
  int operations = 0;
  std::vector<std::string> errors;
  store_->set_operation_observer([&](double seconds, std::string_view error) {
    EXPECT_GE(seconds, 0.0);
    ++operations;
    if (!error.empty()) errors.emplace_back(error);
  });
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  EXPECT_EQ(operations, 4);  // upsert, status, presence, create
  EXPECT_TRUE(errors.empty());
}

// --- The queue, topics and transfer (docs/queue.md) ---

Call queued_call(const std::string& id, const std::string& caller, std::int64_t queued_at) {
  Call c;
  c.id = id;
  c.org_id = "org1";
  c.state = CallState::kQueued;
  c.caller = {caller, "Caller " + caller};
  c.created_at_ms = queued_at;
  c.queued_at_ms = queued_at;
  c.queue_deadline_ms = queued_at + 300000;
  c.ring_deadline_ms = queued_at + 300000;
  return c;
}

TransitionRequest promote_request(const std::string& call_id, const std::string& staff,
                                  std::int64_t now) {
  TransitionRequest r;
  r.org_id = "org1";
  r.call_id = call_id;
  r.from = {CallState::kQueued};
  r.to = CallState::kRinging;
  r.now_ms = now;
  r.ring = {{staff, std::nullopt}};
  r.ring_deadline_ms = now + 45000;
  r.effects = effects_of(CallState::kQueued, call::CallEvent::kPromote);
  return r;
}

std::vector<std::string> ids_of(const std::vector<Call>& calls) {
  std::vector<std::string> out;
  for (const auto& c : calls) out.push_back(c.id);
  return out;
}

TEST_P(StoreTest, TheQueueIsFirstInFirstOutAndSurvivesAReopen) {
  ASSERT_TRUE(store_->create_call(queued_call("q2", "u2", 2000), {}, std::nullopt));
  ASSERT_TRUE(store_->create_call(queued_call("q1", "u1", 1000), {}, std::nullopt));
  ASSERT_TRUE(store_->create_call(queued_call("q3", "u3", 2000), {}, std::nullopt));
  Call other = queued_call("q9", "u9", 500);
  other.org_id = "org2";
  ASSERT_TRUE(store_->create_call(other, {}, std::nullopt));
  auto queued = store_->queued_calls("org1");
  ASSERT_TRUE(queued);
  EXPECT_EQ(ids_of(*queued), (std::vector<std::string>{"q1", "q2", "q3"}));
  EXPECT_EQ((*queued)[0].state, CallState::kQueued);
  EXPECT_EQ((*queued)[0].queued_at_ms, 1000);
  EXPECT_EQ((*queued)[0].queue_deadline_ms, 301000);
  // As after kill -9: what the database holds is the queue.
  store_.reset();
  store_ = open();
  queued = store_->queued_calls("org1");
  ASSERT_TRUE(queued);
  EXPECT_EQ(ids_of(*queued), (std::vector<std::string>{"q1", "q2", "q3"}));
  auto refs = store_->queued_call_refs();
  ASSERT_TRUE(refs);
  ASSERT_EQ(refs->size(), 4u);
  EXPECT_EQ((*refs)[0].call_id, "q9");
  EXPECT_EQ((*refs)[0].deadline_ms, 300500);
  // A queued call is open: its caller may not place another.
  auto second = store_->create_call(make_call("c2", "u1"), {}, std::nullopt);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, call::ErrorCode::kCallInProgress);
  auto open = store_->open_calls_of_user("org1", "u1");
  ASSERT_TRUE(open);
  EXPECT_EQ(ids_of(*open), (std::vector<std::string>{"q1"}));
}

TEST_P(StoreTest, ExactlyOneOfTwoNodesPromotesAQueuedCall) {
  staff_online("s1");
  staff_online("s2");
  ASSERT_TRUE(store_->create_call(queued_call("q1", "u1", 1000), {}, std::nullopt));
  auto other_node = open();  // A second connection to the same database.
  auto first = store_->transition(promote_request("q1", "s1", 5000));
  auto second = other_node->transition(promote_request("q1", "s2", 5001));
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->call);
  EXPECT_FALSE(second->call);
  EXPECT_EQ(first->call->state, CallState::kRinging);
  EXPECT_EQ(first->call->version, 2);
  EXPECT_EQ(first->call->ring_deadline_ms, 50000);
  EXPECT_EQ(first->call->queued_at_ms, 1000);
  ASSERT_TRUE(first->participants);
  ASSERT_EQ(first->participants->size(), 1u);
  EXPECT_EQ(first->participants->at(0).staff_id, "s1");
  EXPECT_EQ(first->participants->at(0).rung_at_ms, 5000);
  EXPECT_EQ(first->staff_changed, (std::vector<std::string>{"s1"}));
  EXPECT_EQ(staff("s1", 6000).state, StaffState::kRinging);
  EXPECT_EQ(staff("s2", 6000).state, StaffState::kIdle);
  EXPECT_TRUE(store_->queued_calls("org1")->empty());
  // Nor does a node that read the staff before give the same staff member a second call.
  ASSERT_TRUE(store_->create_call(queued_call("q2", "u2", 1500), {}, std::nullopt));
  auto again = other_node->transition(promote_request("q2", "s1", 5002));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->call);
  EXPECT_EQ((*store_->find_call("org1", "q2"))->state, CallState::kQueued);
  EXPECT_TRUE(other_node->transition(promote_request("q2", "s2", 5003))->call);
}

TEST_P(StoreTest, ACallQueuedPastItsDeadlineIsMissed) {
  ASSERT_TRUE(store_->create_call(queued_call("q1", "u1", 1000), {}, std::nullopt));
  TransitionRequest r;
  r.org_id = "org1";
  r.call_id = "q1";
  r.from = {CallState::kQueued};
  r.to = CallState::kMissed;
  r.end_reason = "queue_timeout";
  r.now_ms = 301000;
  r.effects = effects_of(CallState::kQueued, call::CallEvent::kQueueTimeout);
  auto out = store_->transition(r);
  ASSERT_TRUE(out && out->call);
  EXPECT_EQ(out->call->state, CallState::kMissed);
  EXPECT_EQ(out->call->end_reason, "queue_timeout");
  EXPECT_EQ(out->call->ended_at_ms, 301000);
  EXPECT_TRUE(store_->queued_call_refs()->empty());
  // A promotion that comes too late finds nothing to promote.
  EXPECT_FALSE(store_->transition(promote_request("q1", "s1", 301001))->call);
}

// What every node asks twice a second: only what is past its deadline and still open.
TEST_P(StoreTest, DueCallsAreThoseStillOpenPastTheirDeadlines) {
  staff_online("s1");
  staff_online("s2");
  // Ring deadlines at 46000 (c1) and 47000 (c2); c3 is accepted at 2000; q1 waits until 301000.
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1", 1000), {{"s1", 20000}}, std::nullopt));
  ASSERT_TRUE(store_->create_call(make_call("c2", "u2", 2000), {{"s2", {}}}, std::nullopt));
  ASSERT_TRUE(store_->create_call(make_call("c3", "u3", 1500), {{"s2", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c3", "s2"))->call);
  ASSERT_TRUE(store_->create_call(queued_call("q1", "u4", 1000), {}, std::nullopt));

  auto none = store_->due_calls(45999, 1999, 100);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->ringing.empty() && none->queued.empty() && none->accepted.empty());
  auto due = store_->due_calls(47000, 2000, 100);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->ringing.size(), 2u);
  EXPECT_EQ(due->ringing[0].call_id, "c1");
  EXPECT_EQ(due->ringing[0].org_id, "org1");
  EXPECT_EQ(due->ringing[0].deadline_ms, 46000);
  EXPECT_EQ(due->ringing[1].call_id, "c2");
  ASSERT_EQ(due->accepted.size(), 1u);
  EXPECT_EQ(due->accepted[0].call_id, "c3");
  EXPECT_EQ(due->accepted[0].deadline_ms, 2000);
  EXPECT_TRUE(due->queued.empty());
  auto queued = store_->due_calls(301000, 0, 100);
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->queued.size(), 1u);
  EXPECT_EQ(queued->queued[0].call_id, "q1");
  EXPECT_EQ(queued->queued[0].deadline_ms, 301000);
  // The limit counts every kind, earliest deadline first.
  auto first = store_->due_calls(301000, 2000, 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->accepted.size(), 1u);
  ASSERT_EQ(first->ringing.size(), 1u);
  EXPECT_EQ(first->ringing[0].call_id, "c1");

  // Ring steps: only those still ringing whose step ended.
  EXPECT_TRUE(store_->due_ring_steps(19999, 100)->empty());
  auto steps = store_->due_ring_steps(20000, 100);
  ASSERT_TRUE(steps);
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_EQ((*steps)[0].call_id, "c1");
  EXPECT_EQ((*steps)[0].staff_id, "s1");
  EXPECT_EQ((*steps)[0].ring_until_ms, 20000);
  // An ended call is not due any more.
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  EXPECT_TRUE(store_->due_ring_steps(20000, 100)->empty());
  EXPECT_EQ(store_->due_calls(47000, 0, 100)->ringing.size(), 1u);
}

TEST_P(StoreTest, ATransferEndsTheOldCallAndStartsTheNewOneInOneTransaction) {
  staff_online("s1");
  staff_online("s2");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  Call next = make_call("c2", "u1", 9000);
  next.transferred_from = "c1";
  next.topic = "billing";
  TransitionRequest r = hangup_request("c1", 9000, 0);
  r.end_reason = "transferred";
  r.effects = effects_of(CallState::kActive, call::CallEvent::kTransfer);
  r.successor = next;
  r.successor_ring = {{"s2", std::nullopt}};
  auto out = store_->transition(r);
  ASSERT_TRUE(out && out->call && out->successor);
  EXPECT_EQ(out->call->state, CallState::kEnded);
  EXPECT_EQ(out->call->end_reason, "transferred");
  EXPECT_EQ(out->call->transferred_to, "c2");
  EXPECT_EQ(out->successor->state, CallState::kRinging);
  EXPECT_EQ(out->successor->transferred_from, "c1");
  EXPECT_EQ(out->successor->topic, "billing");
  EXPECT_EQ(out->successor->caller.id, "u1");
  ASSERT_EQ(out->successor_participants.size(), 1u);
  EXPECT_EQ(out->successor_participants[0].staff_id, "s2");
  EXPECT_EQ(staff("s1", 9500).state, StaffState::kIdle);
  EXPECT_EQ(staff("s2", 9500).state, StaffState::kRinging);
  auto read = store_->find_call("org1", "c1");
  EXPECT_EQ((*read)->transferred_to, "c2");
}

TEST_P(StoreTest, ATransferThatCannotStartLeavesTheOldCallAsItWas) {
  staff_online("s1");
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);
  ASSERT_TRUE(store_->create_call(make_call("c9", "u9"), {}, std::nullopt));
  Call clash = make_call("c9", "u1", 9000);  // An id already taken: the insert fails.
  TransitionRequest r = hangup_request("c1", 9000, 0);
  r.end_reason = "transferred";
  r.effects = effects_of(CallState::kActive, call::CallEvent::kTransfer);
  r.successor = clash;
  auto out = store_->transition(r);
  EXPECT_TRUE(!out || !out->call);
  auto read = store_->find_call("org1", "c1");
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->state, CallState::kAccepted);
  EXPECT_FALSE((*read)->transferred_to);
}

TEST_P(StoreTest, SkillsAndHandleTimesReadBack) {
  staff_online("s1");
  ASSERT_TRUE(store_->set_staff_skills("org1", "s1", {"billing", "tech"}));
  EXPECT_EQ(staff("s1").skills, (std::vector<std::string>{"billing", "tech"}));
  ASSERT_TRUE(store_->create_call(make_call("c1", "u1"), {{"s1", {}}}, std::nullopt));
  ASSERT_TRUE(store_->transition(accept_request("c1", "s1"))->call);  // accepted at 2000
  ASSERT_TRUE(store_->transition(hangup_request("c1", 62000, 0))->call);
  auto times = store_->recent_handle_times_ms("org1", 20);
  ASSERT_TRUE(times);
  EXPECT_EQ(*times, (std::vector<std::int64_t>{60000}));
  EXPECT_TRUE(store_->recent_handle_times_ms("org2", 20)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace sb::storage
