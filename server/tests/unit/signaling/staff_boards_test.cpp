// The coalesced staff board (docs/asyncapi.yaml): snapshot, per-org coalescing per interval, seq
// per connection, unsubscribe, and no work for orgs nobody watches.

#include "signaling/staff_boards.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "fakes/manual_time.hpp"

namespace sb::signaling {
namespace {

namespace json = boost::json;

class StaffBoardsTest : public ::testing::Test {
 protected:
  testing::ManualClock clock;
  testing::ManualScheduler scheduler{clock};
  std::map<std::uint64_t, std::vector<json::object>> sent;
  std::int64_t queue_length = 0;
  StaffBoards boards{scheduler, clock, 500,
                     [this](std::uint64_t conn, const std::string& frame) {
                       sent[conn].push_back(json::parse(frame).as_object());
                     },
                     [this](const std::string&) { return queue_length; }};

  static std::string row(const std::string& id, const std::string& status) {
    return json::serialize(json::object{{"id", id}, {"status", status}});
  }
  static std::vector<std::string> ids(const json::object& msg) {
    std::vector<std::string> out;
    for (const auto& e : msg.at("staff").as_array()) {
      out.emplace_back(e.as_object().at("id").as_string());
    }
    return out;
  }
};

TEST_F(StaffBoardsTest, SubscribeSendsTheSnapshotAsSeqOne) {
  queue_length = 3;
  boards.subscribe(1, "org", {row("a", "available"), row("b", "away")});
  ASSERT_EQ(sent[1].size(), 1u);
  const auto& board = sent[1][0];
  EXPECT_EQ(board.at("type").as_string(), "board");
  EXPECT_EQ(ids(board), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(board.at("queue").as_object().at("length").as_int64(), 3);
  EXPECT_EQ(board.at("seq").as_int64(), 1);
}

TEST_F(StaffBoardsTest, ChangesWithinOneIntervalMakeOneUpdateWithTheNewestRows) {
  boards.subscribe(1, "org", {});
  boards.subscribe(2, "org", {});
  // The first change after a quiet spell goes out at once (posted), the rest wait for the
  // interval and are merged: b changed twice, only its newest row is sent.
  boards.row_changed("org", "a", row("a", "available"));
  scheduler.advance(0);
  boards.row_changed("org", "b", row("b", "available"));
  boards.row_changed("org", "c", row("c", "available"));
  boards.row_changed("org", "b", row("b", "away"));
  scheduler.advance(499);
  ASSERT_EQ(sent[1].size(), 2u) << "nothing more before the interval has passed";
  scheduler.advance(1);
  ASSERT_EQ(sent[1].size(), 3u);
  const auto& update = sent[1][2];
  EXPECT_EQ(update.at("type").as_string(), "board.updated");
  EXPECT_EQ(ids(update), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(update.at("staff").as_array()[0].as_object().at("status").as_string(), "away");
  EXPECT_EQ(update.at("seq").as_int64(), 3);
  ASSERT_EQ(sent[2].size(), 3u) << "every subscriber of the org gets it";
  EXPECT_EQ(sent[2][2].at("seq").as_int64(), 3);
}

TEST_F(StaffBoardsTest, AQueueChangeAloneSendsAnUpdateWithTheLengthAndNoRows) {
  boards.subscribe(1, "org", {row("a", "available")});
  queue_length = 1;  // A call joined the queue while every staff member stayed as they were.
  boards.queue_changed("org");
  scheduler.advance(0);
  ASSERT_EQ(sent[1].size(), 2u);
  const auto& update = sent[1][1];
  EXPECT_EQ(update.at("type").as_string(), "board.updated");
  EXPECT_TRUE(update.at("staff").as_array().empty());
  EXPECT_EQ(update.at("queue").as_object().at("length").as_int64(), 1);
  EXPECT_EQ(update.at("seq").as_int64(), 2);
  // A queue change and a row change within one interval make one message; the queue change
  // does not outlive it.
  queue_length = 0;
  boards.queue_changed("org");
  boards.row_changed("org", "a", row("a", "away"));
  scheduler.advance(500);
  ASSERT_EQ(sent[1].size(), 3u);
  EXPECT_EQ(ids(sent[1][2]), (std::vector<std::string>{"a"}));
  EXPECT_EQ(sent[1][2].at("queue").as_object().at("length").as_int64(), 0);
  scheduler.advance(10'000);
  EXPECT_EQ(sent[1].size(), 3u);
}

TEST_F(StaffBoardsTest, AQueueChangeOfAnOrgNobodyWatchesCostsNothing) {
  boards.subscribe(1, "org-a", {});
  boards.queue_changed("org-b");
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST_F(StaffBoardsTest, NothingIsSentWhenNothingChanged) {
  boards.subscribe(1, "org", {});
  scheduler.advance(10'000);
  EXPECT_EQ(sent[1].size(), 1u);
  EXPECT_EQ(scheduler.pending(), 0u) << "no timer runs for a quiet org";
}

TEST_F(StaffBoardsTest, OrgsAreSeparate) {
  boards.subscribe(1, "org-a", {});
  boards.subscribe(2, "org-b", {});
  boards.row_changed("org-a", "a", row("a", "available"));
  scheduler.advance(1000);
  EXPECT_EQ(sent[1].size(), 2u);
  EXPECT_EQ(sent[2].size(), 1u) << "org-b's subscriber hears nothing of org-a";
}

TEST_F(StaffBoardsTest, UnsubscribeStopsUpdatesAndAnOrgWithoutSubscribersCostsNothing) {
  boards.subscribe(1, "org", {});
  boards.unsubscribe(1);
  boards.row_changed("org", "a", row("a", "available"));
  scheduler.advance(1000);
  EXPECT_EQ(sent[1].size(), 1u);
  EXPECT_EQ(scheduler.pending(), 0u);
  EXPECT_EQ(boards.subscribers(), 0u);
  boards.unsubscribe(42);  // unknown: ignored
}

TEST_F(StaffBoardsTest, ResubscribeStartsAgainAtSeqOne) {
  boards.subscribe(1, "org", {});
  boards.row_changed("org", "a", row("a", "available"));
  scheduler.advance(1000);
  boards.subscribe(1, "org", {row("a", "available")});
  ASSERT_EQ(sent[1].size(), 3u);
  EXPECT_EQ(sent[1][2].at("type").as_string(), "board");
  EXPECT_EQ(sent[1][2].at("seq").as_int64(), 1);
}

TEST_F(StaffBoardsTest, ASendThatClosesTheConnectionMidFlushIsSafe) {
  StaffBoards* self = nullptr;
  bool close_on_send = false;
  std::vector<std::uint64_t> got;
  StaffBoards closing{scheduler, clock, 500,
                      [&](std::uint64_t conn, const std::string&) {
                        got.push_back(conn);
                        if (!close_on_send) return;
                        // The first send's connection closes and takes the other one with it.
                        self->unsubscribe(1);
                        self->unsubscribe(2);
                      },
                      nullptr};
  self = &closing;
  closing.subscribe(1, "org", {});
  closing.subscribe(2, "org", {});
  got.clear();
  close_on_send = true;
  closing.row_changed("org", "a", row("a", "available"));
  scheduler.advance(1000);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(closing.subscribers(), 0u);
}

}  // namespace
}  // namespace sb::signaling
