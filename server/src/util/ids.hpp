#pragma once
// Random identifiers for calls, sessions and requests, from a CSPRNG (OpenSSL's RAND_bytes), so
// none can be guessed from another. Authority never rests on them (org scoping and roles do).

#include <string>
#include <string_view>

namespace sb {

/// `prefix` followed by 24 lowercase hex characters (96 random bits).
std::string random_id(std::string_view prefix);

}  // namespace sb
