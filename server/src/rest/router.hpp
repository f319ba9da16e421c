#pragma once
// Finds the route of a request. The first route whose pattern fits the path decides: a method it
// lacks is 404 (the API has no 405), and its `{id}` must be a valid call id (docs/api.md#identity).

#include <span>
#include <string_view>
#include <vector>

#include "rest/route.hpp"

namespace sb::rest {

/// The non-empty segments of a path: "/v1//calls/" is {"v1", "calls"}.
std::vector<std::string_view> split_path(std::string_view path);

class Router {
 public:
  explicit Router(std::vector<Route> routes);

  struct Match {
    const Route* path = nullptr;   // the first route whose pattern fits; null: no route at all
    const Route* route = nullptr;  // the route of that pattern for the method; null: 404
    std::string_view id;           // the `{id}` segment, empty when the pattern has none
    bool id_valid = true;
  };
  Match match(std::string_view method, std::span<const std::string_view> segments) const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string_view> segments;
  };
  bool fits(const Entry& entry, std::span<const std::string_view> segments,
            std::string_view& id) const;

  std::vector<Entry> entries_;
};

}  // namespace sb::rest
