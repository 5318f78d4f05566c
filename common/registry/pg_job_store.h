#pragma once
/// The job registry in a PostgreSQL database, which several lmasters (and perad) share.
/// Every recorder call is one transaction that first locks the job's row, so lmasters
/// recording different nodes of one job never lose one, and whichever records the last
/// node finishes the job. check_timeouts and jobs_to_ask_slurm take the rows they act on
/// with FOR UPDATE SKIP LOCKED, so a job is marked partial once and asked about by one
/// lmaster at a time. The lifecycle rules are job_lifecycle.h's, as in the SQLite store.
/// One object is one connection: use it from one thread at a time. Tables: pg_schema.cpp.
/// The writer half lives in pg_job_writer.cpp, the reader half in pg_job_reader.cpp.

#include <memory>
#include <string>
#include <vector>

#include "common/registry/job_lifecycle.h"
#include "common/registry/job_lifecycle_rows.h"
#include "common/registry/job_store.h"

namespace fructosa {

class PgConnection;

class PgJobStore : public JobStore, private JobLifecycleRows {
public:
    /// Whether opening may create the tables (lmaster) or requires them (perad).
    enum class Schema { Create, Require };

    /// Connects to `url` (postgresql://...). ReadOnly makes every transaction read-only;
    /// Schema::Create makes the missing tables. A writer waits up to `lock_timeout_ms` for
    /// a row another holds. Throws JobRegistryError naming the URL without its password.
    PgJobStore(const std::string& url, JobStoreMode mode, Schema schema, int lock_timeout_ms = 5000);
    ~PgJobStore() override;
    PgJobStore(const PgJobStore&) = delete;
    PgJobStore& operator=(const PgJobStore&) = delete;

    // Writer half (lmaster).
    void record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                           const JobMeta& meta, double time) override;
    void record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id, int exit_status,
                         const nlohmann::json& summary, double time) override;
    void record_job_end(std::uint64_t job_id, const std::string& host, int exit_status, const nlohmann::json& summary,
                        const JobMeta& meta, double time, const std::string& reason = "",
                        bool reattached = false) override;
    void set_lifecycle_policy(const LifecyclePolicy& policy) override { policy_ = policy; }
    std::vector<TimedOut> check_timeouts(double now) override;
    /// Also claims the jobs it returns (their slurm_checked_at becomes `now`), so that
    /// another lmaster asks about them only after `quiet_s` more.
    std::vector<std::uint64_t> jobs_to_ask_slurm(double now, double quiet_s, std::size_t limit) override;
    void set_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts) override;

    // Reader half (perad).
    std::vector<std::uint64_t> unclassified_jobs(std::size_t limit) override;
    std::vector<std::uint64_t> ended_jobs(std::optional<double> since, std::optional<double> until) override;
    /// Inside in_transaction, also locks the job's row until the transaction ends, so that
    /// a verdict stored in it is on the figures read (as SQLite's write lock does).
    std::optional<JobRecord> load_job(std::uint64_t job_id, bool with_steps = true) override;
    std::vector<JobListRow> list_jobs(const JobFilter& filter) override;
    std::vector<SummaryRow> summarize(const JobFilter& filter, const std::string& by) override;
    void store_classifications(const std::vector<ClassificationRecord>& records) override;

    /// Runs `fn` in one transaction (nested calls join it). When the server dropped the
    /// connection, `fn` runs once more on a new one.
    void in_transaction(const std::function<void()>& fn) override;
    /// The connection, for tests.
    PgConnection& connection() { return *db_; }

private:
    /// Before a read outside a transaction: connects again if the server dropped the connection.
    void ready_to_read();
    /// Creates the job when new and locks its row until the transaction ends: every
    /// recorder call starts here, so calls on one job from several lmasters take turns.
    void lock_job(std::uint64_t job_id);
    void update_job_meta(std::uint64_t job_id, const JobMeta& meta);
    void upsert_node(std::uint64_t job_id, const std::string& host, const JobMeta& meta);
    /// Sums the nodes' cpus, memory and GPUs into the job.
    void update_job_totals(std::uint64_t job_id);
    std::vector<std::string> ended_hosts(std::uint64_t job_id) override;
    using LifecycleRow = JobLifecycleRows::Row;
    LifecycleRow load_lifecycle(std::uint64_t job_id) override;
    /// Writes `state` and drops the job's verdict (see job_lifecycle.h).
    void save_lifecycle(std::uint64_t job_id, const JobLifecycle& state) override;
    void touch(std::uint64_t job_id, double time);

    LifecyclePolicy policy_;
    std::unique_ptr<PgConnection> db_;
    bool read_only_ = false;
    int transaction_depth_ = 0;
};

}  // namespace fructosa
