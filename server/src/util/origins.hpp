#pragma once
// `--cors-origins`: the web origins allowed to call the REST API from a browser
// (docs/decisions/0009), parsed with Boost.URL into the form browsers send in the Origin header.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

/// A comma-separated list of origins ("https://app.example.com, http://localhost:5173"), each
/// in the form a browser sends it: scheme and host lower-cased, the scheme's default port left
/// out. nullopt with `*problem` set to one sentence naming an entry that is not an http(s)
/// origin (a path, a query, user info or a wildcard).
std::optional<std::vector<std::string>> parse_origin_list(std::string_view list,
                                                          std::string* problem);

}  // namespace sb
