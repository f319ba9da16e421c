#pragma once
// The Store on PostgreSQL (postgres_database.hpp). Several nodes may share the database: every
// transition is one conditional UPDATE in one transaction, so the database decides races
// between them too.

#include <memory>
#include <string>

#include "storage/postgres/postgres_database.hpp"
#include "storage/sql_store/sql_store.hpp"

namespace sb::storage::postgres {

class PostgresStore final : public SqlStore {
 public:
  /// Connects to `url` (postgres://user:password@host:port/db?sslmode=...) and watches it for
  /// stalls (stall_watch.hpp). Throws sql::Error when it can't: that is a start-up failure.
  explicit PostgresStore(const std::string& url)
      : SqlStore(std::make_unique<PostgresDatabase>(url, StallWatching::kOn)) {}
};

}  // namespace sb::storage::postgres
