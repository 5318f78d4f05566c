#pragma once
/// The job registry's tables in SQLite (columns explained in perad/README.md), and the
/// check that a file is a registry this program can read.

#include <string>

struct sqlite3;

namespace fructosa {

/// The version written to `schema_version`; a file of another version is refused.
inline constexpr int kRegistrySchemaVersion = 3;

/// Creates the tables and indexes that are missing and records the schema version in
/// a new file; a version 1 file is migrated to version 2 (columns added). Run it inside a
/// transaction.
void create_registry_schema(sqlite3* db, const std::string& path);

/// Throws JobRegistryError unless `db` holds a registry of kRegistrySchemaVersion: "PATH
/// is not a FrUCToSA job registry", or names both versions.
void check_registry_schema(sqlite3* db, const std::string& path);

}  // namespace fructosa
