#pragma once
// Whether staff are there and willing to take calls: connections opening and closing, the
// graces after the last one closed (docs/api.md#presence), and the status staff choose for
// themselves.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "service/context.hpp"

namespace sb::service {

class Announcer;
class CallTimers;
class Router;
class Transitions;

class Presence {
 public:
  Presence(ServiceContext& ctx, CallTimers& timers, Announcer& announcer, Router& router,
           Transitions& transitions)
      : ctx_(ctx),
        timers_(timers),
        announcer_(announcer),
        router_(router),
        transitions_(transitions) {}

  /// One connection of `user` opened or closed.
  void connection_opened(const Principal& user);
  void connection_closed(const Principal& user);
  /// The presence grace passed: staff still gone lose their rings, a caller still gone whose
  /// call rings has left.
  void on_presence_grace(const std::string& org_id, const std::string& user_id, bool staff);
  /// The reconnect grace passed: a participant still gone ends their live call.
  void on_reconnect_grace(const std::string& org_id, const std::string& user_id);

  /// With several nodes, at every due check (docs/decisions/0011-dead-node-presence.md): says
  /// this node is alive about once a second, restores its presence if other nodes took it for
  /// dead, and takes over the users of nodes not heard from for --node-timeout, whose graces
  /// then run here from when their node was last heard from.
  void watch_nodes();
  /// At start-up: this node is alive, before any connection opens.
  void first_heartbeat();

  Result<std::vector<storage::StaffEntry>> list_staff(const Principal& user);
  Result<storage::StaffEntry> set_my_status(const Principal& user, call::StaffStatus status);

 private:
  void withdraw_rings(const std::string& org_id, const std::string& staff_id);
  /// Says this node is alive; notes whether others had taken it for dead.
  void beat(std::int64_t now);
  /// True once this node's open connections are written back.
  bool restore_presence();

  ServiceContext& ctx_;
  CallTimers& timers_;
  Announcer& announcer_;
  Router& router_;
  Transitions& transitions_;
  /// Open connections on this node, by (org, user): what to restore.
  std::map<std::pair<std::string, std::string>, int> local_connections_;
  std::int64_t last_beat_ms_ = 0;
  bool restore_pending_ = false;
};

}  // namespace sb::service
