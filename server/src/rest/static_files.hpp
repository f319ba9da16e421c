#pragma once
// Serves the built web front end: hashed assets cached for a year, index.html revalidated, and
// any other non-API path answered with index.html so the single-page app can route it.

#include <string>

#include "net/http_types.hpp"

namespace sb::rest {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  net::HttpResponse serve(const std::string& path) const;

 private:
  std::string root_;
};

}  // namespace sb::rest
