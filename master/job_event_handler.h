#pragma once
/// lmaster's side of the job lifecycle (rules: common/registry/job_lifecycle.h): applies
/// every lagent job event to the job registry, has Slurm's facts added to each job a node
/// ended, asks slurmctld about running jobs that went quiet (a node that died sends no
/// job_end), and marks jobs whose time ran out as partial.

#include <memory>
#include <string>

#include <boost/asio.hpp>

#include "common/logging.h"
#include "common/registry/job_store.h"
#include "common/registry/registry_settings.h"
#include "master/slurm_enricher.h"
#include "master/slurm_settings.h"

namespace fructosa {

/// Job events lmaster acknowledged but could not keep; published as its own metrics.
struct JobEventStats {
    std::uint64_t events_lost = 0;     ///< the registry write failed (the agent already has its Ack)
    std::uint64_t events_refused = 0;  ///< not a valid event, or naming another host than its agent
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
    void stop();
    /// One event from agent `host` (the JSON text lagent sent). Never throws.
    void on_event(const std::string& host, const std::string& json_text);

    const JobEventStats& stats() const { return stats_; }

    /// How many quiet running jobs one periodic check asks slurmctld about.
    static constexpr std::size_t kAsksPerCheck = 16;

private:
    void schedule_timeouts();
    void check();
    void on_slurm_answer(const SlurmJobInfo& info);

    boost::asio::io_context& io_;
    RegistrySettings settings_;
    SlurmSettings slurm_;
    std::unique_ptr<JobEventRecorder> recorder_;
    std::unique_ptr<SlurmEnricher> enricher_;
    boost::asio::steady_timer timer_;
    Complaint bad_event_;
    Complaint store_failed_;
    JobEventStats stats_;
};

}  // namespace fructosa
