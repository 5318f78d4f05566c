#pragma once
// Helpers for the registry's and perad's tests: a private temporary directory and synthetic jobs.

#include <stdlib.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/job_event.h"
#include "common/registry/job_store.h"

namespace fructosa::test {

/// A fresh directory under TMPDIR, removed with everything in it at the end of scope.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "perad-test-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline JobMeta meta(const std::string& nodelist, unsigned nnodes, unsigned cpus, unsigned long mem_mb,
                    const std::string& user = "alice") {
    JobMeta m;
    m.uid = 1000;
    m.user = user;
    m.account = "proj";
    m.partition = "batch";
    m.job_name = "sim";
    m.nodelist = nodelist;
    m.nnodes = nnodes;
    m.cpus = cpus;
    m.mem_mb = mem_mb;
    m.gpus = 0;
    m.ntasks = cpus * nnodes;
    m.interval = 10;
    return m;
}

/// A summary as lagent's JobSummary::to_json() writes it.
inline nlohmann::json summary(double first, double last, double cpus, double cpu_seconds, double idle_fraction = 0,
                              double mem_peak_mb = 100) {
    return {{"samples", 10},
            {"intervals", 9},
            {"first_time", first},
            {"last_time", last},
            {"allocated_cpus", cpus},
            {"idle_threshold_percent", 5.0},
            {"cpu_seconds", cpu_seconds},
            {"idle_fraction", idle_fraction},
            {"memory_peak_bytes", static_cast<std::uint64_t>(mem_peak_mb * 1048576)},
            {"oom_kills", 0},
            {"limit_hits", 0},
            {"io_read_bytes", 0},
            {"io_write_bytes", 0}};
}

/// A finished job of `nnodes` nodes n1..nN, `cpus` each, running [start, start+elapsed]
/// and using `efficiency` of its cores.
inline void add_finished_job(JobEventRecorder& reg, std::uint64_t id, unsigned nnodes, unsigned cpus, double start,
                             double elapsed, double efficiency, const std::string& user = "alice",
                             int exit_status = 0) {
    std::string nodelist = nnodes == 1 ? "n1" : "n[1-" + std::to_string(nnodes) + "]";
    auto m = meta(nodelist, nnodes, cpus, 4096, user);
    for (unsigned n = 1; n <= nnodes; ++n) {
        std::string host = "n" + std::to_string(n);
        reg.record_step_start(id, host, "0", m, start);
        reg.record_job_end(id, host, exit_status, summary(start, start + elapsed, cpus, cpus * elapsed * efficiency), m,
                           start + elapsed, "last step ended");
    }
}

}  // namespace fructosa::test
