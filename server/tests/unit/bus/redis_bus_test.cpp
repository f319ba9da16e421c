// RedisBus against a real redis-server: the shared one from scripts/with-redis.sh
// (SB_TEST_REDIS_URL; its absence fails the tests), and private ones started here when a test
// needs to stop and restart Redis.

#include "bus/redis/redis_bus.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis/origin_filter.hpp"

extern char** environ;

namespace sb::bus {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string unique_prefix() {
  std::random_device rd;
  return "sbtest" + std::to_string(rd()) + std::to_string(::getpid());
}

bool redis_answers(int port) {
  timeval tv{0, 200000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr) return false;
  bool ok = false;
  if (c->err == 0) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = r != nullptr && r->type == REDIS_REPLY_STATUS && std::string(r->str) == "PONG";
    if (r != nullptr) freeReplyObject(r);
  }
  redisFree(c);
  return ok;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// A redis-server child this test starts and stops.
class RedisServer {
 public:
  explicit RedisServer(int port) : port_(port) {
    dir_ = std::filesystem::temp_directory_path() / ("sb-redis-test-" + std::to_string(port));
    std::filesystem::create_directories(dir_);
  }
  ~RedisServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  bool start() {
    const std::string port = std::to_string(port_);
    const std::string dir = dir_.string();
    const std::string log = (dir_ / "redis.log").string();
    std::vector<std::string> args = {
        "redis-server", "--port",      port, "--bind", "127.0.0.1", "--save",    "", "--appendonly",
        "no",           "--daemonize", "no", "--dir",  dir,         "--logfile", log};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
      return false;
    }
    for (int i = 0; i < 100; ++i) {
      if (redis_answers(port_)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  /// SIGSTOP and SIGCONT: a Redis that accepts connections and answers nothing.
  void pause() { ::kill(pid_, SIGSTOP); }
  void resume() { ::kill(pid_, SIGCONT); }

  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
  std::filesystem::path dir_;
};

/// The io thread: an io_context run by one thread, as in the server.
class IoThread {
 public:
  IoThread() : guard_(ioc_.get_executor()), thread_([this] { ioc_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    ioc_.stop();
    thread_.join();
  }
  RedisBus::Post post() {
    return [this](std::function<void()> fn) { boost::asio::post(ioc_, std::move(fn)); };
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

/// What one node's subscriber saw.
class Inbox {
 public:
  explicit Inbox(std::thread::id io) : io_(io) {}
  std::function<void(const Delivery&)> handler() {
    return [this](const Delivery& d) {
      std::lock_guard lock(mu_);
      if (std::this_thread::get_id() != io_) ++off_thread_;
      got_.push_back(d);
      cv_.notify_all();
    };
  }
  bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return got_.size() >= n; });
  }
  std::vector<Delivery> got() {
    std::lock_guard lock(mu_);
    return got_;
  }
  int off_thread() {
    std::lock_guard lock(mu_);
    return off_thread_;
  }

 private:
  std::thread::id io_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> got_;
  int off_thread_ = 0;
};

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  const auto end = Clock::now() + timeout;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

RedisBusOptions options(std::string url, std::string prefix) {
  RedisBusOptions o;
  o.url = std::move(url);
  o.channel_prefix = std::move(prefix);
  o.connect_timeout = 500ms;
  o.command_timeout = 500ms;
  o.ping_interval = 200ms;
  return o;
}

class RedisBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("SB_TEST_REDIS_URL");
    if (url == nullptr || *url == '\0') {
      FAIL() << "SB_TEST_REDIS_URL is not set: run the tests under scripts/with-redis.sh "
                "(it starts a throwaway redis-server)";
    }
    url_ = url;
  }
  std::string url_;
};

TEST(RedisUrl, ConstructorRejectsAnythingElseClearly) {
  RedisBusOptions o;
  o.url = "redis://localhost";
  try {
    RedisBus bus(o, [](std::function<void()> fn) { fn(); });
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("host:port"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("redis://localhost"), std::string::npos) << e.what();
  }
  o.url = "redis://:hunter2@localhost";  // no port
  try {
    RedisBus bus(o, [](std::function<void()> fn) { fn(); });
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

TEST(RedisDeliveryCodec, RoundTripsEveryField) {
  Delivery d{"org-1",
             {"u1", "ü2 \"quoted\""},
             BoardEntry{"s1", R"({"id":"s1","name":"Zoë"})"},
             R"({"type":"call.ringing","x":"é\n\"😀"})"};
  const auto back = decode_delivery(encode_delivery(d));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->org_id, d.org_id);
  EXPECT_EQ(back->user_ids, d.user_ids);
  ASSERT_TRUE(back->board);
  EXPECT_EQ(back->board->staff_id, "s1");
  EXPECT_EQ(back->board->json, d.board->json);
  EXPECT_EQ(back->payload, d.payload);
  EXPECT_FALSE(decode_delivery("not json"));
  EXPECT_FALSE(decode_delivery(R"({"org_id":"o","user_ids":[1],"payload":""})"));
  EXPECT_FALSE(
      decode_delivery(R"({"org_id":"o","user_ids":[],"board":{"staff_id":1},"payload":""})"));
  EXPECT_FALSE(decode_delivery(R"({"org_id":"o","user_ids":[]})"));
  const auto plain = decode_delivery(R"({"org_id":"o","user_ids":[],"payload":"p"})");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->board);
}

