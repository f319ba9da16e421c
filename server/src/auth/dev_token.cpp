#include "auth/dev_token.hpp"

#include <jwt.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <limits>

namespace sb::auth {
namespace {

/// `{"skills": [...]}`: libjwt adds a list claim from JSON only.
std::string skills_json(const Principal& p) {
  boost::json::array skills;
  for (const auto& topic : p.skills) skills.emplace_back(topic);
  return boost::json::serialize(boost::json::object{{"skills", std::move(skills)}});
}

}  // namespace

std::string mint_hs256_token(std::string_view secret, const Principal& p, std::int64_t now_s,
                             std::int64_t ttl_s) {
  if (secret.empty() || secret.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return {};
  }
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) return {};
  const std::string role(to_string(p.role));
  const bool ok =
      jwt_add_grant(jwt, "sub", p.user_id.c_str()) == 0 &&
      jwt_add_grant(jwt, "org", p.org_id.c_str()) == 0 &&
      jwt_add_grant(jwt, "role", role.c_str()) == 0 &&
      (p.name.empty() || jwt_add_grant(jwt, "name", p.name.c_str()) == 0) &&
      (p.skills.empty() || jwt_add_grants_json(jwt, skills_json(p).c_str()) == 0) &&
      jwt_add_grant_int(jwt, "iat", static_cast<long>(now_s)) == 0 &&
      jwt_add_grant_int(jwt, "exp", static_cast<long>(now_s + ttl_s)) == 0 &&
      jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) == 0;
  std::string token;
  if (ok) {
    if (char* encoded = jwt_encode_str(jwt)) {
      token = encoded;
      std::free(encoded);
    }
  }
  jwt_free(jwt);
  return token;
}

}  // namespace sb::auth
