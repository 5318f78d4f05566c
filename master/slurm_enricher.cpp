#include "master/slurm_enricher.h"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "common/logging.h"
#include "master/slurm_job_record.h"

namespace fructosa {

namespace {

constexpr int kMaxTries = 30;  // with kRetry: a minute for slurmctld to finish a job whose nodes ended
constexpr std::chrono::seconds kRetry{2};

double now_s() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// One slurm_load_job: the facts, or Answer::Failed with `error` set.
SlurmJobFacts look_up(std::uint64_t job_id, std::string& error) {
    SlurmJobFacts failed;
    failed.asked_at = now_s();
    job_info_msg_t* msg = nullptr;
    // SHOW_DETAIL: slurmctld sends the job's resources (cpus per node) only then.
    if (slurm_load_job(&msg, static_cast<uint32_t>(job_id), SHOW_ALL | SHOW_DETAIL) != SLURM_SUCCESS || !msg) {
        int err = slurm_get_errno();
        if (err == ESLURM_INVALID_JOB_ID) {
            failed.answer = SlurmJobFacts::Answer::Forgotten;
            return failed;
        }
        error = slurm_strerror(err);
        return failed;
    }
    error = "slurmctld returned no record";
    SlurmJobFacts result = failed;
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const slurm_job_info_t& j = msg->job_array[i];
        if (j.job_id != job_id) continue;
        SlurmJobRecord r;
        r.job_state = j.job_state;
        r.time_limit = j.time_limit;
        r.exit_code = j.exit_code;
        r.start_time = j.start_time;
        r.end_time = j.end_time;
        r.nodes = j.nodes ? j.nodes : "";
        if (j.job_resrcs && !r.nodes.empty()) {
            int n = static_cast<int>(j.num_nodes);
            for (int k = 0; k < n; ++k) r.cpus_on_node.push_back(slurm_job_cpus_allocated_on_node_id(j.job_resrcs, k));
        }
        result = slurm_job_facts(r, failed.asked_at);
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
        queue_.push_back({job_id, 0, std::chrono::steady_clock::now(), false});
    }
    wake_.notify_all();
}

void SlurmEnricher::ask(std::uint64_t job_id) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || !queued_.insert(job_id).second) return;
        queue_.push_back({job_id, 0, std::chrono::steady_clock::now(), true});
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
        std::string error;
        SlurmJobInfo info{p.job_id, look_up(p.job_id, error)};
        lock.lock();
        using Answer = SlurmJobFacts::Answer;
        const Answer a = info.facts.answer;
        if (a != Answer::Failed) unreachable.release("slurmctld answers again");
        else unreachable.complain(fmt::format("job {}: slurmctld lookup failed: {}", p.job_id, error));
        if (p.once || a == Answer::Over || a == Answer::Forgotten) {
            queued_.erase(p.job_id);
            boost::asio::post(io_, [cb = on_result_, info] { cb(info); });
        } else if (++p.tries >= kMaxTries) {
            queued_.erase(p.job_id);
            if (a == Answer::Running)  // a batch job whose node ended its steps: asked again later
                log_debug("job {}: still running per slurmctld; asked again when it is quiet", p.job_id);
            else
                log_warning("job {}: no answer from slurmctld after {} tries ({}): asked again when it is quiet",
                            p.job_id, p.tries, error);
        } else {
            p.not_before = std::chrono::steady_clock::now() + kRetry;
            queue_.push_back(p);
        }
    }
}

}  // namespace fructosa
