#include "master/slurm_enricher.h"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <sys/wait.h>

#include "common/logging.h"

namespace fructosa {

namespace {

constexpr int kMaxTries = 30;
constexpr std::chrono::seconds kRetry{2};

enum class Lookup { Final, NotYet, Failed };

/// Slurm's names for enum job_states (libslurm 22.05 exports no function for them).
std::string state_name(uint32_t base) {
    static const char* const names[] = {"PENDING",   "RUNNING",   "SUSPENDED", "COMPLETED",
                                        "CANCELLED", "FAILED",    "TIMEOUT",   "NODE_FAIL",
                                        "PREEMPTED", "BOOT_FAIL", "DEADLINE",  "OUT_OF_MEMORY"};
    return base < std::size(names) ? names[base] : "UNKNOWN";
}

Lookup look_up(std::uint64_t job_id, SlurmJobInfo& out, std::string& error) {
    job_info_msg_t* msg = nullptr;
    if (slurm_load_job(&msg, static_cast<uint32_t>(job_id), SHOW_ALL) != SLURM_SUCCESS || !msg) {
        error = slurm_strerror(slurm_get_errno());
        return Lookup::Failed;
    }
    Lookup result = Lookup::Failed;
    error = "slurmctld returned no record";
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const slurm_job_info_t& j = msg->job_array[i];
        if (j.job_id != job_id) continue;
        uint32_t base = j.job_state & JOB_STATE_BASE;
        if (base < JOB_COMPLETE || (j.job_state & JOB_COMPLETING)) {
            result = Lookup::NotYet;
            break;
        }
        out.job_id = job_id;
        out.state = state_name(base);
        if (j.time_limit != INFINITE && j.time_limit != NO_VAL) out.time_limit_s = 60.0 * j.time_limit;
        int status = static_cast<int>(j.exit_code);
        out.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        result = Lookup::Final;
        break;
    }
    slurm_free_job_info_msg(msg);
    return result;
}

}  // namespace

SlurmEnricher::SlurmEnricher(boost::asio::io_context& io, std::string slurm_conf, Callback on_result)
    : io_(io), slurm_conf_(std::move(slurm_conf)), on_result_(std::move(on_result)) {
    worker_ = std::thread([this] { run(); });
}

SlurmEnricher::~SlurmEnricher() { stop(); }

void SlurmEnricher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void SlurmEnricher::enqueue(std::uint64_t job_id) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || !queued_.insert(job_id).second) return;
        queue_.push_back({job_id, 0, std::chrono::steady_clock::now()});
    }
    wake_.notify_all();
}

void SlurmEnricher::run() {
    slurm_init(slurm_conf_.empty() ? nullptr : slurm_conf_.c_str());
    Complaint unreachable;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (queue_.empty()) {
            wake_.wait(lock);
            continue;
        }
        Pending p = queue_.front();
        auto now = std::chrono::steady_clock::now();
        if (p.not_before > now) {
            wake_.wait_until(lock, p.not_before);
            continue;
        }
        queue_.pop_front();
        lock.unlock();
        SlurmJobInfo info;
        std::string error;
        Lookup r = look_up(p.job_id, info, error);
        lock.lock();
        if (r == Lookup::Final) {
            queued_.erase(p.job_id);
            unreachable.release("slurmctld answers again");
            boost::asio::post(io_, [cb = on_result_, info] { cb(info); });
        } else if (++p.tries >= kMaxTries) {
            queued_.erase(p.job_id);
            log_warning("job {}: no final state from slurmctld after {} tries ({}): recorded without it", p.job_id,
                        p.tries, r == Lookup::NotYet ? "still not finished" : error);
        } else {
            if (r == Lookup::Failed) unreachable.complain(fmt::format("job {}: slurmctld lookup failed: {}", p.job_id, error));
            p.not_before = std::chrono::steady_clock::now() + kRetry;
            queue_.push_back(p);
        }
    }
}

}  // namespace fructosa
