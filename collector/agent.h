#pragma once
/// lagent assembled: host sensors, the job tracker and the shipper to lmaster,
/// on one io_context with TERM/INT to stop and HUP to reopen the log file.

#include <memory>
#include <optional>

#include <boost/asio.hpp>

#include "collector/agent_config.h"
#include "collector/host_sampler.h"
#include "collector/sampling_policy.h"
#include "collector/shipper.h"
#include "collector/system_reader.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/status_file.h"

namespace fructosa {

class JobTracker;

class Agent {
public:
    explicit Agent(AgentConfig config);
    ~Agent();
    /// Runs until SIGTERM/SIGINT; calls `ready` once serving. Returns the exit status.
    int run(const ReadyFn& ready);

private:
    void wait_signal();
    void schedule_self_metrics();
    void stop();
    /// SIGHUP: re-reads the config file and applies what can change while running
    /// (collector/agent_reload.h); logs every other changed key as needing a restart.
    void reload();

    AgentConfig config_;
    std::optional<IniFile> started_file_;  ///< the file lagent started with (none: built without a file)
    std::optional<IniFile> applied_file_;  ///< the file last applied
    StatusFile status_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer self_timer_;
    HostSystemReader reader_;  ///< the job tracker's: a job's cgroup files go with the job
    HostSystemReader host_reader_{true};  ///< the host sensors': their files stay open
    Shipper shipper_;
    HostSampler sampler_;
    std::unique_ptr<JobTracker> jobs_;
    std::unique_ptr<HostIntervalPolicy> policy_;  ///< [sampling] adaptive = yes only
};

}  // namespace fructosa
