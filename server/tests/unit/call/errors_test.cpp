#include "call/errors.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "call/errors_json.hpp"

namespace sb::call {
namespace {

namespace json = boost::json;

json::array spec_codes() {
  std::ifstream in(SB_SPEC_DIR "/errors.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).at("codes").as_array();
}

// The build generates the table from spec/errors.json; this reads the JSON again at test time,
// so a stale or hand-edited table shows here.
TEST(Errors, TheTableIsSpecErrorsJsonInOrder) {
  const auto codes = spec_codes();
  const auto table = error_table();
  ASSERT_EQ(table.size(), codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto& spec = codes[i].as_object();
    const auto& row = table[i];
    const std::string name(spec.at("code").as_string());
    EXPECT_EQ(row.name, name);
    EXPECT_EQ(to_string(row.code), name);
    EXPECT_EQ(http_status(row.code), spec.at("status").as_int64()) << name;
    EXPECT_EQ(is_retryable(row.code), spec.at("retryable").as_bool()) << name;
    EXPECT_EQ(default_message(row.code), spec.at("message").as_string()) << name;
    EXPECT_EQ(&error_info(row.code), &row) << name;
  }
}

// error_info's generated switch covers every enumerator (else -Wswitch fails the build); this
// checks the other direction: each code of the JSON is its own enumerator.
TEST(Errors, EveryCodeOfTheSpecIsOneEnumerator) {
  std::set<ErrorCode> seen;
  for (const auto& row : error_table()) EXPECT_TRUE(seen.insert(row.code).second) << row.name;
  EXPECT_EQ(seen.size(), spec_codes().size());
}

TEST(Errors, TheContractStatusesHold) {
  EXPECT_EQ(http_status(ErrorCode::kInvalidRequest), 400);
  EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kCallAlreadyTaken), 409);
  EXPECT_EQ(http_status(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
  EXPECT_TRUE(is_retryable(ErrorCode::kNoStaffAvailable));
  EXPECT_FALSE(is_retryable(ErrorCode::kForbidden));
}

TEST(Errors, JsonCarriesCodeMessageRetryableAndDetailsWhenThereAreAny) {
  EXPECT_EQ(json::serialize(error_json(make_error(ErrorCode::kRateLimited, "Slow down."))),
            R"({"code":"rate_limited","message":"Slow down.","retryable":true})");
  Error e = make_error(ErrorCode::kInvalidTransition);
  e.details["state"] = "ended";
  const auto out = error_json(e);
  EXPECT_EQ(out.at("message").as_string(), default_message(ErrorCode::kInvalidTransition));
  EXPECT_EQ(out.at("retryable").as_bool(), false);
  EXPECT_EQ(json::serialize(out.at("details")), R"({"state":"ended"})");
}

}  // namespace
}  // namespace sb::call
