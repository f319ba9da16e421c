#pragma once
// Random identifiers for calls, sessions and requests. Unguessable enough to not be enumerated;
// authority never rests on them (org scoping and roles do that).

#include <string>
#include <string_view>

namespace sb {

/// `prefix` followed by 24 lowercase hex characters (96 random bits).
std::string random_id(std::string_view prefix);

}  // namespace sb
