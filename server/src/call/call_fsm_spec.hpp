#pragma once
// The text of spec/call-fsm.json, embedded at build time (server/cmake/embed_call_fsm.cmake).

#include <string_view>

namespace sb::call {

std::string_view call_fsm_spec_json();

}  // namespace sb::call
