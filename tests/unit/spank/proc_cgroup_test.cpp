// /proc/<pid>/cgroup parsing (spank/proc_cgroup.c), on the formats seen on real nodes.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <unistd.h>

#include "proc_cgroup.h"

namespace fructosa {
namespace {

std::map<std::string, std::string> as_map(const fructosa_cgroups &cg) {
  std::map<std::string, std::string> m;
  for (size_t i = 0; i < cg.count; ++i)
    m[cg.entries[i].controller] = cg.entries[i].path;
  return m;
}

TEST(SpankProcCgroup, HybridV1AsSlurmTaskSeesIt) {
  const char *text =
      "9:name=systemd:/\n"
      "6:freezer:/slurm_a1/uid_0/job_2/step_0\n"
      "4:memory:/slurm_a1/uid_0/job_2/step_0/task_0\n"
      "3:cpuset:/slurm_a1/uid_0/job_2/step_0\n"
      "1:cpu,cpuacct:/slurm_a1/uid_0/job_2/step_0/task_0\n"
      "0::/\n";
  fructosa_cgroups cg;
  EXPECT_EQ(fructosa_parse_proc_cgroup(text, &cg), 0);
  EXPECT_EQ(as_map(cg), (std::map<std::string, std::string>{
                            {"name=systemd", "/"},
                            {"freezer", "/slurm_a1/uid_0/job_2/step_0"},
                            {"memory", "/slurm_a1/uid_0/job_2/step_0/task_0"},
                            {"cpuset", "/slurm_a1/uid_0/job_2/step_0"},
                            {"cpu", "/slurm_a1/uid_0/job_2/step_0/task_0"},
                            {"cpuacct", "/slurm_a1/uid_0/job_2/step_0/task_0"}}));
  EXPECT_EQ(cg.has_unified, 1);
  EXPECT_STREQ(cg.unified, "/");
}

TEST(SpankProcCgroup, PureV2) {
  fructosa_cgroups cg;
  EXPECT_EQ(fructosa_parse_proc_cgroup(
                "0::/system.slice/n1_slurmstepd.scope/job_7/step_0/user/task_0\n", &cg),
            0);
  EXPECT_EQ(cg.count, 0u);
  EXPECT_EQ(cg.has_unified, 1);
  EXPECT_STREQ(cg.unified, "/system.slice/n1_slurmstepd.scope/job_7/step_0/user/task_0");
}

TEST(SpankProcCgroup, PathsWithColonsAndNoFinalNewline) {
  fructosa_cgroups cg;
  EXPECT_EQ(fructosa_parse_proc_cgroup("4:memory:/a:b\n0::/c:d", &cg), 0);
  EXPECT_EQ(as_map(cg)["memory"], "/a:b");
  EXPECT_STREQ(cg.unified, "/c:d");
}

TEST(SpankProcCgroup, SkipsGarbageAndCountsIt) {
  fructosa_cgroups cg;
  EXPECT_EQ(fructosa_parse_proc_cgroup("garbage\n:memory:/x\n4:memory:/ok\n\n", &cg), 2);
  EXPECT_EQ(as_map(cg), (std::map<std::string, std::string>{{"memory", "/ok"}}));
  EXPECT_EQ(cg.has_unified, 0);
  EXPECT_EQ(fructosa_parse_proc_cgroup(nullptr, &cg), 0);
  EXPECT_EQ(cg.count, 0u);
}

TEST(SpankProcCgroup, TooLongOrTooManyAreSkippedNotCut) {
  std::string long_path(FRUCTOSA_CGROUP_PATH_MAX, 'p');
  std::string text = "4:memory:/" + long_path + "\n0::/" + long_path + "\n";
  for (int i = 0; i < FRUCTOSA_MAX_CGROUPS + 3; ++i)
    text += std::to_string(i + 10) + ":c" + std::to_string(i) + ":/x\n";
  fructosa_cgroups cg;
  EXPECT_EQ(fructosa_parse_proc_cgroup(text.c_str(), &cg), 2 + 3);
  EXPECT_EQ(cg.count, static_cast<size_t>(FRUCTOSA_MAX_CGROUPS));
  EXPECT_EQ(cg.has_unified, 0);
  EXPECT_EQ(as_map(cg).count("memory"), 0u);
}

TEST(SpankProcCgroup, ReadsThisProcess) {
  fructosa_cgroups self, by_pid;
  ASSERT_GE(fructosa_read_proc_cgroup(0, &self), 0);
  ASSERT_GE(fructosa_read_proc_cgroup(getpid(), &by_pid), 0);
  EXPECT_TRUE(self.count > 0 || self.has_unified);
  EXPECT_EQ(as_map(self), as_map(by_pid));
  fructosa_cgroups none;
  EXPECT_EQ(fructosa_read_proc_cgroup(999999999, &none), -1);
}

}  // namespace
}  // namespace fructosa
