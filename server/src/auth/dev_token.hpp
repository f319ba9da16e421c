#pragma once
// Tokens the server mints itself for the `--dev` sign-in. Never used without `--dev`.

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/principal.hpp"

namespace sb::auth {

/// The HS256 secret used with `--dev` when no `--jwt-secret` is given. Public, so dev only.
inline constexpr std::string_view kDevJwtSecret =
    "switchboard-dev-only-secret-never-use-in-production-7f3c9a1e5b2d4c68";

/// An HS256 JWT with claims sub, org, role, name and skills (when not empty), iat = now_s and
/// exp = now_s + ttl_s. Empty on failure (out of memory, or an empty secret).
std::string mint_hs256_token(std::string_view secret, const Principal& p, std::int64_t now_s,
                             std::int64_t ttl_s);

}  // namespace sb::auth
