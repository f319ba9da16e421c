#pragma once
// Versioned SQL migrations, compiled in from storage/migrations/NNNN_name.sql and, for
// PostgreSQL, storage/migrations/postgres/NNNN_name.sql (see CMake).

#include <string_view>
#include <vector>

namespace sb::storage {

struct Migration {
  std::string_view name;  // "0001_init.sql": the number is the schema version
  std::string_view sql;
};

/// Every migration, in order.
const std::vector<Migration>& migrations();
/// The same migrations in PostgreSQL's dialect (storage/migrations/postgres/), in order.
const std::vector<Migration>& postgres_migrations();

}  // namespace sb::storage
