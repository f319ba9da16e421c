#pragma once
// A transaction on a sql::Database, rolled back if the scope is left without commit().

#include "storage/sql/database.hpp"

namespace sb::storage::sql {

class Transaction {
 public:
  explicit Transaction(Database& db, Durability durability = Durability::kFull) : db_(db) {
    db_.begin(durability);
  }
  ~Transaction() {
    if (done_) return;
    try {
      db_.rollback();
    } catch (const Error&) {
      // The transaction is gone already: the connection broke, or the database rolled back.
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    db_.commit();
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace sb::storage::sql
