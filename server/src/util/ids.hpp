#pragma once
// Random identifiers for calls, sessions and requests, from a CSPRNG (OpenSSL's RAND_bytes), so
// none can be guessed from another. Authority never rests on them (org scoping and roles do).

#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

/// `prefix` followed by 24 lowercase hex characters (96 random bits).
std::string random_id(std::string_view prefix);

/// `prefix`, then `now_ms` as 12 hex characters, a 4-hex-character count of the ids this process
/// made, and 48 random bits (12 hex): 28 characters that sort in the order this process made
/// them. Call ids are made so: the queue orders calls queued in the same millisecond by id
/// (docs/queue.md), and they must then keep the order they came in.
std::string time_ordered_id(std::string_view prefix, std::int64_t now_ms);

}  // namespace sb
