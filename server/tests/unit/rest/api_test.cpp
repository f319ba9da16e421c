// The API end to end over an in-memory store: which checks come first, what each refusal says,
// and the route label each request is counted under (docs/metrics.md).
#include "rest/api.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "auth/dev_token.hpp"
#include "bus/local/local_bus.hpp"
#include "fakes/manual_time.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace sb::rest {
namespace {

namespace json = boost::json;

constexpr std::string_view kSecret = "api-test-secret-0123456789abcdef-0123456789";

class ApiTest : public ::testing::Test {
 protected:
  ApiTest()
      : store_(":memory:"),
        verifier_(auth::JwtVerifier::create({auth::JwtAlgorithm::kHs256, std::string(kSecret),
                                             std::nullopt, std::nullopt, 30})
                      .value()),
        calls_(store_, bus_, scheduler_, clock_, {}, {{"stun:s"}, {"turn:t"}, "x", 60000}),
        api_(calls_, verifier_, clock_,
             {false,
              "",
              "/nonexistent",
              {1e9, 1e9},
              {1e9, 1e9},
              {},
              {},
              [this](std::string_view route, int, double) { label_ = std::string(route); },
              {},
              {"https://app.example.com"}}) {
    (void)store_.migrate();
  }

  struct Answer {
    int status;
    std::string code;
    std::string message;
    std::string label;
  };

  Answer send(std::string method, std::string path, std::string body = {}, bool signed_in = true) {
    net::HttpRequest req;
    req.method = std::move(method);
    req.target = path;
    req.path = path.substr(0, path.find('?'));
    if (auto q = path.find('?'); q != std::string::npos) req.query = path.substr(q + 1);
    req.body = std::move(body);
    req.remote_ip = "127.0.0.1";
    if (signed_in) {
      req.headers["authorization"] =
          "Bearer " + auth::mint_hs256_token(kSecret, {"cat", "org", auth::Role::kClient, "cat", 0},
                                             clock_.now_ms() / 1000, 3600);
    }
    const auto res = api_.handle(req);
    Answer a{res.status, "", "", label_};
    if (res.status >= 400 && res.content_type == "application/json") {
      const auto error = json::parse(res.body).at("error").as_object();
      a.code = error.at("code").as_string();
      a.message = error.at("message").as_string();
      for (const auto& row : call::error_table()) {
        if (row.name == a.code) {
          EXPECT_EQ(error.at("retryable").as_bool(), row.retryable) << a.code;
        }
      }
    }
    return a;
  }

  testing::ManualClock clock_;
  testing::ManualScheduler scheduler_{clock_};
  bus::LocalBus bus_;
  storage::sqlite::SqliteStore store_;
  auth::JwtVerifier verifier_;
  service::CallService calls_;
  std::string label_;
  Api api_;
};

TEST_F(ApiTest, HealthAnswersAnyMethodOutsideV1) {
  EXPECT_EQ(send("GET", "/healthz", {}, false).status, 200);
  auto post = send("POST", "/readyz", {}, false);
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.label, "health");
  EXPECT_EQ(send("GET", "/metrics", {}, false).label, "metrics");
}

TEST_F(ApiTest, APreflightIsAnsweredBeforeTheTokenAndCountedAsSuch) {
  net::HttpRequest req;
  req.method = "OPTIONS";
  req.path = req.target = "/v1/calls/c1/accept";
  req.remote_ip = "127.0.0.1";
  req.headers = {{"origin", "https://app.example.com"}, {"access-control-request-method", "POST"}};
  auto res = api_.handle(req);
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(label_, "preflight");
  const auto has = [&](std::string_view name, std::string_view value) {
    return std::find(res.headers.begin(), res.headers.end(),
                     std::pair<std::string, std::string>{name, value}) != res.headers.end();
  };
  EXPECT_TRUE(has("Access-Control-Allow-Origin", "https://app.example.com"));
  // A refusal is readable by the listed origin's page too; outside /v1 nothing is added.
  req.method = "POST";
  res = api_.handle(req);
  EXPECT_EQ(res.status, 401);
  EXPECT_TRUE(has("Access-Control-Allow-Origin", "https://app.example.com"));
  req.path = req.target = "/healthz";
  res = api_.handle(req);
  EXPECT_FALSE(has("Vary", "Origin"));
}

