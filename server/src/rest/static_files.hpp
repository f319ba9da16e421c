#pragma once
// Serves the built web front end: hashed assets cached for a year, index.html revalidated, and
// any other non-API path without a file extension answered with index.html so the single-page
// app can route it. A missing file with an extension is 404 not_found, and nothing outside the
// web root is ever served (a ".." segment is 404 too).

#include <string>

#include "net/http_types.hpp"

namespace sb::rest {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  /// `path` is the percent-decoded URL path.
  net::HttpResponse serve(const std::string& path) const;

 private:
  std::string root_;
};

}  // namespace sb::rest
