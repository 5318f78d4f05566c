#include "collector/job/cgroup_locator.h"

#include <gtest/gtest.h>

#include "tests/unit/collector/fixture_system_reader.h"

namespace fructosa {
namespace {

const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";
const std::string kV1Plain = kV1 + "/plain_host";
const std::string kV2 = std::string(FIXTURE_DIR) + "/cgroup_v2";
const std::string kV2Plain = kV2 + "/plain_host";

std::vector<std::uint64_t> ids(const std::vector<FoundJob>& jobs) {
    std::vector<std::uint64_t> out;
    for (const auto& j : jobs) out.push_back(j.job_id);
    return out;
}

TEST(CutAtJob, V1NamedAndPlainTrees) {
    EXPECT_EQ(cut_at_job("/slurm_n1/uid_0/job_3/step_0/task_0", 3, CgroupVersion::v1, "n1", 0u),
              "/slurm_n1/uid_0/job_3");
    EXPECT_EQ(cut_at_job("/slurm/uid_1000/job_42/step_batch", 42, CgroupVersion::v1, "n1", std::nullopt),
              "/slurm/uid_1000/job_42");
    EXPECT_EQ(cut_at_job("/slurm/uid_1000/job_42", 42, CgroupVersion::v1, "", std::nullopt), "/slurm/uid_1000/job_42");
}

TEST(CutAtJob, RefusesAnotherJobsPath) {
    std::string why;
    // step_start of job 3 naming job 2's freezer cgroup (or job_30 sharing a prefix).
    EXPECT_FALSE(cut_at_job("/slurm_n1/uid_0/job_2/step_0", 3, CgroupVersion::v1, "n1", 0u, &why));
    EXPECT_NE(why.find("no job_3"), std::string::npos) << why;
    EXPECT_FALSE(cut_at_job("/slurm_n1/uid_0/job_30/step_0", 3, CgroupVersion::v1, "n1", 0u));
    EXPECT_FALSE(cut_at_job("/slurm_n1/uid_0/job_3x/step_0", 3, CgroupVersion::v1, "n1", 0u));
}

TEST(CutAtJob, RefusesEscapesAndForeignTrees) {
    std::string why;
    EXPECT_FALSE(cut_at_job("/slurm_n1/uid_0/../uid_5/job_3", 3, CgroupVersion::v1, "n1", std::nullopt, &why));
    EXPECT_NE(why.find(".."), std::string::npos) << why;
    EXPECT_FALSE(cut_at_job("/slurm_n1//uid_0/job_3", 3, CgroupVersion::v1, "n1", std::nullopt));
    EXPECT_FALSE(cut_at_job("slurm_n1/uid_0/job_3", 3, CgroupVersion::v1, "n1", std::nullopt));
    EXPECT_FALSE(cut_at_job("/system.slice/job_3", 3, CgroupVersion::v1, "n1", std::nullopt));   // no uid_
    EXPECT_FALSE(cut_at_job("/other/uid_0/job_3", 3, CgroupVersion::v1, "n1", std::nullopt));    // not slurm
    EXPECT_FALSE(cut_at_job("/slurm_n2/uid_0/job_3", 3, CgroupVersion::v1, "n1", std::nullopt, &why));
    EXPECT_NE(why.find("another node"), std::string::npos) << why;
    EXPECT_FALSE(cut_at_job("/slurm_n1/uid_7/job_3", 3, CgroupVersion::v1, "n1", 1000u, &why));
    EXPECT_NE(why.find("uid"), std::string::npos) << why;
    EXPECT_FALSE(cut_at_job("/job_3", 3, CgroupVersion::v1, "n1", std::nullopt));
}

TEST(CutAtJob, V2Scopes) {
    EXPECT_EQ(cut_at_job("/system.slice/slurmstepd.scope/job_3/step_0/user/task_0", 3, CgroupVersion::v2, "n1",
                         std::nullopt),
              "/system.slice/slurmstepd.scope/job_3");
    EXPECT_EQ(cut_at_job("/system.slice/n2_slurmstepd.scope/job_8/step_0/slurm", 8, CgroupVersion::v2, "n2",
                         std::nullopt),
              "/system.slice/n2_slurmstepd.scope/job_8");
    // Wherever the unified path says the scope is.
    EXPECT_EQ(cut_at_job("/slurm.slice/x.slice/slurmstepd.scope/job_3/step_0", 3, CgroupVersion::v2, "n1",
                         std::nullopt),
              "/slurm.slice/x.slice/slurmstepd.scope/job_3");
    EXPECT_FALSE(cut_at_job("/system.slice/n1_slurmstepd.scope/job_8", 8, CgroupVersion::v2, "n2", std::nullopt));
    EXPECT_FALSE(cut_at_job("/user.slice/job_3/step_0", 3, CgroupVersion::v2, "n1", std::nullopt));
    EXPECT_FALSE(cut_at_job("/", 3, CgroupVersion::v2, "n1", std::nullopt));
}

TEST(CgroupMounts, MountinfoFindsCombinedCpuCpuacct) {
    test::FixtureSystemReader sys(kV1Plain);
    auto m = discover_cgroup_mounts(sys);
    ASSERT_FALSE(m.v1["cpuacct"].empty());
    EXPECT_EQ(m.v1["cpuacct"].front(), "/sys/fs/cgroup/cpu,cpuacct");
    EXPECT_EQ(m.v1["cpu"].front(), "/sys/fs/cgroup/cpu,cpuacct");
    EXPECT_EQ(m.v1["memory"].front(), "/sys/fs/cgroup/memory");
    EXPECT_EQ(m.v2.front(), "/sys/fs/cgroup/unified");
    EXPECT_EQ(m.v1.count("name=systemd"), 0u);
    // the defaults follow as fall-backs
    EXPECT_NE(std::find(m.v1["blkio"].begin(), m.v1["blkio"].end(), "/sys/fs/cgroup/blkio"), m.v1["blkio"].end());
}

TEST(CgroupMounts, MountinfoUnescapesSpaces) {
    auto m = parse_mountinfo("40 31 0:37 / /mnt/my\\040cgroups rw - cgroup cgroup rw,memory\n");
    ASSERT_EQ(m.v1["memory"].size(), 1u);
    EXPECT_EQ(m.v1["memory"].front(), "/mnt/my cgroups");
}

TEST(LocateJob, V1NamedTreeFindsEveryController) {
    test::FixtureSystemReader sys(kV1);
    JobCgroupRequest req;
    req.job_id = 42;
    req.uid = 1000;
    req.node = "n1";
    req.cgroup = {{"cpuacct", "/slurm_n1/uid_1000/job_42/step_0/task_0"},
                  {"memory", "/slurm_n1/uid_1000/job_42/step_0/task_0"},
                  {"cpuset", "/slurm_n1/uid_1000/job_42/step_0"},
                  {"name=systemd", "/system.slice/slurmd.service"},
                  {"blkio", "/"},
                  {"pids", "/system.slice/slurmd.service"},
                  {"unified", "/"}};
    auto r = locate_job_cgroups(sys, discover_cgroup_mounts(sys), req);
    ASSERT_TRUE(r.paths) << r.error;
    // neither the hybrid "0::/" line nor controllers Slurm does not manage are noise on v1
    EXPECT_TRUE(r.refused.empty());
    EXPECT_EQ(r.paths->version, CgroupVersion::v1);
    EXPECT_EQ(r.paths->job_id, 42u);
    const std::string j = "/slurm_n1/uid_1000/job_42";
    EXPECT_EQ(r.paths->v1_dir("cpuacct"), "/sys/fs/cgroup/cpuacct" + j);
    EXPECT_EQ(r.paths->v1_dir("memory"), "/sys/fs/cgroup/memory" + j);
    // not in the map: found at the same relative path
    EXPECT_EQ(r.paths->v1_dir("blkio"), "/sys/fs/cgroup/blkio" + j);
    EXPECT_EQ(r.paths->v1_dir("pids"), "/sys/fs/cgroup/pids" + j);
    EXPECT_EQ(r.paths->v1_dir("freezer"), "/sys/fs/cgroup/freezer" + j);
    EXPECT_EQ(r.paths->v1_dir("cpuset"), "/sys/fs/cgroup/cpuset" + j);
}

TEST(LocateJob, V1ForeignEntryRefusedNotFollowed) {
    test::FixtureSystemReader sys(kV1);
    JobCgroupRequest req;
    req.job_id = 42;
    req.node = "n1";
    // The freezer entry names job 43 (another user's): refused, and freezer is taken
    // from job 42's own layout instead.
    req.cgroup = {{"memory", "/slurm_n1/uid_1000/job_42/step_0/task_0"},
                  {"freezer", "/slurm_n1/uid_1001/job_43/step_0"}};
    auto r = locate_job_cgroups(sys, default_cgroup_mounts(), req);
    ASSERT_TRUE(r.paths) << r.error;
    ASSERT_EQ(r.refused.size(), 1u);
    EXPECT_NE(r.refused[0].find("freezer=/slurm_n1/uid_1001/job_43/step_0"), std::string::npos) << r.refused[0];
    for (const auto& [ctrl, dir] : r.paths->v1) {
        EXPECT_NE(dir.find("/job_42"), std::string::npos) << ctrl << " " << dir;
        EXPECT_EQ(dir.find("job_43"), std::string::npos) << ctrl << " " << dir;
    }
    EXPECT_EQ(r.paths->v1_dir("freezer"), "/sys/fs/cgroup/freezer/slurm_n1/uid_1000/job_42");
}

TEST(LocateJob, V1OnlyForeignEntriesGiveNothing) {
    test::FixtureSystemReader sys(kV1);
    JobCgroupRequest req;
    req.job_id = 42;
    req.node = "n1";
    req.cgroup = {{"memory", "/slurm_n1/uid_1001/job_43/step_0/task_0"},
                  {"cpuacct", "/slurm_n2/uid_1000/job_44/step_0/task_0"}};
    auto r = locate_job_cgroups(sys, default_cgroup_mounts(), req);
    EXPECT_FALSE(r.paths);
    EXPECT_EQ(r.refused.size(), 2u);
    EXPECT_FALSE(r.error.empty());
}

TEST(LocateJob, V1JobThatIsGoneIsAnError) {
    test::FixtureSystemReader sys(kV1);
    JobCgroupRequest req;
    req.job_id = 77;
    req.node = "n1";
    req.cgroup = {{"memory", "/slurm_n1/uid_1000/job_77/step_0/task_0"}};
    auto r = locate_job_cgroups(sys, default_cgroup_mounts(), req);
    EXPECT_FALSE(r.paths);
    EXPECT_NE(r.error.find("/slurm_n1/uid_1000/job_77"), std::string::npos) << r.error;
}

TEST(LocateJob, V1PlainTreeWithCombinedMount) {
    test::FixtureSystemReader sys(kV1Plain);
    JobCgroupRequest req;
    req.job_id = 5;
    req.uid = 0;
    req.node = "node005";
    req.cgroup = {{"cpu,cpuacct", "/slurm/uid_0/job_5/step_0/task_0"},
                  {"memory", "/slurm/uid_0/job_5/step_0/task_0"},
                  {"freezer", "/slurm/uid_0/job_5/step_0"}};
    auto r = locate_job_cgroups(sys, discover_cgroup_mounts(sys), req);
    ASSERT_TRUE(r.paths) << r.error;
    EXPECT_EQ(r.paths->v1_dir("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/slurm/uid_0/job_5");
    EXPECT_EQ(r.paths->v1_dir("memory"), "/sys/fs/cgroup/memory/slurm/uid_0/job_5");
    EXPECT_EQ(r.paths->v1_dir("freezer"), "/sys/fs/cgroup/freezer/slurm/uid_0/job_5");
    EXPECT_FALSE(r.paths->v1_dir("blkio"));  // Slurm made none: absent, not an error
}

TEST(LocateJob, V2PlainAndNodeScopes) {
    test::FixtureSystemReader sys(kV2);
    auto mounts = default_cgroup_mounts();
    JobCgroupRequest req;
    req.job_id = 7;
    req.node = "n1";
    req.cgroup = {{"unified", "/system.slice/slurmstepd.scope/job_7/step_0/user/task_0"}};
    auto r = locate_job_cgroups(sys, mounts, req);
    ASSERT_TRUE(r.paths) << r.error;
    EXPECT_EQ(r.paths->version, CgroupVersion::v2);
    EXPECT_EQ(r.paths->unified, "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_7");

    req.job_id = 8;
    req.node = "n2";
    req.cgroup = {{"", "/system.slice/n2_slurmstepd.scope/job_8/step_0/user/task_0"}};
    r = locate_job_cgroups(sys, mounts, req);
    ASSERT_TRUE(r.paths) << r.error;
    EXPECT_EQ(r.paths->unified, "/sys/fs/cgroup/system.slice/n2_slurmstepd.scope/job_8");

    // n1 cannot be handed n2's scope, nor job 8 another job's directory
    req.node = "n1";
    r = locate_job_cgroups(sys, mounts, req);
    EXPECT_FALSE(r.paths);
    ASSERT_EQ(r.refused.size(), 1u);
    req.node = "n2";
    req.cgroup = {{"unified", "/system.slice/slurmstepd.scope/job_7/step_0/user/task_0"}};
    r = locate_job_cgroups(sys, mounts, req);
    EXPECT_FALSE(r.paths);
}

TEST(ScanJobs, V1FindsExactlyTheNodesJobs) {
    test::FixtureSystemReader sys(kV1);
    auto jobs = scan_job_cgroups(sys, default_cgroup_mounts(), "n1");
    // job 44 is n2's; the plain slurm/ tree beside named ones is no node's.
    ASSERT_EQ(ids(jobs), (std::vector<std::uint64_t>{42, 43}));
    EXPECT_EQ(jobs[0].uid, 1000u);
    EXPECT_EQ(jobs[1].uid, 1001u);
    EXPECT_EQ(jobs[0].paths.version, CgroupVersion::v1);
    EXPECT_EQ(jobs[0].paths.job_id, 42u);
    EXPECT_EQ(jobs[0].paths.v1.size(), 6u);
    EXPECT_EQ(jobs[0].paths.v1_dir("memory"), "/sys/fs/cgroup/memory/slurm_n1/uid_1000/job_42");
    EXPECT_EQ(jobs[1].paths.v1_dir("cpuacct"), "/sys/fs/cgroup/cpuacct/slurm_n1/uid_1001/job_43");
    EXPECT_FALSE(jobs[1].paths.v1_dir("pids"));

    EXPECT_EQ(ids(scan_job_cgroups(sys, default_cgroup_mounts(), "n2")), (std::vector<std::uint64_t>{44}));
    EXPECT_TRUE(scan_job_cgroups(sys, default_cgroup_mounts(), "n9").empty());
}

TEST(ScanJobs, V1PlainHost) {
    test::FixtureSystemReader sys(kV1Plain);
    auto jobs = scan_job_cgroups(sys, discover_cgroup_mounts(sys), "node005");
    ASSERT_EQ(ids(jobs), (std::vector<std::uint64_t>{5}));
    EXPECT_EQ(jobs[0].uid, 0u);
    EXPECT_EQ(jobs[0].paths.v1_dir("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/slurm/uid_0/job_5");
    EXPECT_EQ(jobs[0].paths.v1_dir("freezer"), "/sys/fs/cgroup/freezer/slurm/uid_0/job_5");
}

TEST(ScanJobs, V2NodeScopes) {
    test::FixtureSystemReader sys(kV2);
    auto jobs = scan_job_cgroups(sys, default_cgroup_mounts(), "n2");
    ASSERT_EQ(ids(jobs), (std::vector<std::uint64_t>{8}));
    EXPECT_EQ(jobs[0].paths.version, CgroupVersion::v2);
    EXPECT_EQ(jobs[0].paths.unified, "/sys/fs/cgroup/system.slice/n2_slurmstepd.scope/job_8");
    EXPECT_FALSE(jobs[0].uid);
    EXPECT_EQ(ids(scan_job_cgroups(sys, default_cgroup_mounts(), "n3")), (std::vector<std::uint64_t>{9}));
    // this host names its scopes: the plain scope's job 7 is nobody's to re-attach
    EXPECT_TRUE(scan_job_cgroups(sys, default_cgroup_mounts(), "n1").empty());
}

TEST(ScanJobs, V2PlainHost) {
    test::FixtureSystemReader sys(kV2Plain);
    auto jobs = scan_job_cgroups(sys, default_cgroup_mounts(), "node011");
    ASSERT_EQ(ids(jobs), (std::vector<std::uint64_t>{11}));
    EXPECT_EQ(jobs[0].paths.unified, "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_11");
}

TEST(ScanJobs, NothingOnAMachineWithoutSlurm) {
    test::FixtureSystemReader sys(std::string(FIXTURE_DIR) + "/no_such_tree");
    EXPECT_TRUE(scan_job_cgroups(sys, default_cgroup_mounts(), "n1").empty());
}

TEST(CgroupMounts, DefaultsSitBelowTheConfiguredCgroupRoot) {
    auto m = default_cgroup_mounts("/cg");
    EXPECT_EQ(m.v2, (std::vector<std::string>{"/cg", "/cg/unified"}));
    EXPECT_EQ(m.v1.at("memory"), (std::vector<std::string>{"/cg/memory"}));
    EXPECT_EQ(m.v1.at("cpuacct"), (std::vector<std::string>{"/cg/cpuacct", "/cg/cpu,cpuacct", "/cg/cpuacct,cpu"}));
    // What mountinfo lists comes first; the defaults below the root follow.
    test::FixtureSystemReader sys(kV2);
    auto found = discover_cgroup_mounts(sys, "/cg");
    ASSERT_FALSE(found.v2.empty());
    EXPECT_EQ(found.v2.back(), "/cg/unified");
}

}  // namespace
}  // namespace fructosa
