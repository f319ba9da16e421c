#pragma once
// The call and the staff entry as the wire shows them (CONTRACT.md sections 3 and 4).

#include <boost/json/object.hpp>

#include "call/call.hpp"
#include "storage/store.hpp"

namespace sb::service {

boost::json::object call_to_json(const call::Call& call);
boost::json::object staff_to_json(const storage::StaffEntry& entry);
/// `{"caller": S, "staff": S}` with each S null or the summary of CONTRACT 10.15.
boost::json::object quality_to_json(const storage::CallQuality& quality);

}  // namespace sb::service
