#pragma once
/// lmaster's side of the job lifecycle: applies every lagent job event to the job
/// registry, marks jobs whose nodes never all reported as partial after a grace time,
/// and has Slurm's final state added to each ended job.

#include <memory>
#include <string>

#include <boost/asio.hpp>

#include "common/job_registry.h"
#include "common/logging.h"
#include "master/slurm_enricher.h"

namespace fructosa {

/// lmaster's [slurm] section.
struct SlurmSettings {
    bool enrich = true;      ///< ask slurmctld for final state, time limit, exit code
    std::string conf;        ///< slurm.conf for libslurm; empty: its default (SLURM_CONF or /etc/slurm)
};

class JobEventHandler {
public:
    /// Opens (creates) the registry; throws JobRegistryError naming the file.
    JobEventHandler(boost::asio::io_context& io, const RegistrySettings& registry, const SlurmSettings& slurm);
    ~JobEventHandler();
    void start();
    void stop();
    /// One event from agent `host` (the JSON text lagent sent). Never throws.
    void on_event(const std::string& host, const std::string& json_text);

private:
    void schedule_timeouts();

    boost::asio::io_context& io_;
    RegistrySettings settings_;
    SlurmSettings slurm_;
    JobRegistry registry_;
    std::unique_ptr<SlurmEnricher> enricher_;
    boost::asio::steady_timer timer_;
    Complaint bad_event_;
    Complaint store_failed_;
};

}  // namespace fructosa
