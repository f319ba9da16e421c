#pragma once
// ICE server profiles (docs/config.md#ice-server-profiles, --ice-profiles): named sets of STUN/TURN
// URLs, each with a weight, so a deployment can compare TURN configurations on real calls. Each
// call draws one when accepted.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sb {

struct IceProfile {
  std::string name;
  /// Relative share of calls; 0 keeps a profile known (old calls name it) but never drawn.
  double weight = 1;
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
};

/// The name of the profile built from --stun-urls/--turn-urls when no --ice-profiles is given.
inline constexpr std::string_view kDefaultIceProfile = "default";

/// One line saying what is wrong with an --ice-profiles file, without the flag's name.
struct IceProfilesError {
  std::string message;
};

/// Parses the --ice-profiles JSON: a non-empty array of
/// `{"name", "weight", "stun_urls"?: [...], "turn_urls"?: [...]}` with unique names made of
/// letters, digits, `_`, `-` and `.` (a metric label), weights >= 0 of which one is > 0, and
/// `stun:`/`stuns:` and `turn:`/`turns:` URLs. Unknown keys are refused: a typo would drop servers.
std::variant<std::vector<IceProfile>, IceProfilesError> parse_ice_profiles(std::string_view json);

/// The profile whose cumulative weight covers `unit` (in [0, 1)) of the total. `profiles` is not
/// empty and its weights sum to more than 0.
const IceProfile& draw_ice_profile(const std::vector<IceProfile>& profiles, double unit);

}  // namespace sb
