#pragma once
// A JobEventRecorder that writes down every call instead of storing it: for tests of what
// reaches the registry (apply_job_event, lmaster's JobEventHandler).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/job_event.h"
#include "common/registry/job_store.h"

namespace fructosa::test {

class RecordingRecorder : public JobEventRecorder {
public:
    /// One call: `what` is the method's name; the other members hold its arguments.
    struct Call {
        std::string what;
        std::uint64_t job_id = 0;
        std::string host, step_id;
        JobMeta meta;
        int exit_status = 0;
        nlohmann::json summary;
        double time = 0;
        std::string reason;
        bool reattached = false;
    };
    std::vector<Call> calls;
    std::vector<double> timeout_checks;                      ///< `now` of each check_timeouts
    std::vector<TimedOut> overdue;                           ///< what the next check_timeouts returns
    std::optional<LifecyclePolicy> policy;                   ///< the last set_lifecycle_policy
    std::vector<SlurmJobFacts> slurm_facts;                  ///< of each set_slurm_info
    bool fail = false;                                       ///< every call throws JobRegistryError

    void record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                           const JobMeta& meta, double time) override {
        check();
        calls.push_back({"step_start", job_id, host, step_id, meta, 0, nullptr, time, "", false});
    }
    void record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id, int exit_status,
                         const nlohmann::json& summary, double time) override {
        check();
        calls.push_back({"step_end", job_id, host, step_id, JobMeta{}, exit_status, summary, time, "", false});
    }
    void record_job_end(std::uint64_t job_id, const std::string& host, int exit_status, const nlohmann::json& summary,
                        const JobMeta& meta, double time, const std::string& reason, bool reattached) override {
        check();
        calls.push_back({"job_end", job_id, host, "", meta, exit_status, summary, time, reason, reattached});
    }
    void set_lifecycle_policy(const LifecyclePolicy& p) override { policy = p; }
    std::vector<TimedOut> check_timeouts(double now) override {
        check();
        timeout_checks.push_back(now);
        return std::exchange(overdue, {});
    }
    std::vector<std::uint64_t> jobs_to_ask_slurm(double, double, std::size_t) override {
        check();
        return {};
    }
    void set_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts) override {
        check();
        calls.push_back({"slurm_info", job_id, "", "", JobMeta{}, 0, nullptr, facts.asked_at, facts.state, false});
        slurm_facts.push_back(facts);
    }

private:
    void check() const {
        if (fail) throw JobRegistryError("job registry /test/r.db: disk I/O error");
    }
};

}  // namespace fructosa::test
