#include "net/server_state.hpp"

#include "obs/log.hpp"

namespace sb::net {

void log_net_error(std::string_view what, std::string_view detail) {
  obs::log_error("net.error", {{"what", what}, {"detail", detail}});
}

void log_escaped(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log_net_error("coroutine ended with an exception", ex.what());
  } catch (...) {
    log_net_error("coroutine ended with an exception", "unknown");
  }
}

}  // namespace sb::net
