#include "common/registry/sqlite_schema.h"

#include <sqlite3.h>

#include <cstdint>

#include <fmt/format.h>

#include "common/registry/job_store.h"
#include "common/registry/sqlite_statement.h"

namespace fructosa {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jobs(
  job_id INTEGER PRIMARY KEY,
  user TEXT NOT NULL DEFAULT '',
  uid INTEGER,
  account TEXT NOT NULL DEFAULT '',
  partition TEXT NOT NULL DEFAULT '',
  job_name TEXT NOT NULL DEFAULT '',
  nodelist TEXT NOT NULL DEFAULT '',
  nnodes INTEGER NOT NULL DEFAULT 0,
  ntasks INTEGER NOT NULL DEFAULT 0,
  cpus_per_node TEXT NOT NULL DEFAULT '{}',
  total_cpus REAL NOT NULL DEFAULT 0,
  mem_mb INTEGER NOT NULL DEFAULT 0,
  gpus INTEGER NOT NULL DEFAULT 0,
  interval REAL NOT NULL DEFAULT 0,
  submit_time REAL,
  start_time REAL,
  end_time REAL,
  first_end_time REAL,
  status TEXT NOT NULL DEFAULT 'running',
  missing_nodes TEXT NOT NULL DEFAULT '',
  exit_status INTEGER,
  slurm_state TEXT,
  time_limit_s REAL,
  slurm_exit_code INTEGER,
  slurm_start_time REAL,
  slurm_end_time REAL,
  slurm_cpus_per_node TEXT NOT NULL DEFAULT '{}',
  slurm_over_at REAL,
  slurm_checked_at REAL,
  last_event_time REAL,
  partial_reason TEXT NOT NULL DEFAULT '',
  finished_at REAL,
  pending_classification INTEGER NOT NULL DEFAULT 0,
  job_class TEXT,
  allocated_core_s REAL,
  used_core_s REAL,
  energy_joules REAL);
CREATE INDEX IF NOT EXISTS jobs_user_end ON jobs(user, end_time);
CREATE INDEX IF NOT EXISTS jobs_account_end ON jobs(account, end_time);
CREATE INDEX IF NOT EXISTS jobs_partition_end ON jobs(partition, end_time);
CREATE INDEX IF NOT EXISTS jobs_running ON jobs(first_end_time) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs(job_id) WHERE pending_classification = 1;
CREATE INDEX IF NOT EXISTS jobs_class_end ON jobs(job_class, end_time);
-- Covers `perad summary` (a scan aggregated in memory, no sort) and the time filters;
-- led by end_time so verdicts, stored roughly in the order jobs end, touch few pages.
CREATE INDEX IF NOT EXISTS jobs_summary
  ON jobs(end_time, job_class, user, account, partition, allocated_core_s, used_core_s, energy_joules);
CREATE TABLE IF NOT EXISTS job_nodes(
  job_id INTEGER NOT NULL,
  host TEXT NOT NULL,
  cpus REAL NOT NULL DEFAULT 0,
  mem_mb INTEGER NOT NULL DEFAULT 0,
  gpus INTEGER NOT NULL DEFAULT 0,
  start_time REAL,
  end_time REAL,
  ended INTEGER NOT NULL DEFAULT 0,
  exit_status INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  reattached INTEGER NOT NULL DEFAULT 0,
  summary TEXT,
  PRIMARY KEY(job_id, host)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS job_steps(
  job_id INTEGER NOT NULL,
  host TEXT NOT NULL,
  step_id TEXT NOT NULL,
  start_time REAL,
  end_time REAL,
  exit_status INTEGER,
  summary TEXT,
  PRIMARY KEY(job_id, host, step_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS classifications(
  job_id INTEGER PRIMARY KEY,
  class TEXT NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  evidence TEXT NOT NULL DEFAULT '{}',
  recommendations TEXT NOT NULL DEFAULT '{}',
  features TEXT NOT NULL DEFAULT '{}',
  classified_at REAL NOT NULL,
  thresholds_hash TEXT NOT NULL DEFAULT '',
  secondary_classes TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS classifications_class ON classifications(class);
)sql";

/// Version 1 to 2: the job's own start, end and allocation per node as slurmctld gives
/// them, when slurmctld said the job is over and when lmaster last asked it, the last job
/// event, why a job is partial, and perad's secondary classes. Columns are added, nothing
/// is rewritten.
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE jobs ADD COLUMN slurm_start_time REAL;
ALTER TABLE jobs ADD COLUMN slurm_end_time REAL;
ALTER TABLE jobs ADD COLUMN slurm_cpus_per_node TEXT NOT NULL DEFAULT '{}';
ALTER TABLE jobs ADD COLUMN slurm_over_at REAL;
ALTER TABLE jobs ADD COLUMN slurm_checked_at REAL;
ALTER TABLE jobs ADD COLUMN last_event_time REAL;
ALTER TABLE jobs ADD COLUMN partial_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE classifications ADD COLUMN secondary_classes TEXT NOT NULL DEFAULT '';
UPDATE schema_version SET version = 2;
)sql";

/// Version 2 to 3: the job's energy (perad's features), kept beside the core-seconds for
/// `perad summary` (its covering index is made again below with the new column).
constexpr const char* kMigrateFrom2 = R"sql(
ALTER TABLE jobs ADD COLUMN energy_joules REAL;
DROP INDEX IF EXISTS jobs_summary;
UPDATE schema_version SET version = 3;
)sql";

}  // namespace

void create_registry_schema(sqlite3* db, const std::string& path) {
    // A version 1 file is migrated before the current CREATEs (which do not add columns to
    // existing tables) run.
    bool has_version_table = false;
    {
        SqliteStatement t(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
                          path);
        t.step();
        has_version_table = t.int64(0) == 1;
    }
    if (has_version_table) {
        SqliteStatement v(db, "SELECT MAX(version) FROM schema_version", path);
        std::int64_t version = v.step() && !v.is_null(0) ? v.int64(0) : 0;
        v.reset();
        if (version == 1) exec_sql(db, path, kMigrateFrom1);
        if (version == 1 || version == 2) exec_sql(db, path, kMigrateFrom2);
    }
    exec_sql(db, path, kSchema);
    SqliteStatement count(db, "SELECT COUNT(*) FROM schema_version", path);
    count.step();
    if (count.int64(0) == 0) {
        SqliteStatement ins(db, "INSERT INTO schema_version(version) VALUES(?)", path);
        ins.bind(1, kRegistrySchemaVersion).run();
    }
}

void check_registry_schema(sqlite3* db, const std::string& path) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT MAX(version) FROM schema_version", -1, &raw, nullptr) != SQLITE_OK) {
        sqlite3_finalize(raw);
        throw JobRegistryError(fmt::format("{} is not a FrUCToSA job registry: {}", path, sqlite3_errmsg(db)));
    }
    int rc = sqlite3_step(raw);
    std::int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : -1;
    sqlite3_finalize(raw);
    if (rc != SQLITE_ROW)
        throw JobRegistryError(fmt::format("cannot read job registry {}: {}", path, sqlite3_errmsg(db)));
    if (version != kRegistrySchemaVersion)
        throw JobRegistryError(fmt::format("job registry {} has schema version {}, this program knows {}", path,
                                           version, kRegistrySchemaVersion));
}

}  // namespace fructosa
