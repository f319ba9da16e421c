// What the SQL store relies on from the SQLite driver beyond plain statements: the error class
// that decides races, PostgreSQL's GREATEST, and a relaxed transaction that leaves the
// connection's durability as it found it.

#include "storage/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "storage/sql/transaction.hpp"

namespace sb::storage::sqlite {
namespace {

std::int64_t synchronous_level(SqliteDatabase& db) {
  auto rows = db.query("PRAGMA synchronous", {});
  EXPECT_TRUE(rows.next());
  return rows.int64(0);
}

TEST(SqliteDatabase, AUniqueViolationIsToldApartFromOtherFailures) {
  SqliteDatabase db(":memory:");
  db.exec("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)");
  db.run("INSERT INTO t VALUES (?, ?)", {"a", 1});
  try {
    db.run("INSERT INTO t VALUES (?, ?)", {"a", 2});
    ADD_FAILURE() << "the second insert went in";
  } catch (const sql::Error& e) {
    EXPECT_TRUE(e.is_unique_violation()) << e.what();
  }
  try {
    db.run("INSERT INTO t VALUES (?, ?)", {"b", std::optional<std::int64_t>()});
    ADD_FAILURE() << "a NULL went into a NOT NULL column";
  } catch (const sql::Error& e) {
    EXPECT_EQ(e.kind(), sql::Error::Kind::kUnavailable) << e.what();
  }
}

TEST(SqliteDatabase, GreatestIsPostgresqls) {
  SqliteDatabase db(":memory:");
  auto rows = db.query("SELECT GREATEST(?, ?), GREATEST(?, 2.5), GREATEST(NULL, ?), GREATEST(NULL)",
                       {std::int64_t{3}, std::int64_t{7}, 2, std::int64_t{4}});
  ASSERT_TRUE(rows.next());
  EXPECT_EQ(rows.int64(0), 7);
  EXPECT_DOUBLE_EQ(rows.real(1), 2.5);
  EXPECT_EQ(rows.int64(2), 4);   // NULLs are passed over...
  EXPECT_TRUE(rows.is_null(3));  // ...unless there is nothing else.
}

TEST(SqliteDatabase, ARelaxedTransactionLowersDurabilityForItselfOnly) {
  SqliteDatabase db(":memory:");
  db.exec("CREATE TABLE t (n INTEGER)");
  ASSERT_EQ(synchronous_level(db), 2);  // FULL
  {
    sql::Transaction tx(db, sql::Durability::kRelaxed);
    EXPECT_EQ(synchronous_level(db), 1);  // NORMAL
    db.run("INSERT INTO t VALUES (1)", {});
    tx.commit();
  }
  EXPECT_EQ(synchronous_level(db), 2);
  {
    sql::Transaction rolled_back(db, sql::Durability::kRelaxed);
    db.run("INSERT INTO t VALUES (2)", {});
  }
  EXPECT_EQ(synchronous_level(db), 2);
  auto rows = db.query("SELECT COUNT(*) FROM t", {});
  ASSERT_TRUE(rows.next());
  EXPECT_EQ(rows.int64(0), 1);
}

}  // namespace
}  // namespace sb::storage::sqlite
