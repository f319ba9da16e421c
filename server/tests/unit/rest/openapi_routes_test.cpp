// The route table and docs/openapi.yaml name the same operations: every route the server answers
// is documented, and the document lists no operation the server lacks. (The black-box test
// 21-openapi checks each documented operation's answers against its schemas.)

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "rest/routes.hpp"

namespace sb::rest {
namespace {

using Operation = std::pair<std::string, std::string>;  // (METHOD, path)

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// The operations under `paths:`, read line by line: a path is indented two spaces and ends in
// ':', its methods four. Enough for the document's own layout, which the linter keeps.
std::set<Operation> documented_operations() {
  std::ifstream in(std::string(SB_SPEC_DIR) + "/../docs/openapi.yaml");
  EXPECT_TRUE(in.good()) << "docs/openapi.yaml not found";
  std::set<Operation> ops;
  std::string line;
  std::string path;
  bool in_paths = false;
  const std::set<std::string> methods{"get", "post", "put", "delete", "patch"};
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = line == "paths:";
    if (!in_paths) continue;
    if (line.starts_with("  /") && line.ends_with(":")) {
      path = line.substr(2, line.size() - 3);
    } else if (line.starts_with("    ") && line[4] != ' ' && line.ends_with(":")) {
      const std::string method = line.substr(4, line.size() - 5);
      if (methods.contains(method) && !path.empty()) ops.insert({upper(method), path});
    }
  }
  return ops;
}

std::vector<Route> every_route() {
  std::vector<Route> all;
  for (auto resource : {health_routes, calls_routes, staff_routes, queue_routes, ops_routes,
                        ice_servers_routes, dev_token_routes}) {
    auto routes = resource();
    all.insert(all.end(), routes.begin(), routes.end());
  }
  return all;
}

TEST(OpenApiRoutes, EveryRouteIsDocumentedAndEveryDocumentedOperationIsARoute) {
  const auto documented = documented_operations();
  ASSERT_GT(documented.size(), 10u);
  std::set<std::string> documented_paths;
  for (const auto& [method, path] : documented) documented_paths.insert(path);

  std::set<Operation> served;
  std::set<std::string> served_any_method;
  for (const auto& route : every_route()) {
    if (route.label == "other") continue;  // catch-alls that answer not_found
    const std::string pattern(route.pattern);
    if (route.method == "*") {
      served_any_method.insert(pattern);
      EXPECT_TRUE(documented_paths.contains(pattern)) << pattern << " is not documented";
    } else {
      served.insert({std::string(route.method), pattern});
      EXPECT_TRUE(documented.contains({std::string(route.method), pattern}))
          << route.method << " " << pattern << " is not documented";
    }
  }
  for (const auto& [method, path] : documented) {
    if (path == "/") continue;  // the front end, served from --web-root outside the table
    EXPECT_TRUE(served.contains({method, path}) || served_any_method.contains(path))
        << method << " " << path << " is documented but the server has no such route";
  }
}

}  // namespace
}  // namespace sb::rest
