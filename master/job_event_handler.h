#pragma once
/// lmaster's side of the job lifecycle (rules: common/registry/job_lifecycle.h): applies
/// every lagent job event to the job registry, has Slurm's facts added to each job a node
/// ended, asks slurmctld about running jobs that went quiet (a node that died sends no
/// job_end), and marks jobs whose time ran out as partial.
///
/// The store is touched by one thread only, the handler's registry worker
/// (master/blocking_worker.h): lmaster runs on_event there (AgentServer::on_job_event),
/// and the periodic checks and Slurm's answers are posted there, so a slow SQLite lock
/// or a PostgreSQL round-trip never stalls the agents' io_context.

#include <atomic>
#include <memory>
#include <string>

#include <boost/asio.hpp>

#include "common/logging.h"
#include "common/registry/job_store.h"
#include "common/registry/registry_settings.h"
#include "master/blocking_worker.h"
#include "master/slurm_enricher.h"
#include "master/slurm_settings.h"

namespace fructosa {

/// Job events lmaster acknowledged but could not keep; published as its own metrics.
/// Counted on the registry worker, read on the io_context thread: atomic.
struct JobEventStats {
    std::atomic<std::uint64_t> events_lost{0};     ///< the registry write failed (the agent then gets its Ack)
    std::atomic<std::uint64_t> events_refused{0};  ///< not a valid event, or naming another host than its agent
};

class JobEventHandler {
public:
    /// Opens (creates) the registry `registry` names; throws JobRegistryError naming the file.
    JobEventHandler(boost::asio::io_context& io, const RegistrySettings& registry, const SlurmSettings& slurm);
    /// Records into `recorder` (a store opened elsewhere, or a test's fake); `registry`
    /// gives the grace time before a job is partial, and the path it logs.
    JobEventHandler(boost::asio::io_context& io, std::unique_ptr<JobEventRecorder> recorder,
                    const RegistrySettings& registry, const SlurmSettings& slurm);
    ~JobEventHandler();
    void start();
    /// Stops the timer and the worker (a queued check or answer is dropped; a job event
    /// dropped is not acked, so its agent sends it again). Call on the io_context thread.
    void stop();
    /// One event from agent `host` (the JSON text lagent sent). Never throws. Touches
    /// the store: call it on worker() (or, with no worker running anything, anywhere).
    void on_event(const std::string& host, const std::string& json_text);
    /// The thread that owns the store, for AgentServer::on_job_event.
    BlockingWorker& worker() { return worker_; }

    const JobEventStats& stats() const { return stats_; }

    /// How many quiet running jobs one periodic check asks slurmctld about.
    static constexpr std::size_t kAsksPerCheck = 16;
    /// Tasks the registry worker holds at once (job events from agents, checks, Slurm's
    /// answers); beyond, a session waits for room (AgentServer: job_events_queue_full).
    static constexpr std::size_t kQueueCapacity = 256;

private:
    void schedule_timeouts();
    void check();
    void on_slurm_answer(const SlurmJobInfo& info);
    /// Posts Slurm's answer to the worker, waiting for room if need be: it is not asked again.
    void post_slurm_answer(SlurmJobInfo info);

    boost::asio::io_context& io_;
    RegistrySettings settings_;
    SlurmSettings slurm_;
    std::unique_ptr<JobEventRecorder> recorder_;
    std::unique_ptr<SlurmEnricher> enricher_;
    boost::asio::steady_timer timer_;
    Complaint bad_event_;
    Complaint store_failed_;
    JobEventStats stats_;
    /// Last member: destroyed (stopped) first, before anything its tasks touch.
    BlockingWorker worker_;
};

}  // namespace fructosa
