#pragma once
// Small rules the parts of the call service share: who counts as staff, who takes part in a
// call, and the error for a move the state machine refuses.

#include <string>

#include "auth/principal.hpp"
#include "call/call.hpp"
#include "call/errors.hpp"

namespace sb::service {

inline bool is_staff(const auth::Principal& user) {
  return user.role != auth::Role::kClient;
}

/// The caller or the accepted staff member.
inline bool is_participant(const auth::Principal& user, const call::Call& c) {
  return c.caller.id == user.user_id || (c.staff && c.staff->id == user.user_id);
}

inline call::Error invalid_transition(const call::Call& c) {
  auto error = call::make_error(call::ErrorCode::kInvalidTransition);
  error.details["state"] = std::string(call::to_string(c.state));
  return error;
}

}  // namespace sb::service
