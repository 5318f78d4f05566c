#pragma once
/// Asks slurmctld (through libslurm) what the plugin cannot know about a job: whether it is
/// over, and then its final state (COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY, CANCELLED,
/// ...), time limit, exit code, its own start and end, and the CPUs it was allocated on
/// each node (slurm_job_record.h). RPCs run on a worker thread of their own, so a slow or
/// absent slurmctld never stalls the agents' io_context; results come back through a
/// callback posted there.

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

#include "common/registry/slurm_job_facts.h"

namespace fructosa {

struct SlurmJobInfo {
    std::uint64_t job_id = 0;
    SlurmJobFacts facts;
};

class SlurmEnricher {
public:
    using Callback = std::function<void(const SlurmJobInfo&)>;

    /// `slurm_conf` empty: libslurm's default (SLURM_CONF or /etc/slurm/slurm.conf).
    SlurmEnricher(boost::asio::io_context& io, std::string slurm_conf, Callback on_result);
    ~SlurmEnricher();
    /// Looks the job up until Slurm reports it over (a final state, or it no longer knows
    /// the job), a bounded number of tries; only that answer is passed on. A job still
    /// running when the tries run out is left to ask() (lmaster's periodic question).
    void enqueue(std::uint64_t job_id);
    /// Looks the job up once and passes on whatever slurmctld answered (also Running or
    /// Failed). Does nothing when the job is already queued.
    void ask(std::uint64_t job_id);
    void stop();

private:
    struct Pending {
        std::uint64_t job_id;
        int tries;
        std::chrono::steady_clock::time_point not_before;
        bool once;  ///< ask(): one lookup, any answer passed on
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
