#pragma once
/// The job registry: one SQLite file (WAL mode) where lmaster records what lagents report
/// about jobs (metadata, per-node and per-step summaries) and perad stores its verdicts.
/// lmaster writes through JobEventRecorder; perad and the admin CLI read through the
/// reader half of JobRegistry. Both processes open the same file; WAL plus a busy timeout
/// lets perad read while lmaster writes. Format and columns: perad/README.md.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace fructosa {

/// Any failure of the registry file (cannot open, not a registry, disk full, locked past
/// the busy timeout). The message names the file.
class JobRegistryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What lmaster calls when job events arrive: the writer half of the registry, behind an
/// interface so a PostgreSQL registry can take its place later. Every call is one
/// transaction; each throws JobRegistryError when the store fails (catch it in the
/// caller's thread: nothing here may escape an io_context handler).
class JobEventRecorder {
public:
    virtual ~JobEventRecorder() = default;

    /// A step started on `host`. `meta` is lagent's meta object (uid, user, account,
    /// partition, job_name, nodelist, nnodes, cpus, mem_mb, gpus, ntasks, interval; cpus,
    /// mem_mb and gpus are this node's). Creates the job when new; a step starting after
    /// the job had finished makes it running again (and drops its classification).
    virtual void record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                   const nlohmann::json& meta, double time) = 0;

    /// A step ended on `host` with its summary (may be null when lagent had none).
    virtual void record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                 int exit_status, const nlohmann::json& summary, double time) = 0;

    /// The job ended on `host` (its last step there ended, or its cgroup vanished). A later
    /// job_end from the same host replaces the earlier summary. When every node of the
    /// expanded node list has ended, the job becomes 'finished' (its classification, if
    /// any, is dropped so perad classifies the final figures).
    virtual void record_job_end(std::uint64_t job_id, const std::string& host, int exit_status,
                                const nlohmann::json& summary, const nlohmann::json& meta, double time,
                                const std::string& reason = "", bool reattached = false) = 0;

    /// Marks 'partial' every running job whose first job_end is older than `now - grace_s`,
    /// naming the nodes that never reported. Returns the job ids it marked.
    virtual std::vector<std::uint64_t> check_timeouts(double now, double grace_s) = 0;

    /// What Slurm's accounting says about the job (state such as COMPLETED, FAILED,
    /// TIMEOUT, OUT_OF_MEMORY, CANCELLED; time limit; exit code). Creates the job when new.
    virtual void set_slurm_info(std::uint64_t job_id, const std::string& state, std::optional<double> time_limit_s,
                                std::optional<int> exit_code) = 0;
};

/// Applies one lagent job event (the JSON object of type step_start, step_end or
/// job_end) to `recorder`. Returns false with `error` set when the event is malformed;
/// JobRegistryError from the recorder passes through.
bool apply_job_event(JobEventRecorder& recorder, const nlohmann::json& event, std::string& error);

/// One row of `jobs`.
struct JobInfo {
    std::uint64_t job_id = 0;
    std::string user, account, partition, job_name, nodelist;
    std::optional<std::uint32_t> uid;
    std::uint32_t nnodes = 0, ntasks = 0, gpus = 0;
    double total_cpus = 0;          ///< sum over the nodes that reported
    nlohmann::json cpus_per_node;   ///< {"host": cpus}
    std::uint64_t mem_mb = 0;       ///< sum over the nodes that reported
    double interval = 0;
    std::optional<double> submit_time, start_time, end_time, first_end_time, finished_at;
    std::string status;             ///< running, finished, partial
    std::string missing_nodes;      ///< comma list, for partial jobs
    std::optional<int> exit_status;
    std::optional<std::string> slurm_state;
    std::optional<double> time_limit_s;
    std::optional<int> slurm_exit_code;
};

/// One row of `job_nodes`: a node's share of the job and its whole-job summary.
struct NodeRecord {
    std::string host;
    double cpus = 0;
    std::uint64_t mem_mb = 0;
    std::uint32_t gpus = 0;
    std::optional<double> start_time, end_time;
    bool ended = false;
    std::optional<int> exit_status;
    std::string reason;
    bool reattached = false;
    nlohmann::json summary;  ///< null until job_end
};

/// One row of `job_steps`.
struct StepRecord {
    std::string host, step_id;
    std::optional<double> start_time, end_time;
    std::optional<int> exit_status;
    nlohmann::json summary;
};

/// perad's verdict on one job (one row of `classifications`).
struct ClassificationRecord {
    std::uint64_t job_id = 0;
    std::string job_class;
    std::vector<std::string> flags;
    nlohmann::json evidence;         ///< {"class or flag": {figures}}
    nlohmann::json recommendations;  ///< {"class or flag": "one line"}
    nlohmann::json features;
    double classified_at = 0;
    std::string thresholds_hash;
    double allocated_core_s = 0;  ///< kept apart for fast `perad summary`
    double used_core_s = 0;
};

struct JobRecord {
    JobInfo info;
    std::vector<NodeRecord> nodes;
    std::vector<StepRecord> steps;
    std::optional<ClassificationRecord> classification;
};

