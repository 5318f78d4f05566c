#pragma once
/// The job registry as its users hold it: lmaster records job events through
/// JobEventRecorder; perad and its admin commands read jobs and store verdicts through
/// JobStoreReader. A JobStore is both; open_job_store() (job_store_factory.h) picks the
/// implementation, so another store (PostgreSQL) can sit beside SQLite without either
/// program changing. Lifecycle rules: job_lifecycle.h.

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/job_event.h"
#include "common/registry/job_lifecycle.h"
#include "common/registry/job_records.h"
#include "common/registry/slurm_job_facts.h"

namespace fructosa {

/// Any failure of the registry (cannot open, not a registry, disk full, locked past the
/// busy timeout). The message names the file.
class JobRegistryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// How a store is opened: ReadWrite creates it (file and schema) when missing.
enum class JobStoreMode { ReadWrite, ReadOnly };

/// What lmaster calls when job events arrive: the writer half of the registry. Every
/// call is one transaction; each throws JobRegistryError when the store fails (catch it
/// in the caller's thread: nothing here may escape an io_context handler).
class JobEventRecorder {
public:
    virtual ~JobEventRecorder() = default;

    /// A step started on `host`. Creates the job when new; a step starting after the job
    /// had finished makes it running again (and drops its classification).
    virtual void record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                   const JobMeta& meta, double time) = 0;

    /// A step ended on `host` with its summary (null when lagent had none).
    virtual void record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                 int exit_status, const nlohmann::json& summary, double time) = 0;

    /// The job ended on `host` (its last step there ended, or its cgroup vanished). A later
    /// job_end from the same host replaces the earlier summary. When every node of the
    /// expanded node list has ended (and, with Slurm enrichment, slurmctld said the job is
    /// over), the job becomes 'finished' (its classification, if any, is dropped so perad
    /// classifies the final figures). Rules: job_lifecycle.h.
    virtual void record_job_end(std::uint64_t job_id, const std::string& host, int exit_status,
                                const nlohmann::json& summary, const JobMeta& meta, double time,
                                const std::string& reason = "", bool reattached = false) = 0;

    /// How the recorder decides that a job is over (default: without Slurm, 600 s grace,
    /// 7 days running timeout). lmaster sets it once, before the first event.
    virtual void set_lifecycle_policy(const LifecyclePolicy& policy) = 0;

    /// A job the time ran out for (check_timeouts).
    struct TimedOut {
        std::uint64_t job_id = 0;
        std::string reason;
        bool operator==(const TimedOut&) const = default;
    };
    /// Marks 'partial' every running job whose time ran out at `now` (timeout_reason under
    /// the policy), naming the nodes that never sent job_end and why.
    virtual std::vector<TimedOut> check_timeouts(double now) = 0;

    /// Running jobs lmaster should ask slurmctld about (with enrichment): no job event and no
    /// question for `quiet_s` before `now`, and not yet over per slurmctld; the longest
    /// quiet first, at most `limit`.
    virtual std::vector<std::uint64_t> jobs_to_ask_slurm(double now, double quiet_s, std::size_t limit) = 0;

    /// What slurmctld said about the job (SlurmJobFacts): final state, time limit, exit
    /// code, its own start and end, cpus per node; or that it runs, is forgotten, or gave
    /// no answer. Creates the job when new. Facts not given keep what is stored.
    virtual void set_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts) = 0;
};

/// perad's half of the registry: reads job records and stores its verdicts. Throws
/// JobRegistryError when the store fails.
class JobStoreReader {
public:
    virtual ~JobStoreReader() = default;

    /// Finished or partial jobs without a classification, lowest id first (the order of the
    /// rows on disk, so a batch of verdicts writes few pages).
    virtual std::vector<std::uint64_t> unclassified_jobs(std::size_t limit) = 0;
    /// Finished or partial jobs whose end time lies in [since, until], lowest id first.
    virtual std::vector<std::uint64_t> ended_jobs(std::optional<double> since, std::optional<double> until) = 0;
    /// The job with its nodes, (when `with_steps`) steps, and classification; nullopt if unknown.
    virtual std::optional<JobRecord> load_job(std::uint64_t job_id, bool with_steps = true) = 0;
    /// Jobs matching `filter`, latest end first.
    virtual std::vector<JobListRow> list_jobs(const JobFilter& filter) = 0;
    /// Jobs matching `filter` grouped by `by` (user, account, partition or class), the
    /// groups sorted by wasted core-hours, largest first. Throws std::invalid_argument for
    /// another `by`.
    virtual std::vector<SummaryRow> summarize(const JobFilter& filter, const std::string& by) = 0;

    /// Stores (replaces) verdicts, all in one transaction.
    virtual void store_classifications(const std::vector<ClassificationRecord>& records) = 0;

    /// Runs `fn` inside one transaction (nested calls join it); rolls back if it throws.
    /// perad reads a batch and stores its verdicts in one, so no event lmaster records in
    /// between is overwritten by a verdict on older figures.
    virtual void in_transaction(const std::function<void()>& fn) = 0;
};

/// A whole store: both halves.
class JobStore : public JobEventRecorder, public JobStoreReader {};

}  // namespace fructosa
