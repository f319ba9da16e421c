#pragma once
// Quality samples while a call is live (docs/openapi.yaml), the summary a terminal call shows, and
// the participants' ratings after the end.

#include <optional>
#include <string>

#include "service/context.hpp"

namespace sb::service {

class CallAccess;

class QualityFeedback {
 public:
  QualityFeedback(ServiceContext& ctx, CallAccess& access) : ctx_(ctx), access_(access) {}

  /// A participant's sample, while the call is accepted or active (or just ended).
  Result<void> add_quality(const Principal& user, const std::string& call_id,
                           const storage::QualitySample& sample);
  /// A participant's rating, after the end.
  Result<Call> give_feedback(const Principal& user, const std::string& call_id,
                             const storage::Feedback& feedback);
  /// The `quality` a terminal call shows on the wire (docs/openapi.yaml): its summary, read once;
  /// nothing to read when this node knows the call had no samples. nullopt when the call is not
  /// terminal or the summary could not be read.
  std::optional<storage::CallQuality> quality_shown(const Call& call);

 private:
  ServiceContext& ctx_;
  CallAccess& access_;
};

}  // namespace sb::service
