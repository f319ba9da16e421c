#pragma once
// Builds the server from a Config and runs it until SIGINT or SIGTERM.

#include "app/config.hpp"

namespace sb::app {

/// Runs the server. Returns the process exit code: 0 after a clean stop, 1 when start-up failed
/// (the reason is logged as one line).
int run_server(const Config& config);

}  // namespace sb::app
