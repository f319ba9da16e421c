#include "rest/router.hpp"

#include "auth/principal.hpp"

namespace sb::rest {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

Router::Router(std::vector<Route> routes) {
  entries_.reserve(routes.size());
  for (const auto& route : routes) entries_.push_back({route, split_path(route.pattern)});
}

bool Router::fits(const Entry& entry, std::span<const std::string_view> segments,
                  std::string_view& id) const {
  if (entry.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto want = entry.segments[i];
    if (want == "{id}") {
      id = segments[i];
    } else if (want != "*" && want != segments[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::match(std::string_view method,
                            std::span<const std::string_view> segments) const {
  Match m;
  for (const auto& entry : entries_) {
    std::string_view id;
    if (m.path == nullptr) {
      if (!fits(entry, segments, id)) continue;
      m.path = &entry.route;
      m.id = id;
      m.id_valid = id.empty() || auth::is_valid_id(id);
    } else if (entry.route.pattern != m.path->pattern) {
      continue;
    }
    if (entry.route.method == method || entry.route.method == "*") {
      m.route = &entry.route;
      break;
    }
  }
  return m;
}

}  // namespace sb::rest
