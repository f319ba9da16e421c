#pragma once
// Who is calling: the identity a verified token carries (docs/api.md#identity).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::auth {

enum class Role { kClient, kStaff, kAdmin };

/// "client", "staff" or "admin"; anything else (including other cases) is not a role.
constexpr std::optional<Role> parse_role(std::string_view text) {
  if (text == "client") return Role::kClient;
  if (text == "staff") return Role::kStaff;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

constexpr std::string_view to_string(Role role) {
  switch (role) {
    case Role::kClient:
      return "client";
    case Role::kStaff:
      return "staff";
    case Role::kAdmin:
      return "admin";
  }
  return "client";
}

/// User and org ids: 1 to 128 characters of [A-Za-z0-9._:@-].
constexpr bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

struct Principal {
  std::string user_id;
  std::string org_id;
  Role role = Role::kClient;
  std::string name;  // Display name; the user id when the token has none.
  std::int64_t expires_at_s = 0;
  /// Staff: the topics they serve, from the `skills` claim (docs/queue.md#topics). Ids as user ids.
  std::vector<std::string> skills = {};
};

}  // namespace sb::auth
