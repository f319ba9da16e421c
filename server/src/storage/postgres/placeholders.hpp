#pragma once
// The store writes SQL with SQLite's placeholders; PostgreSQL numbers its own ($1, $2, ...).

#include <string>
#include <string_view>

namespace sb::storage::postgres {

/// `sql` with `?N` as `$N` and each bare `?` as `$K`, K one past the highest number so far
/// (SQLite's own rule). Quoted text ('...', "...") is left alone.
std::string numbered_placeholders(std::string_view sql);

}  // namespace sb::storage::postgres
