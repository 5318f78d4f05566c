#pragma once
/// The job registry in one SQLite file (WAL mode): lmaster writes while perad reads;
/// WAL plus a busy timeout lets both processes open the same file. One object is one
/// connection: use it from one thread at a time. Tables: sqlite_schema.cpp.
/// The writer half lives in sqlite_job_writer.cpp, the reader half in sqlite_job_reader.cpp.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/registry/job_lifecycle.h"
#include "common/registry/job_lifecycle_rows.h"
#include "common/registry/job_store.h"

struct sqlite3;

namespace fructosa {

class SqliteStatement;

class SqliteJobStore : public JobStore, private JobLifecycleRows {
public:
    /// Opens (ReadWrite: creating file and schema when missing) the registry at `path`.
    /// Throws JobRegistryError naming the file when it cannot be opened or is not a
    /// registry of a known schema version.
    explicit SqliteJobStore(const std::string& path, JobStoreMode mode = JobStoreMode::ReadWrite,
                            int busy_timeout_ms = 5000);
    ~SqliteJobStore() override;
    SqliteJobStore(const SqliteJobStore&) = delete;
    SqliteJobStore& operator=(const SqliteJobStore&) = delete;

    const std::string& path() const { return path_; }

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
    std::vector<std::uint64_t> jobs_to_ask_slurm(double now, double quiet_s, std::size_t limit) override;
    void set_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts) override;

    // Reader half (perad).
    std::vector<std::uint64_t> unclassified_jobs(std::size_t limit) override;
    std::vector<std::uint64_t> ended_jobs(std::optional<double> since, std::optional<double> until) override;
    std::optional<JobRecord> load_job(std::uint64_t job_id, bool with_steps = true) override;
    std::vector<JobListRow> list_jobs(const JobFilter& filter) override;
    std::vector<SummaryRow> summarize(const JobFilter& filter, const std::string& by) override;
    void store_classifications(const std::vector<ClassificationRecord>& records) override;

    void in_transaction(const std::function<void()>& fn) override;
    /// The raw connection, for tests and benchmarks that bulk-load rows.
    sqlite3* handle() { return db_; }

private:
    void close();
    /// The cached statement for `sql` (a string literal or one that lives as long), reset.
    SqliteStatement& prepared(const char* sql);

    void ensure_job(std::uint64_t job_id);
    void update_job_meta(std::uint64_t job_id, const JobMeta& meta);
    void upsert_node(std::uint64_t job_id, const std::string& host, const JobMeta& meta);
    std::vector<std::string> ended_hosts(std::uint64_t job_id) override;
    using LifecycleRow = JobLifecycleRows::Row;
    LifecycleRow load_lifecycle(std::uint64_t job_id) override;
    /// Writes `state` and drops the job's verdict (see job_lifecycle.h).
    void save_lifecycle(std::uint64_t job_id, const JobLifecycle& state) override;

    /// Notes a job event at `time` (the running timeout's clock).
    void touch(std::uint64_t job_id, double time);

    LifecyclePolicy policy_;
    std::string path_;
    sqlite3* db_ = nullptr;
    int transaction_depth_ = 0;
    std::map<const char*, std::unique_ptr<SqliteStatement>> statements_;
};

}  // namespace fructosa