/// Filters of `perad list` and `perad summary`; empty members do not filter. Times
/// compare against the job's end time (its start time while it has none).
struct JobFilter {
    std::optional<double> since, until;
    std::optional<std::string> user, account, partition, job_class, flag, status;
    std::size_t limit = 0;  ///< 0: no limit
};

/// One line of `perad list`.
struct JobListRow {
    JobInfo info;
    std::optional<std::string> job_class;
    std::vector<std::string> flags;
    std::optional<double> allocated_core_s, used_core_s;
};

/// One group of `perad summary`.
struct SummaryRow {
    std::string key;
    std::uint64_t jobs = 0;
    std::map<std::string, std::uint64_t> per_class;  ///< "unclassified" for jobs without a verdict
    double allocated_core_h = 0, used_core_h = 0, wasted_core_h = 0;
};

/// The SQLite registry. One object is one connection: use it from one thread at a time.
class JobRegistry : public JobEventRecorder {
public:
    enum class Mode { ReadWrite, ReadOnly };
    /// Opens (ReadWrite: creating file and schema when missing) the registry at `path`.
    /// Throws JobRegistryError naming the file when it cannot be opened or is not a
    /// registry of a known schema version.
    explicit JobRegistry(const std::string& path, Mode mode = Mode::ReadWrite, int busy_timeout_ms = 5000);
    ~JobRegistry() override;
    JobRegistry(const JobRegistry&) = delete;
    JobRegistry& operator=(const JobRegistry&) = delete;

    static constexpr int kSchemaVersion = 1;
    const std::string& path() const { return path_; }

    // Writer half (lmaster).
    void record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                           const nlohmann::json& meta, double time) override;
    void record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id, int exit_status,
                         const nlohmann::json& summary, double time) override;
    void record_job_end(std::uint64_t job_id, const std::string& host, int exit_status, const nlohmann::json& summary,
                        const nlohmann::json& meta, double time, const std::string& reason = "",
                        bool reattached = false) override;
    std::vector<std::uint64_t> check_timeouts(double now, double grace_s) override;
    void set_slurm_info(std::uint64_t job_id, const std::string& state, std::optional<double> time_limit_s,
                        std::optional<int> exit_code) override;

    // Reader half (perad).
    /// Finished or partial jobs without a classification, lowest id first (the order of the
    /// rows on disk, so a batch of verdicts writes few pages).
    std::vector<std::uint64_t> unclassified_jobs(std::size_t limit);
    /// Finished or partial jobs whose end time lies in [since, until], lowest id first.
    std::vector<std::uint64_t> ended_jobs(std::optional<double> since, std::optional<double> until);
    /// The job with its nodes, (when `with_steps`) steps, and classification; nullopt if unknown.
    std::optional<JobRecord> load_job(std::uint64_t job_id, bool with_steps = true);
    /// Jobs matching `filter`, latest end first.
    std::vector<JobListRow> list_jobs(const JobFilter& filter);
    /// Jobs matching `filter` grouped by `by` (user, account, partition or class), the
    /// groups sorted by wasted core-hours, largest first. Throws std::invalid_argument for
    /// another `by`.
    std::vector<SummaryRow> summarize(const JobFilter& filter, const std::string& by);

    /// Stores (replaces) verdicts, all in one transaction.
    void store_classifications(const std::vector<ClassificationRecord>& records);

    /// Runs `fn` inside one transaction (bulk loads, benchmarks); rolls back if it throws.
    void in_transaction(const std::function<void()>& fn);
    /// The raw connection, for tests and benchmarks that need to bulk-load rows.
    sqlite3* handle() { return db_; }

private:
    class Statement;
    void exec(const char* sql);
    void create_schema();
    void check_schema();
    void upsert_job_meta(std::uint64_t job_id, const nlohmann::json& meta);
    void upsert_node(std::uint64_t job_id, const std::string& host, const nlohmann::json& meta);
    void drop_classification(std::uint64_t job_id);
    void update_completion(std::uint64_t job_id, double time);
    Statement& prepared(const char* sql);
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    sqlite3* db_ = nullptr;
    int transaction_depth_ = 0;
    std::map<const char*, std::unique_ptr<Statement>> statements_;
};

inline constexpr const char* kDefaultRegistryPath = "/var/lib/fructosa/registry.db";

/// `[registry]` of lmaster.conf and perad.conf: the same keys in both files.
struct RegistrySettings {
    std::string path = kDefaultRegistryPath;
    int busy_timeout_ms = 5000;    ///< "busy timeout ms": how long a writer waits for the other
    double partial_after_s = 600;  ///< "partial after": lmaster's check_timeouts grace (perad ignores it)
};

class IniFile;
/// Reads `[registry]` (absent: defaults); unknown keys and bad values throw ConfigError.
RegistrySettings read_registry_settings(const IniFile& file);

/// Splits a comma list, dropping empty parts.
std::vector<std::string> split_comma_list(const std::string& text);

}  // namespace fructosa
