#pragma once
// The ops dashboard's figures for an admin: the org's calls of the window, each with its
// quality and feedback, summarised by summarize_calls (ops_summary.hpp).

#include <boost/json/object.hpp>
#include <cstdint>

#include "service/context.hpp"

namespace sb::service {

class OpsReport {
 public:
  explicit OpsReport(ServiceContext& ctx) : ctx_(ctx) {}

  /// Admins only: the org's last `window_ms`.
  Result<boost::json::object> summary(const Principal& user, std::int64_t window_ms);

 private:
  ServiceContext& ctx_;
};

}  // namespace sb::service
