#pragma once
// The call_quality table: a running summary of each side's quality samples.

#include <string>

#include "storage/sql/database.hpp"
#include "storage/store.hpp"

namespace sb::storage {

class QualityTable {
 public:
  explicit QualityTable(sql::Database& db) : db_(db) {}

  /// Folds one sample into the side's summary ("caller" or "staff").
  void add_sample(const std::string& call_id, const std::string& side, const QualitySample& sample);
  CallQuality of_call(const std::string& call_id);

 private:
  sql::Database& db_;
};

}  // namespace sb::storage
