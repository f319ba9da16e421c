// POST /v1/dev/token: a signed token for anyone, only when started with --dev (docs/openapi.yaml).
#include "auth/dev_token.hpp"
#include "rest/api.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"

namespace sb::rest {
namespace {

constexpr std::int64_t kDevTokenLifetimeS = 12 * 3600;

net::HttpResponse mint(const Services& s, Exchange& ex) {
  if (!s.options.dev) return error_response(call::ErrorCode::kNotFound);
  auto body = parse_object(ex.req.body);
  if (!body) return error_response(body.error());
  bool bad = false;
  auto org = opt_string(*body, "org", bad);
  auto sub = opt_string(*body, "sub", bad);
  auto role_text = opt_string(*body, "role", bad);
  auto name = opt_string(*body, "name", bad);
  std::optional<auth::Role> role = role_text ? auth::parse_role(*role_text) : std::nullopt;
  if (bad || !org || !sub || !role || !auth::is_valid_id(*org) || !auth::is_valid_id(*sub) ||
      (name && name->size() > 200)) {
    return error_response(call::ErrorCode::kInvalidRequest,
                          "Give org and sub (1 to 128 of A-Z a-z 0-9 . _ : @ -) and a role.");
  }
  auth::Principal p{*sub, *org, *role, name.value_or(*sub), 0};
  // docs/queue.md#topics: the topics a staff member serves, as an integrator's token would carry
  // them.
  if (const auto* skills = body->if_contains("skills"); skills && !skills->is_null()) {
    const auto* list = skills->if_array();
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      const auto* topic = (*list)[i].if_string();
      if (!topic || !auth::is_valid_id(*topic)) {
        list = nullptr;
        break;
      }
      p.skills.emplace_back(*topic);
    }
    if (!list) {
      return error_response(call::ErrorCode::kInvalidRequest,
                            "skills must be a list of topic ids.");
    }
  }
  auto token =
      auth::mint_hs256_token(s.options.dev_secret, p, ex.now_ms / 1000, kDevTokenLifetimeS);
  return json_response(200, boost::json::object{{"token", token}});
}

}  // namespace

std::vector<Route> dev_token_routes() {
  return {{"POST", "/v1/dev/token", Access::kPublic, &mint}};
}

}  // namespace sb::rest
