#pragma once
// The call and the staff entry as the wire shows them (docs/openapi.yaml).

#include <boost/json/object.hpp>
#include <optional>

#include "call/call.hpp"
#include "storage/store.hpp"

namespace sb::service {

boost::json::object call_to_json(const call::Call& call);
boost::json::object staff_to_json(const storage::StaffEntry& entry);
/// `{"caller": S, "staff": S}` with each S null or the summary of docs/openapi.yaml.
boost::json::object quality_to_json(const storage::CallQuality& quality);
/// The call as clients see it: a terminal call also carries `quality` (docs/openapi.yaml), the
/// summary given, or null when none could be read. Reads nothing.
boost::json::object call_for_wire(const call::Call& call,
                                  const std::optional<storage::CallQuality>& quality);

}  // namespace sb::service
