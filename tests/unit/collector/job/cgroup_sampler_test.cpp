#include "collector/job/cgroup_sampler.h"

#include <gtest/gtest.h>

#include <map>

#include "collector/job/job_metrics.h"
#include "tests/unit/collector/fixture_system_reader.h"

namespace fructosa {
namespace {

const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";
const std::string kV2 = std::string(FIXTURE_DIR) + "/cgroup_v2";

/// A fixture tree with some files replaced: the second sample's state of a job.
class OverlayReader : public SystemReader {
public:
    OverlayReader(const SystemReader& base, std::map<std::string, std::string> files)
        : base_(base), files_(std::move(files)) {}
    std::optional<std::string> read_file(const std::string& path) const override {
        if (auto it = files_.find(path); it != files_.end()) return it->second;
        return base_.read_file(path);
    }
    std::vector<std::string> list_dir(const std::string& path) const override { return base_.list_dir(path); }
    bool exists(const std::string& path) const override {
        auto it = files_.lower_bound(path);  // a file, or a directory holding one
        if (it != files_.end() && (it->first == path || it->first.rfind(path + "/", 0) == 0)) return true;
        return base_.exists(path);
    }
    std::optional<FsUsage> fs_usage(const std::string& path) const override { return base_.fs_usage(path); }
    std::vector<std::pair<std::string, std::string>> interface_addresses() const override { return {}; }

private:
    const SystemReader& base_;
    std::map<std::string, std::string> files_;
};

JobCgroupPaths v1_job(const std::string& tree, unsigned uid, std::uint64_t job,
                      std::vector<std::string> controllers = {"cpuacct", "memory", "blkio", "pids", "freezer",
                                                              "cpuset"}) {
    JobCgroupPaths p;
    p.version = CgroupVersion::v1;
    p.job_id = job;
    for (const auto& c : controllers)
        p.v1[c] = "/sys/fs/cgroup/" + c + "/" + tree + "/uid_" + std::to_string(uid) + "/job_" + std::to_string(job);
    return p;
}

JobCgroupPaths v2_job(const std::string& scope, std::uint64_t job) {
    JobCgroupPaths p;
    p.version = CgroupVersion::v2;
    p.job_id = job;
    p.unified = "/sys/fs/cgroup/system.slice/" + scope + "/job_" + std::to_string(job);
    return p;
}

TEST(CgroupSamplerV1, ReadsTheFixtureNumbers) {
    test::FixtureSystemReader sys(kV1);
    auto s = sample_job_cgroup(sys, v1_job("slurm_n1", 1000, 42), 1000.0);
    EXPECT_TRUE(s.present);
    EXPECT_TRUE(s.problems.empty());
    EXPECT_DOUBLE_EQ(s.time, 1000.0);
    EXPECT_EQ(s.cpu_usage_ns, 12500000000u);
    EXPECT_DOUBLE_EQ(s.cpu_user_s.value(), 10.0);   // 1000 USER_HZ ticks
    EXPECT_DOUBLE_EQ(s.cpu_system_s.value(), 2.0);  // 200 ticks
    EXPECT_EQ(s.memory_current, 2147483648u);
    EXPECT_EQ(s.memory_peak, 3221225472u);
    EXPECT_EQ(s.memory_rss, 1610612736u);
    EXPECT_EQ(s.memory_cache, 536870912u);
    EXPECT_EQ(s.memory_swap, 104857600u);
    EXPECT_EQ(s.memory_limit, 4294967296u);
    EXPECT_EQ(s.memory_limit_hits, 3u);
    EXPECT_EQ(s.memory_oom_kills, 1u);
    EXPECT_EQ(s.io_read_bytes, 10485760u + 1048576u);
    EXPECT_EQ(s.io_write_bytes, 20971520u);
    EXPECT_EQ(s.io_read_ops, 110u);
    EXPECT_EQ(s.io_write_ops, 200u);
    // freezer: step_0 holds 2001 2002 2010 (5 threads), step_batch 1990
    EXPECT_EQ(s.processes, 4u);
    EXPECT_EQ(s.threads, 6u);
    EXPECT_FALSE(s.cpu_pressure);  // v1 has no per-cgroup PSI
    EXPECT_FALSE(s.memory_pressure);
    EXPECT_FALSE(s.io_pressure);
}

TEST(CgroupSamplerV1, OlderKernelAndConfigLeaveFieldsAbsent) {
    test::FixtureSystemReader sys(kV1);
    auto s = sample_job_cgroup(sys, v1_job("slurm_n1", 1001, 43, {"cpuacct", "memory", "blkio", "freezer"}), 5.0);
    EXPECT_TRUE(s.present);
    EXPECT_EQ(s.cpu_usage_ns, 5000000000u);
    EXPECT_DOUBLE_EQ(s.cpu_user_s.value(), 3.0);
    EXPECT_EQ(s.memory_current, 104857600u);
    EXPECT_EQ(s.memory_limit, kMemoryUnlimited);
    EXPECT_FALSE(s.memory_swap);       // no total_swap, no memsw: not "0 swap"
    EXPECT_FALSE(s.memory_oom_kills);  // no oom_kill line in memory.oom_control
    EXPECT_EQ(s.memory_limit_hits, 0u);
    // only per-cgroup blkio files: summed over the tree, where task_0 did the I/O
    EXPECT_EQ(s.io_read_bytes, 4096u);
    EXPECT_EQ(s.io_write_bytes, 8192u);
    EXPECT_EQ(s.io_read_ops, 1u);
    EXPECT_EQ(s.io_write_ops, 2u);
    EXPECT_EQ(s.processes, 1u);
    EXPECT_EQ(s.threads, 2u);
}

TEST(CgroupSamplerV1, NoLeakageBetweenJobs) {
    test::FixtureSystemReader sys(kV1);
    auto a = sample_job_cgroup(sys, v1_job("slurm_n1", 1000, 42), 0);
    auto b = sample_job_cgroup(sys, v1_job("slurm_n1", 1001, 43), 0);
    EXPECT_NE(a.cpu_usage_ns, b.cpu_usage_ns);
    EXPECT_NE(a.memory_current, b.memory_current);
    EXPECT_NE(a.processes, b.processes);
}

TEST(CgroupSamplerV1, MemswGivesSwapWhenMemoryStatHasNone) {
    test::FixtureSystemReader base(kV1);
    const std::string mem = "/sys/fs/cgroup/memory/slurm_n1/uid_1000/job_42";
    auto stat = base.read_file(mem + "/memory.stat").value();
    std::string no_swap;
    for (std::size_t at = 0; at < stat.size();) {
        auto nl = stat.find('\n', at);
        auto line = stat.substr(at, nl - at + 1);
        if (line.rfind("swap ", 0) != 0 && line.rfind("total_swap ", 0) != 0) no_swap += line;
        at = nl + 1;
    }
    OverlayReader sys(base, {{mem + "/memory.stat", no_swap}});
    auto s = sample_job_cgroup(sys, v1_job("slurm_n1", 1000, 42), 0);
    EXPECT_EQ(s.memory_swap, 2252341248u - 2147483648u);
}

TEST(CgroupSamplerV1, GarbledFileIsAProblemNotAZero) {
    test::FixtureSystemReader base(kV1);
    const std::string cpu = "/sys/fs/cgroup/cpuacct/slurm_n1/uid_1000/job_42/cpuacct.usage";
    OverlayReader sys(base, {{cpu, "twelve\n"}});
    auto s = sample_job_cgroup(sys, v1_job("slurm_n1", 1000, 42), 0);
    EXPECT_FALSE(s.cpu_usage_ns);
    ASSERT_EQ(s.problems.size(), 1u);
    EXPECT_NE(s.problems[0].find(cpu), std::string::npos);
    EXPECT_EQ(s.memory_current, 2147483648u);  // the rest is still read
}

TEST(CgroupSamplerV1, VanishedJobIsNotPresent) {
    test::FixtureSystemReader sys(kV1);
    auto s = sample_job_cgroup(sys, v1_job("slurm_n1", 1000, 99), 0);
    EXPECT_FALSE(s.present);
    EXPECT_FALSE(s.cpu_usage_ns);
    EXPECT_FALSE(s.memory_current);
    EXPECT_FALSE(s.processes);
}

TEST(CgroupSamplerV1, AnyHierarchyCountsTheTasks) {
    test::FixtureSystemReader sys(kV1);
    // the pids hierarchy has task_N leaves like cpuacct and memory: same counts as freezer's
    auto s = sample_job_cgroup(sys, v1_job("slurm_n1", 1000, 42, {"pids"}), 0);
    EXPECT_EQ(s.threads, 6u);
    EXPECT_EQ(s.processes, 4u);
}

TEST(CgroupSamplerV2, PidsCurrentWhenNoThreadLists) {
    test::FixtureSystemReader empty(std::string(FIXTURE_DIR) + "/no_such_tree");
    const std::string job = "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_3";
    OverlayReader sys(empty, {{job + "/cgroup.procs", ""},
                              {job + "/pids.current", "9\n"},
                              {job + "/memory.current", "4096\n"}});
    JobCgroupPaths paths;
    paths.version = CgroupVersion::v2;
    paths.job_id = 3;
    paths.unified = job;
    auto s = sample_job_cgroup(sys, paths, 0);
    EXPECT_TRUE(s.present);
    EXPECT_EQ(s.processes, 0u);
    EXPECT_EQ(s.threads, 9u);
    EXPECT_EQ(s.memory_current, 4096u);
    EXPECT_FALSE(s.cpu_usage_ns);
    EXPECT_FALSE(s.cpu_pressure);
    EXPECT_FALSE(s.io_read_bytes);
}

TEST(CgroupSamplerV2, ReadsTheFixtureNumbers) {
    test::FixtureSystemReader sys(kV2);
    auto s = sample_job_cgroup(sys, v2_job("slurmstepd.scope", 7), 50.0);
    EXPECT_TRUE(s.present);
    EXPECT_TRUE(s.problems.empty());
    EXPECT_EQ(s.cpu_usage_ns, 8000000000u);
    EXPECT_DOUBLE_EQ(s.cpu_user_s.value(), 6.0);
    EXPECT_DOUBLE_EQ(s.cpu_system_s.value(), 2.0);
    EXPECT_EQ(s.memory_current, 1073741824u);
    EXPECT_EQ(s.memory_peak, 1610612736u);
    EXPECT_EQ(s.memory_rss, 805306368u);
    EXPECT_EQ(s.memory_cache, 209715200u);
    EXPECT_EQ(s.memory_swap, 4096u);
    EXPECT_EQ(s.memory_limit, 2147483648u);
    EXPECT_EQ(s.memory_limit_hits, 5u);
    EXPECT_EQ(s.memory_oom_kills, 1u);
    EXPECT_EQ(s.io_read_bytes, 1048576u + 4096u);
    EXPECT_EQ(s.io_write_bytes, 2097152u);
    EXPECT_EQ(s.io_read_ops, 17u);
    EXPECT_EQ(s.io_write_ops, 32u);
    // task_0 (2 procs, 3 threads), task_1 (1, 1), batch task_0 (1, 1); slurmstepd's
    // step_*/slurm cgroups are not counted
    EXPECT_EQ(s.processes, 4u);
    EXPECT_EQ(s.threads, 5u);
    ASSERT_TRUE(s.cpu_pressure);
    EXPECT_DOUBLE_EQ(s.cpu_pressure->some_avg10.value(), 12.5);
    EXPECT_DOUBLE_EQ(s.cpu_pressure->full_avg10.value(), 2.25);
    EXPECT_EQ(s.cpu_pressure->some_total_us, 1234567u);
    EXPECT_EQ(s.cpu_pressure->full_total_us, 234567u);
    ASSERT_TRUE(s.memory_pressure);
    EXPECT_DOUBLE_EQ(s.memory_pressure->some_avg10.value(), 0.5);
    ASSERT_TRUE(s.io_pressure);
    EXPECT_DOUBLE_EQ(s.io_pressure->full_avg10.value(), 1.25);
}

TEST(CgroupSamplerV2, OlderKernelLeavesFieldsAbsent) {
    test::FixtureSystemReader sys(kV2);
    auto s = sample_job_cgroup(sys, v2_job("n2_slurmstepd.scope", 8), 0);
    EXPECT_TRUE(s.present);
    EXPECT_TRUE(s.problems.empty());
    EXPECT_EQ(s.cpu_usage_ns, 500000000u);
    EXPECT_FALSE(s.memory_peak);  // no memory.peak before 5.19
    EXPECT_FALSE(s.memory_swap);  // no swap controller
    EXPECT_EQ(s.memory_limit, kMemoryUnlimited);
    EXPECT_EQ(s.io_read_bytes, 0u);  // empty io.stat: no I/O yet, which is a real 0
    EXPECT_EQ(s.io_write_ops, 0u);
    EXPECT_EQ(s.processes, 1u);
    EXPECT_EQ(s.threads, 2u);
    ASSERT_TRUE(s.cpu_pressure);
    EXPECT_FALSE(s.cpu_pressure->full_avg10);
    EXPECT_EQ(s.cpu_pressure->some_total_us, 100u);
}

TEST(CgroupSamplerV1, TwoSamplesThroughJobMetrics) {
    test::FixtureSystemReader base(kV1);
    const std::string cpu = "/sys/fs/cgroup/cpuacct/slurm_n1/uid_1000/job_42/";
    const std::string mem = "/sys/fs/cgroup/memory/slurm_n1/uid_1000/job_42/";
    const std::string io = "/sys/fs/cgroup/blkio/slurm_n1/uid_1000/job_42/";
    auto paths = v1_job("slurm_n1", 1000, 42);
    auto first = sample_job_cgroup(base, paths, 1000.0);
    // 10 s later: 20 more CPU seconds (2 busy cores), 4 GiB current above the old peak,
    // 50 MiB more read.
    OverlayReader later(base, {{cpu + "cpuacct.usage", "32500000000\n"},
                               {cpu + "cpuacct.stat", "user 2800\nsystem 400\n"},
                               {mem + "memory.usage_in_bytes", "4000000000\n"},
                               {io + "blkio.throttle.io_service_bytes_recursive",
                                "8:0 Read 62914560\n8:0 Write 20971520\nTotal 83886080\n"}});
    auto second = sample_job_cgroup(later, paths, 1010.0);

    JobMetrics metrics(4);
    metrics.update(first);
    auto r = metrics.update(second);
    auto value = [&](const std::string& field) -> std::optional<double> {
        for (const auto& x : r)
            if (x.field == field) return x.value;
        return std::nullopt;
    };
    EXPECT_DOUBLE_EQ(value("cpu.usage_percent").value(), 200.0);
    EXPECT_DOUBLE_EQ(value("cpu.efficiency_percent").value(), 50.0);
    EXPECT_DOUBLE_EQ(value("cpu.user_seconds").value(), 28.0);
    EXPECT_DOUBLE_EQ(value("memory.peak").value(), 4000000000.0);
    EXPECT_DOUBLE_EQ(value("io.read_bytes_per_s").value(), (62914560.0 - 11534336.0) / 10.0);
    EXPECT_DOUBLE_EQ(value("io.write_bytes_per_s").value(), 0.0);
    EXPECT_FALSE(value("pressure.cpu.some_avg10"));
}

}  // namespace
}  // namespace fructosa