TEST_F(ApiTest, AnUnknownPathNeedsATokenBeforeItIsNotFound) {
  auto anonymous = send("GET", "/v1/no-such-route", {}, false);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.code, "unauthenticated");
  auto signed_in = send("GET", "/v1/no-such-route");
  EXPECT_EQ(signed_in.status, 404);
  EXPECT_EQ(signed_in.code, "not_found");
  EXPECT_EQ(signed_in.label, "other");
}

TEST_F(ApiTest, TheDevTokenRouteIsPublicAndNotFoundWithoutDev) {
  for (const char* method : {"POST", "GET"}) {
    auto a = send(method, "/v1/dev/token", R"({"org":"o","sub":"s","role":"staff"})", false);
    EXPECT_EQ(a.status, 404) << method;
    EXPECT_EQ(a.label, "/v1/dev/token") << method;
  }
}

TEST_F(ApiTest, AWrongMethodIsNotFoundUnderTheRouteLabelAfterTheToken) {
  EXPECT_EQ(send("GET", "/v1/calls/c1/accept", {}, false).status, 401);
  auto a = send("GET", "/v1/calls/c1/accept");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.label, "/v1/calls/{id}/accept");
  EXPECT_EQ(send("DELETE", "/v1/calls/c1").label, "/v1/calls/{id}");
}

TEST_F(ApiTest, ABadCallIdIsABadRequestEvenOnAnUnknownAction) {
  for (const char* path : {"/v1/calls/bad id", "/v1/calls/bad id/accept", "/v1/calls/bad id/x"}) {
    auto a = send("POST", path, "{}");
    EXPECT_EQ(a.status, 400) << path;
    EXPECT_EQ(a.message, "That is not a valid call id.") << path;
    EXPECT_EQ(a.label, "other") << path;
  }
  auto unknown = send("POST", "/v1/calls/c1/teleport", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.label, "other");
  EXPECT_EQ(send("POST", "/v1/calls/c1/accept/again", "{}").status, 404);
}

TEST_F(ApiTest, ActionsTakeAJsonObjectFirst) {
  auto a = send("POST", "/v1/calls/c1/accept", "[1]");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.message, "The body must be a JSON object.");
  auto missing = send("POST", "/v1/calls/c1/cancel", "{}");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.label, "/v1/calls/{id}/cancel");
}

TEST_F(ApiTest, JsonNestedTooDeeplyIsNamedAsSuchOnEveryBody) {
  const std::string deep = R"({"metadata":)" + std::string(100, '[') + std::string(100, ']') + "}";
  for (const char* path : {"/v1/calls", "/v1/calls/c1/end"}) {
    auto a = send("POST", path, deep);
    EXPECT_EQ(a.status, 400) << path;
    EXPECT_EQ(a.message, "The JSON is nested too deeply.") << path;
  }
  auto staff = send("PUT", "/v1/staff/me/availability", deep);
  EXPECT_EQ(staff.status, 400);
  EXPECT_EQ(staff.message, "The JSON is nested too deeply.");
  EXPECT_EQ(send("PUT", "/v1/staff/me/availability", "[]").message,
            "Status must be available, away or offline.");
}

TEST_F(ApiTest, CreateChecksItsBodyThenRoutes) {
  auto bad = send("POST", "/v1/calls", R"({"media":1})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.message, "media must be an object.");
  EXPECT_EQ(send("POST", "/v1/calls", R"({"metadata":{"a":1}})").message,
            "metadata values must be strings.");
  auto nobody = send("POST", "/v1/calls", "{}");
  EXPECT_EQ(nobody.status, 409);
  EXPECT_EQ(nobody.code, "no_staff_available");
  EXPECT_EQ(nobody.label, "/v1/calls");
  EXPECT_EQ(send("GET", "/v1/calls?limit=0").message, "limit must be 1 to 100.");
  EXPECT_EQ(send("GET", "/v1/calls?limit=5").status, 200);
}

TEST_F(ApiTest, AnOversizedBodyIsRefusedBeforeTheToken) {
  net::HttpRequest req;
  req.method = "POST";
  req.target = req.path = "/v1/calls";
  req.body_too_large = true;
  EXPECT_EQ(api_.handle(req).status, 413);
}

TEST_F(ApiTest, TheFrontEndIsGetOnly) {
  auto a = send("DELETE", "/index.html", {}, false);
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.code, "not_found");
  EXPECT_EQ(a.label, "static");
}

}  // namespace
}  // namespace sb::rest
