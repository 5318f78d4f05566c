#include "common/registry/pg_schema.h"

#include <cstdint>

#include <fmt/format.h>

#include "common/registry/job_store.h"
#include "common/registry/pg_connection.h"
#include "common/registry/sqlite_schema.h"

namespace fructosa {

namespace {

/// SQLite's schema 3, column for column: REAL is DOUBLE PRECISION, INTEGER is BIGINT
/// (0/1 flags stay integers, as perad/README.md documents them); JSON stays text.
/// "user" and "interval" are quoted: both are keywords here.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jobs(
  job_id BIGINT PRIMARY KEY,
  "user" TEXT NOT NULL DEFAULT '',
  uid BIGINT,
  account TEXT NOT NULL DEFAULT '',
  partition TEXT NOT NULL DEFAULT '',
  job_name TEXT NOT NULL DEFAULT '',
  nodelist TEXT NOT NULL DEFAULT '',
  nnodes BIGINT NOT NULL DEFAULT 0,
  ntasks BIGINT NOT NULL DEFAULT 0,
  cpus_per_node TEXT NOT NULL DEFAULT '{}',
  total_cpus DOUBLE PRECISION NOT NULL DEFAULT 0,
  mem_mb BIGINT NOT NULL DEFAULT 0,
  gpus BIGINT NOT NULL DEFAULT 0,
  "interval" DOUBLE PRECISION NOT NULL DEFAULT 0,
  submit_time DOUBLE PRECISION,
  start_time DOUBLE PRECISION,
  end_time DOUBLE PRECISION,
  first_end_time DOUBLE PRECISION,
  status TEXT NOT NULL DEFAULT 'running',
  missing_nodes TEXT NOT NULL DEFAULT '',
  exit_status BIGINT,
  slurm_state TEXT,
  time_limit_s DOUBLE PRECISION,
  slurm_exit_code BIGINT,
  slurm_start_time DOUBLE PRECISION,
  slurm_end_time DOUBLE PRECISION,
  slurm_cpus_per_node TEXT NOT NULL DEFAULT '{}',
  slurm_over_at DOUBLE PRECISION,
  slurm_checked_at DOUBLE PRECISION,
  last_event_time DOUBLE PRECISION,
  partial_reason TEXT NOT NULL DEFAULT '',
  finished_at DOUBLE PRECISION,
  pending_classification INTEGER NOT NULL DEFAULT 0,
  job_class TEXT,
  allocated_core_s DOUBLE PRECISION,
  used_core_s DOUBLE PRECISION,
  energy_joules DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS jobs_user_end ON jobs("user", end_time);
CREATE INDEX IF NOT EXISTS jobs_account_end ON jobs(account, end_time);
CREATE INDEX IF NOT EXISTS jobs_partition_end ON jobs(partition, end_time);
CREATE INDEX IF NOT EXISTS jobs_running ON jobs(first_end_time) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs(job_id) WHERE pending_classification = 1;
CREATE INDEX IF NOT EXISTS jobs_class_end ON jobs(job_class, end_time);
CREATE INDEX IF NOT EXISTS jobs_summary
  ON jobs(end_time, job_class, "user", account, partition, allocated_core_s, used_core_s, energy_joules);
CREATE TABLE IF NOT EXISTS job_nodes(
  job_id BIGINT NOT NULL,
  host TEXT NOT NULL,
  cpus DOUBLE PRECISION NOT NULL DEFAULT 0,
  mem_mb BIGINT NOT NULL DEFAULT 0,
  gpus BIGINT NOT NULL DEFAULT 0,
  start_time DOUBLE PRECISION,
  end_time DOUBLE PRECISION,
  ended INTEGER NOT NULL DEFAULT 0,
  exit_status BIGINT,
  reason TEXT NOT NULL DEFAULT '',
  reattached INTEGER NOT NULL DEFAULT 0,
  summary TEXT,
  PRIMARY KEY(job_id, host));
CREATE TABLE IF NOT EXISTS job_steps(
  job_id BIGINT NOT NULL,
  host TEXT NOT NULL,
  step_id TEXT NOT NULL,
  start_time DOUBLE PRECISION,
  end_time DOUBLE PRECISION,
  exit_status BIGINT,
  summary TEXT,
  PRIMARY KEY(job_id, host, step_id));
CREATE TABLE IF NOT EXISTS classifications(
  job_id BIGINT PRIMARY KEY,
  class TEXT NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  evidence TEXT NOT NULL DEFAULT '{}',
  recommendations TEXT NOT NULL DEFAULT '{}',
  features TEXT NOT NULL DEFAULT '{}',
  classified_at DOUBLE PRECISION NOT NULL,
  thresholds_hash TEXT NOT NULL DEFAULT '',
  secondary_classes TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS classifications_class ON classifications(class);
)sql";

/// The advisory lock key of schema creation (any constant: "FrUCToSA" in ASCII).
constexpr std::int64_t kSchemaLock = 0x4672554354536f41;

}  // namespace

void create_pg_registry_schema(PgConnection& db) {
    // CREATE ... IF NOT EXISTS is not safe against itself: two lmasters starting together
    // could both try to create a table. The lock serialises them until commit.
    db.query("SELECT pg_advisory_xact_lock($1::bigint)", PgParams().add(kSchemaLock));
    db.exec(kSchema);
    if (db.query("SELECT 1 FROM schema_version").rows() == 0)
        db.query("INSERT INTO schema_version(version) VALUES($1::integer)", PgParams().add(kRegistrySchemaVersion));
}

void check_pg_registry_schema(PgConnection& db) {
    if (db.query("SELECT to_regclass('schema_version') IS NOT NULL").row(0).int64(0) == 0)
        throw JobRegistryError(fmt::format(
            "job registry {} has no FrUCToSA tables: lmaster creates them on its first start "
            "(start lmaster first, or fix [registry] url)",
            db.where()));
    auto v = db.query("SELECT MAX(version) FROM schema_version");
    std::int64_t version = v.row(0).is_null(0) ? -1 : v.row(0).int64(0);
    if (version != kRegistrySchemaVersion)
        throw JobRegistryError(fmt::format("job registry {} has schema version {}, this program knows {}",
                                           db.where(), version, kRegistrySchemaVersion));
}

}  // namespace fructosa