TEST_F(RedisBusTest, TwoNodesSeeEveryDeliveryOnceInOrderWithEveryField) {
  IoThread io_a;
  IoThread io_b;
  Inbox inbox_a(io_a.id());
  Inbox inbox_b(io_b.id());
  const auto prefix = unique_prefix();
  RedisBus a(options(url_, prefix), io_a.post());
  RedisBus b(options(url_, prefix), io_b.post());
  a.subscribe(inbox_a.handler());
  b.subscribe(inbox_b.handler());
  ASSERT_TRUE(eventually([&] { return a.healthy() && b.healthy(); }, 5s));

  const std::string tricky = R"({"type":"call.ringing","name":"Zoë \"Z\" Ørsted 😀\\ \n"})";
  constexpr int kEach = 200;
  for (int i = 0; i < kEach; ++i) {
    const auto board =
        i % 2 == 0 ? std::optional<BoardEntry>(BoardEntry{"s", tricky}) : std::nullopt;
    a.publish(Delivery{"org-a", {"a" + std::to_string(i), "ü"}, board, tricky});
    b.publish(Delivery{"org-b", {"b" + std::to_string(i)}, std::nullopt, std::to_string(i)});
  }
  ASSERT_TRUE(inbox_a.wait_for_count(2 * kEach, 5s)) << inbox_a.got().size();
  ASSERT_TRUE(inbox_b.wait_for_count(2 * kEach, 5s)) << inbox_b.got().size();
  std::this_thread::sleep_for(300ms);  // nothing more arrives

  for (auto* inbox : {&inbox_a, &inbox_b}) {
    const auto got = inbox->got();
    ASSERT_EQ(got.size(), 2u * kEach);
    EXPECT_EQ(inbox->off_thread(), 0);
    int next_a = 0;
    int next_b = 0;
    for (const auto& d : got) {
      if (d.org_id == "org-a") {
        ASSERT_EQ(d.user_ids, (std::vector<std::string>{"a" + std::to_string(next_a), "ü"}));
        EXPECT_EQ(d.board.has_value(), next_a % 2 == 0);
        EXPECT_EQ(d.payload, tricky);
        ++next_a;
      } else {
        ASSERT_EQ(d.org_id, "org-b");
        ASSERT_EQ(d.user_ids, std::vector<std::string>{"b" + std::to_string(next_b)});
        EXPECT_FALSE(d.board);
        EXPECT_EQ(d.payload, std::to_string(next_b));
        ++next_b;
      }
    }
    EXPECT_EQ(next_a, kEach);
    EXPECT_EQ(next_b, kEach);
  }
  EXPECT_EQ(a.stats().published, static_cast<std::uint64_t>(kEach));
  EXPECT_EQ(a.stats().local, static_cast<std::uint64_t>(kEach));
  EXPECT_EQ(a.stats().received, static_cast<std::uint64_t>(kEach));
  EXPECT_EQ(a.stats().duplicates, 0u);
  EXPECT_EQ(a.stats().pending, 0u);
  EXPECT_EQ(a.stats().dropped, 0u);
}

