#pragma once
/// Asks slurmctld (through libslurm) what the plugin cannot know about a finished job:
/// its final state (COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY, CANCELLED, ...), time limit
/// and exit code. RPCs run on a worker thread of their own, so a slow or absent slurmctld
/// never stalls the agents' io_context; results come back through a callback posted there.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <boost/asio.hpp>

namespace fructosa {

struct SlurmJobInfo {
    std::uint64_t job_id = 0;
    std::string state;                   ///< base state name, e.g. "COMPLETED", "OUT_OF_MEMORY"
    std::optional<double> time_limit_s;  ///< none when unlimited
    std::optional<int> exit_code;        ///< shell style: status, or 128 + signal
};

class SlurmEnricher {
public:
    using Callback = std::function<void(const SlurmJobInfo&)>;

    /// `slurm_conf` empty: libslurm's default (SLURM_CONF or /etc/slurm/slurm.conf).
    SlurmEnricher(boost::asio::io_context& io, std::string slurm_conf, Callback on_result);
    ~SlurmEnricher();
    /// Looks the job up until Slurm reports a final state (bounded number of tries).
    void enqueue(std::uint64_t job_id);
    void stop();

private:
    struct Pending {
        std::uint64_t job_id;
        int tries;
        std::chrono::steady_clock::time_point not_before;
    };
    void run();

    boost::asio::io_context& io_;
    std::string slurm_conf_;
    Callback on_result_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    std::set<std::uint64_t> queued_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace fructosa
