#pragma once
/// The job registry's tables in PostgreSQL: the columns and meaning of SQLite's schema
/// version 3 (sqlite_schema.cpp, perad/README.md) in PostgreSQL's types, and the check
/// that a database holds a registry this program can read.

namespace fructosa {

class PgConnection;

/// Creates the tables and indexes that are missing and records the schema version
/// (kRegistrySchemaVersion) in a new database. Takes an advisory lock for its
/// transaction, so that lmasters starting together create them once. Run it inside a
/// transaction.
void create_pg_registry_schema(PgConnection& db);

/// Throws JobRegistryError unless the database holds a registry of
/// kRegistrySchemaVersion: "job registry URL has no FrUCToSA tables ...", or names both
/// versions.
void check_pg_registry_schema(PgConnection& db);

}  // namespace fructosa
