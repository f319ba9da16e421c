#include "obs/log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "util/clock.hpp"

namespace sb::obs {
namespace {

class FixedClock final : public Clock {
 public:
  std::int64_t now_ms() const override { return 1'795'467'600'123; }  // 2026-11-23T21:00:00.123Z
};

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink(&out_);
    set_log_clock(&clock_);
    init_logging(LogFormat::kJson, Level::kInfo);
  }
  void TearDown() override {
    set_log_sink(nullptr);
    set_log_clock(nullptr);
    init_logging(LogFormat::kJson, Level::kInfo);
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }

  std::ostringstream out_;
  FixedClock clock_;
};

TEST_F(LogTest, JsonModeWritesOneObjectPerLineWithTheFixedKeysFirst) {
  log_info("call.transition", {{"call_id", "c1"}, {"from", "ringing"}, {"version", 3}});
  const auto all = lines();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], R"({"ts":"2026-11-23T21:00:00.123Z","level":"info","event":"call.transition",)"
                    R"("call_id":"c1","from":"ringing","version":3})");
}

TEST_F(LogTest, JsonModeEscapesAndKeepsOneLine) {
  log_warn("odd", {{"text", "line1\nline2 \"quoted\""}, {"ok", true}, {"none", nullptr}});
  const auto all = lines();
  ASSERT_EQ(all.size(), 1u);
  const auto v = boost::json::parse(all[0]).as_object();
  EXPECT_EQ(v.at("level"), "warn");
  EXPECT_EQ(v.at("text"), "line1\nline2 \"quoted\"");
  EXPECT_EQ(v.at("ok"), true);
  EXPECT_TRUE(v.at("none").is_null());
}

TEST_F(LogTest, ReservedFieldNamesGetAnUnderscore) {
  log_info("e", {{"event", "x"}, {"ts", 1}});
  const auto v = boost::json::parse(lines().at(0)).as_object();
  EXPECT_EQ(v.at("event"), "e");
  EXPECT_EQ(v.at("_event"), "x");
  EXPECT_EQ(v.at("_ts"), 1);
}

TEST_F(LogTest, TextModeWritesAReadableLine) {
  init_logging(LogFormat::kText, Level::kDebug);
  log_error("store.failed", {{"op", "insert_call"}, {"reason", "disk full"}, {"attempt", 2}});
  log_debug("ws.message", {{"type", "signal"}});
  const auto all = lines();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(
      all[0],
      R"(2026-11-23T21:00:00.123Z ERROR store.failed op=insert_call reason="disk full" attempt=2)");
  EXPECT_EQ(all[1], "2026-11-23T21:00:00.123Z DEBUG ws.message type=signal");
}

TEST_F(LogTest, TextModeQuotesValuesThatWouldBreakTheLine) {
  init_logging(LogFormat::kText, Level::kInfo);
  log_info("e", {{"a", "x\ny"}, {"b", ""}, {"c", "k=v"}});
  const auto all = lines();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], R"(2026-11-23T21:00:00.123Z INFO  e a="x\ny" b="" c="k=v")");
}

TEST_F(LogTest, DropsLinesBelowTheMinimumLevel) {
  init_logging(LogFormat::kJson, Level::kWarn);
  EXPECT_FALSE(log_enabled(Level::kInfo));
  EXPECT_TRUE(log_enabled(Level::kError));
  log_debug("d");
  log_info("i");
  log_warn("w");
  log_error("e");
  const auto all = lines();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_NE(all[0].find(R"("event":"w")"), std::string::npos);
  EXPECT_NE(all[1].find(R"("event":"e")"), std::string::npos);
}

TEST_F(LogTest, NeverThrowsWhenTheSinkFails) {
  class FailingBuf : public std::streambuf {
   protected:
    int_type overflow(int_type) override { return traits_type::eof(); }
    std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
  };
  FailingBuf buf;
  std::ostream failing(&buf);
  failing.exceptions(std::ios::badbit | std::ios::failbit);
  set_log_sink(&failing);
  EXPECT_NO_THROW(log_info("lost", {{"k", 1}}));
  set_log_sink(&out_);
  log_info("kept");
  EXPECT_EQ(lines().size(), 1u);
}

TEST_F(LogTest, LinesFromManyThreadsDoNotInterleave) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kPerThread; ++i) log_info("tick", {{"thread", t}, {"i", i}});
    });
  }
  for (auto& th : threads) th.join();
  const auto all = lines();
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (const auto& line : all) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    EXPECT_EQ(v.as_object().at("event"), "tick");
  }
}

TEST(LogNames, ParseAndPrint) {
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(parse_log_format("text"), LogFormat::kText);
  EXPECT_FALSE(parse_log_format("JSON"));
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_FALSE(parse_level("warning"));
  EXPECT_EQ(to_string(Level::kDebug), "debug");
}

}  // namespace
}  // namespace sb::obs
