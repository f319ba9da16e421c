#pragma once
// The bus's figures in the Prometheus text format, appended to /metrics (docs/metrics.md).
// They live in the bus's own counters, so obs::Metrics needs no hook into the bus's threads.

#include <string>

#include "bus/bus.hpp"

namespace sb::bus {

std::string render_metrics(const Bus& bus);

}  // namespace sb::bus