TEST_F(RedisBusTest, DeliveryLatencyThroughRedis) {
  IoThread io;
  std::mutex mu;
  std::condition_variable cv;
  int seen = -1;
  const auto prefix = unique_prefix();
  RedisBus bus(options(url_, prefix), io.post());
  RedisBus other(options(url_, prefix), io.post());
  other.subscribe([&](const Delivery& d) {
    std::lock_guard lock(mu);
    seen = std::stoi(d.payload);
    cv.notify_all();
  });
  ASSERT_TRUE(eventually([&] { return bus.healthy() && other.healthy(); }, 5s));
  constexpr int kRounds = 200;
  std::vector<double> us;
  for (int i = 0; i < kRounds; ++i) {
    const auto start = Clock::now();
    bus.publish(Delivery{"o", {"u"}, std::nullopt, std::to_string(i)});
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 2s, [&] { return seen == i; }));
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  std::cout << "publish -> other node's handler through Redis: p50 " << us[us.size() / 2]
            << " us, p99 " << us[us.size() * 99 / 100] << " us (" << kRounds << " round trips)\n";
  EXPECT_LT(us[us.size() / 2], 50000.0);
}

TEST_F(RedisBusTest, MalformedEntriesAreCountedAndRepeatedEntriesSkipped) {
  IoThread io;
  Inbox inbox(io.id());
  const auto prefix = unique_prefix();
  RedisBus bus(options(url_, prefix), io.post());
  bus.subscribe(inbox.handler());
  ASSERT_TRUE(eventually([&] { return bus.healthy(); }, 5s));
  const auto ep = parse_redis_url(url_);
  ASSERT_TRUE(ep);
  redisContext* c = redisConnect(ep->host.c_str(), ep->port);
  ASSERT_TRUE(c != nullptr && c->err == 0);
  const auto xadd = [&](const char* origin, const char* seq, const char* delivery) {
    auto* r = static_cast<redisReply*>(redisCommand(
        c, "XADD %s * o %s s %s d %s", bus.stream_key().c_str(), origin, seq, delivery));
    ASSERT_NE(r, nullptr);
    EXPECT_NE(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
  };
  const char* first = R"({"org_id":"o","user_ids":["u"],"payload":"first"})";
  const char* second = R"({"org_id":"o","user_ids":["u"],"payload":"second"})";
  xadd("other-node", "7", "{not a delivery");
  xadd("other-node", "x7", first);
  xadd("other-node", "8", first);
  xadd("other-node", "8", first);  // written twice, as by a publisher that lost the reply
  xadd("other-node", "5", first);  // older than what was read: a replay
  xadd(bus.node_id().c_str(), "100", first);  // its own: delivered locally already
  xadd("other-node", "9", second);
  redisFree(c);
  ASSERT_TRUE(inbox.wait_for_count(2, 5s));
  std::this_thread::sleep_for(300ms);
  const auto got = inbox.got();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, "first");
  EXPECT_EQ(got[1].payload, "second");
  EXPECT_EQ(bus.stats().malformed, 2u);
  EXPECT_EQ(bus.stats().duplicates, 2u);
  EXPECT_EQ(bus.stats().received, 2u);
}

TEST(RedisOriginFilter, SkipsItsOwnAndWhatItHasSeen) {
  OriginFilter f("me");
  using V = OriginFilter::Verdict;
  EXPECT_EQ(f.admit("me", 0), V::kOwn);
  EXPECT_EQ(f.admit("a", 3), V::kDeliver);
  EXPECT_EQ(f.admit("a", 3), V::kDuplicate);
  EXPECT_EQ(f.admit("a", 2), V::kDuplicate);
  EXPECT_EQ(f.admit("b", 0), V::kDeliver);
  EXPECT_EQ(f.admit("a", 10), V::kDeliver);  // a gap: the publisher's queue dropped 4..9
  EXPECT_EQ(f.admit("b", 0), V::kDuplicate);
  EXPECT_EQ(f.admit("b", 1), V::kDeliver);
}

