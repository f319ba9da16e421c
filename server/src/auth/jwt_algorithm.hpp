#pragma once
// The JWS algorithms the server verifies. Which one is accepted is fixed by configuration.

#include <optional>
#include <string_view>

namespace sb::auth {

enum class JwtAlgorithm { kHs256, kRs256, kEs256 };

/// "HS256", "RS256" or "ES256".
constexpr std::string_view to_string(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHs256:
      return "HS256";
    case JwtAlgorithm::kRs256:
      return "RS256";
    case JwtAlgorithm::kEs256:
      return "ES256";
  }
  return "HS256";
}

/// The JOSE name, exactly ("RS256"); nullopt for anything else.
constexpr std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view text) {
  for (auto a : {JwtAlgorithm::kHs256, JwtAlgorithm::kRs256, JwtAlgorithm::kEs256}) {
    if (text == to_string(a)) return a;
  }
  return std::nullopt;
}

}  // namespace sb::auth
