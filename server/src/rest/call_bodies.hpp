#pragma once
// Reading what the calls resource is sent: the create body, the list query, quality samples and
// feedback. Each answer's `invalid_request` message says what a valid one looks like.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "call/errors.hpp"
#include "service/call_service.hpp"
#include "storage/store.hpp"

namespace sb::rest {

call::Result<service::CreateCallRequest> read_create(const boost::json::object& body,
                                                     std::string_view idempotency_key);
/// `state`, `limit` and `before` of GET /v1/calls.
call::Result<storage::CallQuery> read_list_query(std::string_view query);
std::optional<storage::QualitySample> read_quality(const boost::json::object& body);
std::optional<storage::Feedback> read_feedback(const boost::json::object& body);

/// The `next` cursor of a list page that ends with `last`.
std::string make_cursor(const call::Call& last);
bool is_candidate_type(std::string_view s);

}  // namespace sb::rest