TEST(RedisBusOutage, KilledRedisLocalDeliveriesGoOnAndTheOtherNodeGetsTheQueueAfter) {
  const int port = free_port();
  ASSERT_NE(port, 0);
  RedisServer server(port);
  ASSERT_TRUE(server.start()) << "redis-server did not start on port " << port;

  IoThread io;
  IoThread io_b;
  Inbox inbox(io.id());
  Inbox inbox_b(io_b.id());
  std::mutex events_mu;
  std::map<std::string, int> events;
  const auto prefix = unique_prefix();
  auto o = options(server.url(), prefix);
  o.max_pending = 100;
  o.on_event = [&](std::string_view name, std::string_view) {
    std::lock_guard lock(events_mu);
    ++events[std::string(name)];
  };
  RedisBus bus(o, io.post());
  RedisBus b(options(server.url(), prefix), io_b.post());
  bus.subscribe(inbox.handler());
  b.subscribe(inbox_b.handler());
  ASSERT_TRUE(eventually([&] { return bus.healthy() && b.healthy(); }, 5s));
  bus.publish(Delivery{"o", {"u"}, std::nullopt, "before"});
  ASSERT_TRUE(inbox_b.wait_for_count(1, 5s));

  // Killed while the publisher streams: writes on the reset connection must fail with EPIPE,
  // not kill the process with SIGPIPE.
  std::atomic<bool> streaming{true};
  std::thread streamer([&] {
    while (streaming.load()) {
      bus.publish(Delivery{"o", {"u"}, std::nullopt, std::string(2000, 'x')});
      std::this_thread::sleep_for(200us);
    }
  });
  std::this_thread::sleep_for(100ms);
  server.stop();
  std::this_thread::sleep_for(300ms);
  streaming.store(false);
  streamer.join();
  ASSERT_TRUE(eventually([&] { return !bus.healthy(); }, 3s));
  const auto dropped_before = bus.stats().dropped;
  const auto local_before = inbox.got().size();

  const auto start = Clock::now();
  for (int i = 0; i < 1000; ++i) {
    bus.publish(Delivery{"o", {"u"}, std::nullopt, "down " + std::to_string(i)});
  }
  const auto took = Clock::now() - start;
  EXPECT_LT(took, 100ms);
  // This node's own connections get every one at once; only the queue for others is bounded.
  ASSERT_TRUE(inbox.wait_for_count(local_before + 1000, 1s));
  EXPECT_EQ(bus.stats().pending, 100u);
  EXPECT_GE(bus.stats().dropped - dropped_before, 900u);
  {
    std::lock_guard lock(events_mu);
    EXPECT_GE(events["bus.redis.down"], 1);
    EXPECT_GE(events["bus.redis.dropping"], 1);
  }

  ASSERT_TRUE(server.start());
  // Backoff is capped at 2 s.
  ASSERT_TRUE(eventually([&] { return bus.healthy() && b.healthy(); }, 5s));
  EXPECT_TRUE(eventually([&] { return bus.stats().pending == 0; }, 5s));
  EXPECT_GE(bus.stats().reconnects, 2u);
  // The other node gets the 100 the queue kept, the newest, in order, once each.
  bus.publish(Delivery{"o", {"u"}, std::nullopt, "after"});
  ASSERT_TRUE(eventually(
      [&] { return !inbox_b.got().empty() && inbox_b.got().back().payload == "after"; }, 5s));
  const auto got = inbox_b.got();
  std::vector<std::string> downs;
  for (const auto& d : got) {
    if (d.payload.rfind("down ", 0) == 0) downs.push_back(d.payload);
  }
  ASSERT_EQ(downs.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(downs[i], "down " + std::to_string(900 + i));
}

TEST(RedisBusOutage, PausedRedisNothingLostOrDoubledForTheOtherNode) {
  const int port = free_port();
  ASSERT_NE(port, 0);
  RedisServer server(port);
  ASSERT_TRUE(server.start()) << "redis-server did not start on port " << port;
  IoThread io_a;
  IoThread io_b;
  Inbox inbox_a(io_a.id());
  Inbox inbox_b(io_b.id());
  const auto prefix = unique_prefix();
  RedisBus a(options(server.url(), prefix), io_a.post());
  RedisBus b(options(server.url(), prefix), io_b.post());
  a.subscribe(inbox_a.handler());
  b.subscribe(inbox_b.handler());
  ASSERT_TRUE(eventually([&] { return a.healthy() && b.healthy(); }, 5s));

  // Published before, during and after a 3 s pause: the paused Redis still runs, when it wakes,
  // the commands of the connections given up on, so entries land in the stream twice.
  constexpr int kCount = 150;
  server.pause();
  bool resumed = false;
  for (int i = 0; i < kCount; ++i) {
    const auto t0 = Clock::now();
    a.publish(Delivery{"o", {"u"}, std::nullopt, std::to_string(i)});
    ASSERT_TRUE(inbox_a.wait_for_count(i + 1, 500ms)) << "local delivery " << i;
    EXPECT_LT(Clock::now() - t0, 200ms);
    if (i == 100) {
      EXPECT_FALSE(a.healthy());
      server.resume();
      resumed = true;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (!resumed) server.resume();
  ASSERT_TRUE(inbox_b.wait_for_count(kCount, 10s)) << inbox_b.got().size();
  std::this_thread::sleep_for(500ms);
  const auto got = inbox_b.got();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(got[i].payload, std::to_string(i));
  EXPECT_EQ(inbox_a.got().size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(a.stats().dropped, 0u);
  std::cout << "paused Redis: " << b.stats().duplicates << " repeated entries skipped\n";
}

TEST(RedisBusOutage, DestructorReturnsWithinASecond) {
  const int port = free_port();
  ASSERT_NE(port, 0);
  RedisServer server(port);
  ASSERT_TRUE(server.start());
  IoThread io;
  {
    auto o = options(server.url(), unique_prefix());
    o.ping_interval = 10s;  // blocked in a long read when destroyed
    auto bus = std::make_unique<RedisBus>(o, io.post());
    ASSERT_TRUE(eventually([&] { return bus->healthy(); }, 5s));
    for (int i = 0; i < 50; ++i) bus->publish(Delivery{"o", {"u"}, std::nullopt, "x"});
    const auto start = Clock::now();
    bus.reset();
    EXPECT_LT(Clock::now() - start, 1s);
  }
  server.stop();
  {
    auto o = options(server.url(), unique_prefix());
    o.backoff_min = 2s;  // asleep in backoff when destroyed
    o.backoff_max = 2s;
    auto bus = std::make_unique<RedisBus>(o, io.post());
    std::this_thread::sleep_for(100ms);
    EXPECT_FALSE(bus->healthy());
    bus->publish(Delivery{"o", {"u"}, std::nullopt, "x"});
    const auto start = Clock::now();
    bus.reset();
    EXPECT_LT(Clock::now() - start, 1s);
  }
  {
    // Connecting to an address that never answers (a blackhole): the connect wait wakes too.
    auto o = options("redis://10.255.255.1:6379", unique_prefix());
    o.connect_timeout = 10s;
    auto bus = std::make_unique<RedisBus>(o, io.post());
    std::this_thread::sleep_for(100ms);
    const auto start = Clock::now();
    bus.reset();
    EXPECT_LT(Clock::now() - start, 1s);
  }
}

// A Redis that wants a password (Redis 6 ACL user made for this test only, so the default user
// other tests use is untouched): the right one connects, a wrong one is reported and never up.
TEST_F(RedisBusTest, AuthenticatesWithTheUrlsUserAndPassword) {
  auto ep = parse_redis_url(url_);
  ASSERT_TRUE(ep);
  const std::string user = "sb_" + unique_prefix();
  redisContext* admin = redisConnect(ep->host.c_str(), ep->port);
  ASSERT_TRUE(admin != nullptr && admin->err == 0);
  auto* made = static_cast<redisReply*>(
      redisCommand(admin, "ACL SETUSER %s on >s3cret@pw ~* &* +@all", user.c_str()));
  ASSERT_NE(made, nullptr);
  EXPECT_NE(made->type, REDIS_REPLY_ERROR) << std::string(made->str, made->len);
  freeReplyObject(made);

  const std::string where =
      ep->host.find(':') != std::string::npos ? "[" + ep->host + "]" : ep->host;
  const std::string authority = where + ":" + std::to_string(ep->port);
  {
    IoThread io;
    Inbox inbox(io.id());
    RedisBus bus(options("redis://" + user + ":s3cret%40pw@" + authority + "/1", unique_prefix()),
                 io.post());
    bus.subscribe(inbox.handler());
    ASSERT_TRUE(eventually([&] { return bus.healthy(); }, 5s));
    bus.publish(Delivery{"org", {"u"}, std::nullopt, "{}"});
    EXPECT_TRUE(inbox.wait_for_count(1, 5s));
  }
  {
    IoThread io;
    std::mutex mu;
    std::string events;
    auto o = options("redis://" + user + ":wrong@" + authority, unique_prefix());
    o.on_event = [&](std::string_view event, std::string_view detail) {
      std::lock_guard lock(mu);
      events += std::string(event) + " " + std::string(detail) + "\n";
    };
    RedisBus bus(o, io.post());
    EXPECT_TRUE(eventually(
        [&] {
          std::lock_guard lock(mu);
          return events.find("AUTH") != std::string::npos;
        },
        5s));
    EXPECT_FALSE(bus.healthy());
    std::lock_guard lock(mu);
    EXPECT_EQ(events.find("wrong"), std::string::npos) << "the password is never logged";
  }
  auto* gone = static_cast<redisReply*>(redisCommand(admin, "ACL DELUSER %s", user.c_str()));
  if (gone != nullptr) freeReplyObject(gone);
  redisFree(admin);
}

}  // namespace
}  // namespace sb::bus
