// The store's SQL uses SQLite's placeholders; PostgreSQL gets its own numbers for them.

#include <gtest/gtest.h>

#include "storage/postgres/placeholders.hpp"

namespace sb::storage::postgres {
namespace {

TEST(NumberedPlaceholders, BareOnesAreNumberedInOrder) {
  EXPECT_EQ(numbered_placeholders("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2");
}

TEST(NumberedPlaceholders, NumberedOnesKeepTheirNumberAndMayRepeat) {
  EXPECT_EQ(numbered_placeholders("UPDATE t SET a = ?1, b = ?1 + ?12 WHERE c = ?2"),
            "UPDATE t SET a = $1, b = $1 + $12 WHERE c = $2");
}

TEST(NumberedPlaceholders, ABareOneFollowsTheHighestNumberSoFar) {
  // SQLite's rule: ?3 then ? is the fourth parameter.
  EXPECT_EQ(numbered_placeholders("?3, ?, ?1, ?"), "$3, $4, $1, $5");
}

TEST(NumberedPlaceholders, QuotedTextIsLeftAlone) {
  EXPECT_EQ(numbered_placeholders("SELECT '?', 'it''s ?', \"col?\" FROM t WHERE a = ?"),
            "SELECT '?', 'it''s ?', \"col?\" FROM t WHERE a = $1");
}

}  // namespace
}  // namespace sb::storage::postgres
