// What only PostgreSQL has: several connections (nodes) on one database. Races between them are
// decided by the database, migrations run once however many nodes start, a broken connection
// comes back on ping(), a server that stops answering is given up on in bounded time (and the
// stall watch tells a silent server from a slow statement), and a read-only database is not
// ready. Needs SB_TEST_POSTGRES_URL (scripts/with-postgres.sh); fails without it.

#include "storage/postgres/postgres_store.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "call/call_machine.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/postgres/postgres_timeouts.hpp"
#include "storage/postgres/stall_watch.hpp"

namespace sb::storage::postgres {
namespace {

using call::CallState;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("SB_TEST_POSTGRES_URL");
    ASSERT_TRUE(url && *url) << "SB_TEST_POSTGRES_URL is not set: run the tests under "
                                "scripts/with-postgres.sh (make test-unit does)";
    admin_url_ = url;
    db_ = "sb_pg_" + std::to_string(::getpid()) + "_" +
          std::to_string(std::hash<std::string>{}(
              ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    admin("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
    admin("CREATE DATABASE " + db_);
    created_ = true;
  }
  void TearDown() override {
    if (created_) admin("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  }

  void admin(const std::string& sql) {
    try {
      PostgresDatabase(admin_url_).exec(sql);
    } catch (const sql::Error& e) {
      FAIL() << sql << ": " << e.what();
    }
  }

  /// The admin URL pointing at this test's database instead.
  std::string url() const {
    const auto slash = admin_url_.find('/', admin_url_.find("://") + 3);
    return admin_url_.substr(0, slash) + "/" + db_;
  }

  /// A store on its own connection, as another node would have.
  std::unique_ptr<PostgresStore> node() { return std::make_unique<PostgresStore>(url()); }

  static Call make_call(const std::string& id, const std::string& caller) {
    Call c;
    c.id = id;
    c.org_id = "org1";
    c.caller = {caller, "Caller " + caller};
    c.created_at_ms = 1000;
    c.ring_deadline_ms = 46000;
    return c;
  }

  std::string admin_url_;
  std::string db_;
  bool created_ = false;
};

TEST(PostgresConnectTest, AnUnreachableDatabaseIsAStartUpError) {
  EXPECT_THROW(PostgresStore("postgres://nobody@127.0.0.1:1/none?connect_timeout=2"), sql::Error);
}

TEST_F(PostgresStoreTest, NodesStartingAtOnceApplyEachMigrationOnce) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<PostgresStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(node());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (auto& n : nodes) {
    threads.emplace_back([&ok, store = n.get()] {
      if (store->migrate()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kNodes);
  PostgresDatabase check(url());
  auto rows = check.query("SELECT name FROM schema_migrations ORDER BY name", {});
  std::vector<std::string> applied;
  while (rows.next()) applied.push_back(rows.text(0));
  EXPECT_EQ(applied,
            (std::vector<std::string>{"0001_init.sql", "0002_quality_feedback_webhooks.sql",
                                      "0003_quality_figure_counts.sql",
                                      "0004_queue_topics_transfer.sql", "0005_ice_profile.sql",
                                      "0006_node_liveness.sql", "0007_open_call_predicate.sql"}));
}

TEST_F(PostgresStoreTest, OfStaffAcceptingOnDifferentNodesExactlyOneWins) {
  constexpr int kStaff = 8;
  auto first = node();
  ASSERT_TRUE(first->migrate());
  std::vector<RingTarget> ring;
  for (int i = 0; i < kStaff; ++i) {
    const std::string id = "s" + std::to_string(i);
    ASSERT_TRUE(first->upsert_staff("org1", id, "Staff " + id, 500));
    ring.push_back({id, std::nullopt});
  }
  ASSERT_TRUE(first->create_call(make_call("c1", "u1"), ring, std::nullopt));
  std::vector<std::unique_ptr<PostgresStore>> nodes;
  for (int i = 0; i < kStaff; ++i) nodes.push_back(node());
  std::atomic<int> won{0}, lost{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kStaff; ++i) {
    threads.emplace_back([&, i, store = nodes[static_cast<std::size_t>(i)].get()] {
      TransitionRequest r;
      r.org_id = "org1";
      r.call_id = "c1";
      r.from = {CallState::kRinging};
      r.to = CallState::kAccepted;
      r.now_ms = 2000;
      r.accepting_staff = call::Person{"s" + std::to_string(i), "Staff"};
      r.effects = call::next_transition(CallState::kRinging, call::CallEvent::kAccept)->effects;
      auto out = store->transition(r);
      if (!out) {
        ++failed;
      } else if (out->call) {
        ++won;
      } else {
        ++lost;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), kStaff - 1);
  EXPECT_EQ(failed.load(), 0);
  auto c = first->find_call("org1", "c1");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->state, CallState::kAccepted);
  EXPECT_EQ((*c)->version, 2);
}

TEST_F(PostgresStoreTest, OfTwoCreatesOfOneCallerOnDifferentNodesOneIsInProgress) {
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<PostgresStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(node());
  ASSERT_TRUE(nodes[0]->migrate());
  std::atomic<int> created{0}, in_progress{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i, store = nodes[static_cast<std::size_t>(i)].get()] {
      auto out = store->create_call(make_call("c" + std::to_string(i), "u1"), {}, std::nullopt);
      if (out) {
        ++created;
      } else if (out.error().code == call::ErrorCode::kCallInProgress) {
        ++in_progress;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(in_progress.load(), kNodes - 1);
}

TEST_F(PostgresStoreTest, ABrokenConnectionIsUnavailableAndPingReconnects) {
  auto store = node();
  ASSERT_TRUE(store->migrate());
  std::vector<std::string> errors;
  store->set_operation_observer([&](double, std::string_view error) {
    if (!error.empty()) errors.emplace_back(error);
  });
  // Prepared on this session before it ends: the new session must prepare it again.
  ASSERT_TRUE(store->find_call("org1", "c1"));
  // What a database restart looks like from here: the server ends our session.
  admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ + "'");
  auto lost = store->find_call("org1", "c1");
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, call::ErrorCode::kUnavailable);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(store->ping());
  auto back = store->find_call("org1", "c1");
  ASSERT_TRUE(back);
  EXPECT_FALSE(*back);
  EXPECT_EQ(errors.size(), 1u);
}

TEST_F(PostgresStoreTest, AServerThatDoesNotAnswerIsGivenUpOnAndReconnectedAfter) {
  PostgresDatabase db(url());
  // The server stays silent for 30 s, as a paused one would: with its own statement timeout off,
  // only the driver's deadline ends the wait. (A SIGSTOP of the backend would also hold up
  // DROP DATABASE in tests running beside this one; 22-faults-postgres pauses a whole server.)
  db.exec("SET statement_timeout = 0");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(db.exec("SELECT pg_sleep(30)"), sql::Error);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::seconds(6));
  EXPECT_LT(waited, std::chrono::seconds(9));
  // The next statement outside a transaction goes on a new connection, with the defaults again.
  auto rows = db.query("SHOW statement_timeout", {});
  ASSERT_TRUE(rows.next());
  EXPECT_EQ(rows.text(0), "5s");
  EXPECT_TRUE(db.ping());
}

TEST_F(PostgresStoreTest, GroupCommitsSessionSettingSurvivesAReconnect) {
  PostgresDatabase db(url());
  auto sync = db.begin_group_commit();
  admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ +
        "' AND pid <> pg_backend_pid()");
  EXPECT_TRUE(db.ping());
  auto rows = db.query("SHOW synchronous_commit", {});
  ASSERT_TRUE(rows.next());
  EXPECT_EQ(rows.text(0), "off");
  // The sync's own connection was ended too: one sync fails, and it reconnects for the next.
  EXPECT_FALSE(sync());
  EXPECT_TRUE(sync());
  db.end_group_commit();
}

// BEGIN is not sent on its own: it goes with the transaction's first statement, in one round
// trip. That statement is still inside the transaction, a relaxed one still has its setting, and
// an error in it leaves a transaction that rolls back like any other.
TEST_F(PostgresStoreTest, ATransactionsBeginTravelsWithItsFirstStatement) {
  PostgresDatabase db(url());
  db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
  db.exec("SET synchronous_commit = on");  // The test server's default is off.
  auto count = [&] {
    auto rows = db.query("SELECT COUNT(*) FROM t", {});
    return rows.next() ? rows.int64(0) : -1;
  };
  auto in_transaction = [&] {
    auto rows = db.query("SELECT now() = statement_timestamp()", {});
    return rows.next() && !rows.boolean(0);  // now() is the transaction's start.
  };

  db.begin(sql::Durability::kFull);
  EXPECT_EQ(db.run("INSERT INTO t (k) VALUES (?)", {"a"}), 1);
  EXPECT_TRUE(in_transaction());
  db.rollback();
  EXPECT_EQ(count(), 0) << "the first statement ran inside the transaction";

  db.begin(sql::Durability::kRelaxed);
  {
    auto rows = db.query("SHOW synchronous_commit", {});
    ASSERT_TRUE(rows.next());
    EXPECT_EQ(rows.text(0), "off");
  }
  db.commit();
  {
    auto rows = db.query("SHOW synchronous_commit", {});
    ASSERT_TRUE(rows.next());
    EXPECT_EQ(rows.text(0), "on") << "SET LOCAL ended with its transaction";
  }

  db.run("INSERT INTO t (k) VALUES (?)", {"b"});
  db.begin(sql::Durability::kFull);
  try {
    db.run("INSERT INTO t (k) VALUES (?)", {"b"});
    ADD_FAILURE() << "a duplicate key was taken";
  } catch (const sql::Error& e) {
    EXPECT_TRUE(e.is_unique_violation()) << e.what();
  }
  db.rollback();
  EXPECT_EQ(count(), 1);

  db.begin(sql::Durability::kFull);  // Begun and committed with nothing in it: nothing is sent.
  db.commit();
  db.begin(sql::Durability::kFull);
  db.exec("INSERT INTO t (k) VALUES ('c')");  // A script inside the transaction: BEGIN goes first.
  db.rollback();
  EXPECT_EQ(count(), 1);
  EXPECT_TRUE(db.ping());
}

TEST_F(PostgresStoreTest, AStatementOverTheStatementTimeoutIsCancelled) {
  PostgresDatabase db(url());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(db.exec("SELECT pg_sleep(30)"), sql::Error);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(6));
  EXPECT_NO_THROW(db.exec("SELECT 1"));
}

TEST_F(PostgresStoreTest, AReadOnlyDatabaseIsNotReadyAndWritesAreUnavailable) {
  auto store = node();
  ASSERT_TRUE(store->migrate());
  EXPECT_TRUE(store->ping());
  // As after a failover onto a replica: sessions from now on refuse writes.
  admin("ALTER DATABASE " + db_ + " SET default_transaction_read_only = on");
  admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ + "'");
  EXPECT_FALSE(store->ping());
  auto refused = store->upsert_staff("org1", "s1", "Staff", 1000);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, call::ErrorCode::kUnavailable);
  EXPECT_FALSE(store->ping());
  admin("ALTER DATABASE " + db_ + " SET default_transaction_read_only = off");
  admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ + "'");
  // Writable again (ping reconnects), but the last write failed a moment ago and none succeeded
  // since.
  EXPECT_FALSE(store->ping());
  EXPECT_TRUE(store->upsert_staff("org1", "s1", "Staff", 1000));
  EXPECT_TRUE(store->ping());
}

TEST_F(PostgresStoreTest, ASlowStatementOnAServerThatAnswersPingsIsNotCutShort) {
  PostgresDatabase db(url(), StallWatching::kOn);
  // Twice the stall watch's limit: the watch's own pings are answered meanwhile.
  EXPECT_NO_THROW(db.exec("SELECT pg_sleep(2)"));
  EXPECT_TRUE(db.ping());
}

/// A TCP port that takes connections (the kernel completes them) and never says a word, as a
/// paused PostgreSQL does.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { close(); }
  /// From now on connections are refused, as by a server that is down.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::string url() const { return "postgres://nobody@127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

bool becomes(const StallWatch& watch, bool stalled, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (watch.stalled() == stalled) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return watch.stalled() == stalled;
}

TEST(StallWatch, AServerThatTakesConnectionsAndNeverAnswersIsStalledUntilItRefuses) {
  SilentServer server;
  const auto started = std::chrono::steady_clock::now();
  StallWatch watch(server.url());
  ASSERT_TRUE(becomes(watch, true, std::chrono::seconds(5)));
  // Not before the watch's limit has passed without an answer.
  EXPECT_GE(std::chrono::steady_clock::now() - started, kStallAfter);
  // A refusal is an answer: a server that is down is not stalled (its connections fail fast).
  server.close();
  EXPECT_TRUE(becomes(watch, false, std::chrono::seconds(5)));
}

TEST(StallWatch, StartingAConnectionToASilentServerGivesUpAtTheConnectTimeout) {
  SilentServer server;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(PostgresDatabase db(server.url() + "?connect_timeout=2"), sql::Error);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::milliseconds(1900));
  EXPECT_LT(waited, std::chrono::seconds(4));
}

}  // namespace
}  // namespace sb::storage::postgres
