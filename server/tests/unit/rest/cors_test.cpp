// CORS for /v1 (docs/decisions/0009): preflights and the headers of answers, for listed origins
// only.
#include "rest/cors.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>

namespace sb::rest {
namespace {

net::HttpRequest request(std::string method, std::map<std::string, std::string> headers) {
  net::HttpRequest req;
  req.method = std::move(method);
  req.path = req.target = "/v1/calls";
  req.headers = std::move(headers);
  return req;
}

net::HttpRequest preflight(std::string origin) {
  return request("OPTIONS", {{"origin", std::move(origin)},
                             {"access-control-request-method", "POST"},
                             {"access-control-request-headers", "authorization,content-type"}});
}

std::map<std::string, std::string> headers_of(const net::HttpResponse& res) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : res.headers) out[name] = value;
  return out;
}

TEST(Cors, TellsAPreflightFromOtherRequests) {
  EXPECT_TRUE(Cors::is_preflight(preflight("https://app.example.com")));
  EXPECT_FALSE(Cors::is_preflight(request("OPTIONS", {{"origin", "https://app.example.com"}})));
  EXPECT_FALSE(Cors::is_preflight(request("OPTIONS", {{"access-control-request-method", "GET"}})));
  EXPECT_FALSE(Cors::is_preflight(request(
      "POST", {{"origin", "https://app.example.com"}, {"access-control-request-method", "POST"}})));
}

TEST(Cors, AListedOriginsPreflightGets204WithWhatTheApiReads) {
  const Cors cors({"https://app.example.com"});
  auto req = preflight("https://app.example.com");
  auto res = cors.answer_preflight(req);
  cors.add_headers(req, res);
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  EXPECT_TRUE(res.content_type.empty());
  auto h = headers_of(res);
  EXPECT_EQ(h["Access-Control-Allow-Origin"], "https://app.example.com");
  EXPECT_EQ(h["Access-Control-Allow-Methods"], "GET, POST, PUT");
  EXPECT_EQ(h["Access-Control-Allow-Headers"],
            "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
  EXPECT_EQ(h["Access-Control-Max-Age"], "7200");
  EXPECT_EQ(h["Vary"], "Origin");
  EXPECT_FALSE(h.contains("Access-Control-Allow-Credentials"));
}

TEST(Cors, AnUnlistedOriginsPreflightIsForbiddenWithoutCorsHeaders) {
  for (const auto& listed : {std::vector<std::string>{}, {"https://app.example.com"}}) {
    const Cors cors(listed);
    // Origins match exactly: another scheme, port or subdomain is another origin.
    for (const char* origin : {"https://evil.example", "http://app.example.com",
                               "https://app.example.com:8443", "https://x.app.example.com"}) {
      auto req = preflight(origin);
      auto res = cors.answer_preflight(req);
      cors.add_headers(req, res);
      EXPECT_EQ(res.status, 403) << origin;
      const auto error = boost::json::parse(res.body).at("error");
      EXPECT_EQ(error.at("code").as_string(), "forbidden");
      for (const auto& [name, value] : res.headers) {
        EXPECT_FALSE(name.starts_with("Access-Control-")) << origin << " got " << name;
      }
    }
  }
}

TEST(Cors, AnswersCarryTheOriginForListedOriginsOnly) {
  const Cors cors({"https://app.example.com", "http://localhost:5173"});
  net::HttpResponse allowed;
  cors.add_headers(request("POST", {{"origin", "http://localhost:5173"}}), allowed);
  auto h = headers_of(allowed);
  EXPECT_EQ(h["Access-Control-Allow-Origin"], "http://localhost:5173");
  EXPECT_EQ(h["Access-Control-Expose-Headers"], "Retry-After, X-Request-Id, Date");
  EXPECT_EQ(h["Vary"], "Origin");

  net::HttpResponse unlisted;
  cors.add_headers(request("POST", {{"origin", "https://evil.example"}}), unlisted);
  EXPECT_EQ(headers_of(unlisted), (std::map<std::string, std::string>{{"Vary", "Origin"}}));
  net::HttpResponse no_origin;
  cors.add_headers(request("GET", {}), no_origin);
  EXPECT_EQ(headers_of(no_origin), (std::map<std::string, std::string>{{"Vary", "Origin"}}));

  net::HttpResponse none_listed;
  Cors({}).add_headers(request("GET", {{"origin", "https://app.example.com"}}), none_listed);
  EXPECT_TRUE(none_listed.headers.empty());
}

}  // namespace
}  // namespace sb::rest
