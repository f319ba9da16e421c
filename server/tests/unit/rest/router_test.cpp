#include "rest/router.hpp"

#include <gtest/gtest.h>

#include "rest/routes.hpp"

namespace sb::rest {
namespace {

net::HttpResponse answer(const Services&, Exchange&) {
  return {};
}

Router::Match match(const Router& router, std::string_view method, std::string_view path) {
  const auto segments = split_path(path);
  return router.match(method, segments);
}

TEST(SplitPath, DropsEmptySegments) {
  EXPECT_EQ(split_path("//v1/calls//x/"), (std::vector<std::string_view>{"v1", "calls", "x"}));
  EXPECT_TRUE(split_path("/").empty());
}

TEST(Router, TheFirstPatternThatFitsDecidesAndItsMethodsPick) {
  const Router router({
      {"GET", "/v1/things", Access::kSignedIn, &answer},
      {"POST", "/v1/things", Access::kSignedIn, &answer},
      {"*", "/v1/*", Access::kSignedIn, &answer, "other"},
  });
  auto post = match(router, "POST", "/v1/things");
  ASSERT_NE(post.route, nullptr);
  EXPECT_EQ(post.route->method, "POST");
  // A method the pattern lacks is not found, even though the wildcard would take it.
  auto put = match(router, "PUT", "/v1/things");
  ASSERT_NE(put.path, nullptr);
  EXPECT_EQ(put.path->pattern, "/v1/things");
  EXPECT_EQ(put.route, nullptr);
  auto other = match(router, "PUT", "/v1/else");
  ASSERT_NE(other.route, nullptr);
  EXPECT_EQ(other.route->label, "other");
  EXPECT_EQ(match(router, "GET", "/v1/things/1").path, nullptr);
}

TEST(Router, AnIdIsCapturedAndChecked) {
  const Router router({{"GET", "/v1/calls/{id}", Access::kSignedIn, &answer}});
  auto good = match(router, "GET", "/v1/calls/call_1.a:b@c-d");
  ASSERT_NE(good.route, nullptr);
  EXPECT_EQ(good.id, "call_1.a:b@c-d");
  EXPECT_TRUE(good.id_valid);
  auto bad = match(router, "GET", "/v1/calls/not a valid id");
  EXPECT_NE(bad.path, nullptr);
  EXPECT_FALSE(bad.id_valid);
}

// The real table of the calls resource: the cases docs/openapi.yaml and docs/metrics.md pin down.
TEST(CallsRoutes, ActionsUnknownActionsWrongMethodsAndBadIds) {
  const Router router(calls_routes());
  auto accept = match(router, "POST", "/v1/calls/c1/accept");
  ASSERT_NE(accept.route, nullptr);
  EXPECT_EQ(accept.route->pattern, "/v1/calls/{id}/accept");
  EXPECT_EQ(accept.id, "c1");

  auto get_accept = match(router, "GET", "/v1/calls/c1/accept");
  EXPECT_EQ(get_accept.route, nullptr);
  EXPECT_EQ(get_accept.path->pattern, "/v1/calls/{id}/accept");

  // An unknown action is 404 counted as `other`; with a bad id it is still a bad request.
  auto unknown = match(router, "POST", "/v1/calls/c1/teleport");
  ASSERT_NE(unknown.route, nullptr);
  EXPECT_EQ(unknown.route->label, "other");
  EXPECT_FALSE(match(router, "POST", "/v1/calls/c%201/teleport").id_valid);
  EXPECT_FALSE(match(router, "DELETE", "/v1/calls/a b").id_valid);

  EXPECT_NE(match(router, "POST", "/v1/calls").route, nullptr);
  EXPECT_NE(match(router, "GET", "/v1/calls").route, nullptr);
  EXPECT_EQ(match(router, "PUT", "/v1/calls").route, nullptr);
  EXPECT_EQ(match(router, "POST", "/v1/calls/c1/accept/again").path, nullptr);
}

TEST(Routes, EveryPublicRouteIsTheDevTokenOrOutsideV1) {
  for (auto resource :
       {calls_routes, staff_routes, ops_routes, ice_servers_routes, dev_token_routes}) {
    for (const auto& r : resource()) {
      EXPECT_TRUE(r.pattern.starts_with("/v1/")) << r.pattern;
      if (r.access == Access::kPublic) {
        EXPECT_EQ(r.pattern, "/v1/dev/token");
      }
    }
  }
  for (const auto& r : health_routes()) EXPECT_FALSE(r.pattern.starts_with("/v1")) << r.pattern;
}

}  // namespace
}  // namespace sb::rest
