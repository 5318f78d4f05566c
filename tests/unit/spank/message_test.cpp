// The plugin -> lagent message builder (spank/message.c): every field, escaping,
// truncation safety, and the small helpers the plugin uses to fill the fields.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "message.h"

namespace fructosa {
namespace {

fructosa_cgroups sample_cgroups() {
  fructosa_cgroups cg{};
  auto add = [&](const char *ctrl, const char *path) {
    std::strcpy(cg.entries[cg.count].controller, ctrl);
    std::strcpy(cg.entries[cg.count].path, path);
    ++cg.count;
  };
  add("memory", "/slurm_n1/uid_0/job_3/step_0/task_0");
  add("cpuset", "/slurm_n1/uid_0/job_3/step_0");
  cg.has_unified = 1;
  std::strcpy(cg.unified, "/");
  return cg;
}

fructosa_step_start sample_start(const fructosa_cgroups *cg) {
  fructosa_step_start m{};
  m.time = 1700000000.25;
  m.job_id = 4294967290u;
  m.step_id = "batch";
  m.uid = 1000;
  m.user = "alice";
  m.account = "physics";
  m.partition = "debug";
  m.job_name = "my job";
  m.nodelist = "n[1-3]";
  m.node = "n2";
  m.nnodes = 3;
  m.cpus = 4;
  m.mem_mb = 123456789012ull;
  m.gpus = 2;
  m.gpu_ids = "0,3";
  m.ntasks = 12;
  m.local_tasks = 4;
  m.interval = 2.5;
  m.cgroup = cg;
  return m;
}

std::string format_start(const fructosa_step_start &m, size_t len = 65536) {
  std::vector<char> buf(len);
  int n = fructosa_format_step_start(&m, buf.data(), buf.size());
  EXPECT_GE(n, 0);
  EXPECT_EQ(static_cast<size_t>(n), std::strlen(buf.data()));
  return std::string(buf.data());
}

TEST(SpankMessage, StepStartHasEveryFieldInOneLine) {
  auto cg = sample_cgroups();
  std::string line = format_start(sample_start(&cg));
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["v"], 1);
  EXPECT_EQ(j["event"], "step_start");
  EXPECT_DOUBLE_EQ(j["time"].get<double>(), 1700000000.25);
  EXPECT_EQ(j["job_id"], 4294967290u);
  EXPECT_EQ(j["step_id"], "batch");
  EXPECT_EQ(j["uid"], 1000);
  EXPECT_EQ(j["user"], "alice");
  EXPECT_EQ(j["account"], "physics");
  EXPECT_EQ(j["partition"], "debug");
  EXPECT_EQ(j["job_name"], "my job");
  EXPECT_EQ(j["nodelist"], "n[1-3]");
  EXPECT_EQ(j["node"], "n2");
  EXPECT_EQ(j["nnodes"], 3);
  EXPECT_EQ(j["cpus"], 4);
  EXPECT_EQ(j["mem_mb"], 123456789012ull);
  EXPECT_EQ(j["gpus"], 2);
  EXPECT_EQ(j["gpu_ids"], "0,3");
  EXPECT_EQ(j["ntasks"], 12);
  EXPECT_EQ(j["local_tasks"], 4);
  EXPECT_DOUBLE_EQ(j["interval"].get<double>(), 2.5);
  EXPECT_EQ(j["cgroup"], nlohmann::json({{"memory", "/slurm_n1/uid_0/job_3/step_0/task_0"},
                                         {"cpuset", "/slurm_n1/uid_0/job_3/step_0"},
                                         {"unified", "/"}}));
  EXPECT_EQ(j.size(), 21u) << "no field added or lost without updating the contract";
}

TEST(SpankMessage, ExactTextOfAStepStart) {
  fructosa_cgroups cg{};
  cg.count = 1;
  std::strcpy(cg.entries[0].controller, "memory");
  std::strcpy(cg.entries[0].path, "/j");
  fructosa_step_start m{};
  m.time = 1.5;
  m.job_id = 7;
  m.step_id = "0";
  m.node = "n1";
  m.interval = 10;
  m.cgroup = &cg;
  EXPECT_EQ(format_start(m),
            "{\"v\":1,\"event\":\"step_start\",\"time\":1.500000,\"job_id\":7,\"step_id\":\"0\","
            "\"uid\":0,\"user\":\"\",\"account\":\"\",\"partition\":\"\",\"job_name\":\"\","
            "\"nodelist\":\"\",\"node\":\"n1\",\"nnodes\":0,\"cpus\":0,\"mem_mb\":0,\"gpus\":0,"
            "\"gpu_ids\":\"\",\"ntasks\":0,\"local_tasks\":0,\"interval\":10,\"cgroup\":{\"memory\":\"/j\"}}\n");
}

TEST(SpankMessage, NullStringsAndNoCgroupsAreEmpty) {
  fructosa_step_start m{};
  std::string line = format_start(m);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["user"], "");
  EXPECT_EQ(j["step_id"], "");
  EXPECT_EQ(j["cgroup"], nlohmann::json::object());
}

TEST(SpankMessage, StepEndExactText) {
  fructosa_step_end m{};
  m.time = 1700000001.125;
  m.job_id = 42;
  m.step_id = "extern";
  m.node = "n3";
  m.exit_status = 137;
  char buf[512];
  int n = fructosa_format_step_end(&m, buf, sizeof buf);
  EXPECT_EQ(std::string(buf),
            "{\"v\":1,\"event\":\"step_end\",\"time\":1700000001.125000,\"job_id\":42,"
            "\"step_id\":\"extern\",\"node\":\"n3\",\"exit_status\":137}\n");
  EXPECT_EQ(n, static_cast<int>(std::strlen(buf)));
}

TEST(SpankMessage, EscapesQuotesBackslashesAndControlCharacters) {
  fructosa_step_start m{};
  m.job_name = "a\"b\\c\nd\te\rf\x01g\x1f\x7fh";
  std::string line = format_start(m);
  EXPECT_NE(line.find(R"("job_name":"a\"b\\c\nd\te\rf\u0001g\u001f\u007fh")"), std::string::npos)
      << line;
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["job_name"], "a\"b\\c\nd\te\rf\x01g\x1f\x7fh");
}

TEST(SpankMessage, KeepsValidUtf8AndReplacesInvalidBytes) {
  fructosa_step_start m{};
  m.user = "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80";  // Jürgen € 😀
  m.job_name = "bad\xff\xc0\xafx\xed\xa0\x80y\xe2\x82";     // invalid, overlong, surrogate, cut
  std::string line = format_start(m);
  auto j = nlohmann::json::parse(line);  // throws on invalid UTF-8
  EXPECT_EQ(j["user"], "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80");
  std::string name = j["job_name"];
  EXPECT_EQ(name.rfind("bad", 0), 0u);
  EXPECT_NE(name.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
  EXPECT_NE(name.find('x'), std::string::npos);
  EXPECT_NE(name.find('y'), std::string::npos);
}

TEST(SpankMessage, EscapesCgroupKeysAndPaths) {
  fructosa_cgroups cg{};
  cg.count = 1;
  std::strcpy(cg.entries[0].controller, "name=we\"ird");
  std::strcpy(cg.entries[0].path, "/a\\b");
  fructosa_step_start m{};
  m.cgroup = &cg;
  auto j = nlohmann::json::parse(format_start(m));
  EXPECT_EQ(j["cgroup"]["name=we\"ird"], "/a\\b");
}

TEST(SpankMessage, NonFiniteNumbersBecomeZero) {
  fructosa_step_start m{};
  m.time = 0.0 / 0.0;
  m.interval = 1.0 / 0.0;
  auto j = nlohmann::json::parse(format_start(m));
  EXPECT_EQ(j["time"], 0.0);
  EXPECT_EQ(j["interval"], 0.0);
}

TEST(SpankMessage, EveryTooSmallBufferFailsCleanlyWithoutOverrun) {
  auto cg = sample_cgroups();
  auto m = sample_start(&cg);
  std::string full = format_start(m);
  for (size_t len = 1; len <= full.size(); ++len) {
    std::vector<char> buf(len + 16, '#');
    int n = fructosa_format_step_start(&m, buf.data(), len);
    ASSERT_EQ(n, -1) << len;
    EXPECT_EQ(buf[0], '\0') << "no partial message";
    for (size_t i = len; i < buf.size(); ++i)
      ASSERT_EQ(buf[i], '#') << "wrote past " << len;
  }
  std::vector<char> exact(full.size() + 1);
  EXPECT_EQ(fructosa_format_step_start(&m, exact.data(), exact.size()),
            static_cast<int>(full.size()));
  EXPECT_EQ(fructosa_format_step_start(&m, nullptr, 10), -1);
  char one = 'x';
  EXPECT_EQ(fructosa_format_step_start(&m, &one, 0), -1);
  EXPECT_EQ(one, 'x');
}

TEST(SpankMessage, HugeEscapedFieldsAreRefusedNotCut) {
  std::string name(20000, '\x01');  // 6 bytes each once escaped
  fructosa_step_start m{};
  m.job_name = name.c_str();
  std::vector<char> buf(32768);
  EXPECT_EQ(fructosa_format_step_start(&m, buf.data(), buf.size()), -1);
  EXPECT_STREQ(buf.data(), "");
}

TEST(SpankMessage, StepIdNames) {
  char buf[16];
  const std::pair<uint32_t, const char *> cases[] = {
      {0, "0"}, {1, "1"}, {4294967289u, "4294967289"}, {FRUCTOSA_STEP_BATCH, "batch"},
      {FRUCTOSA_STEP_EXTERN, "extern"}, {FRUCTOSA_STEP_INTERACTIVE, "interactive"},
      {FRUCTOSA_STEP_PENDING, "pending"}};
  for (auto [id, name] : cases) {
    fructosa_step_id_name(id, buf, sizeof buf);
    EXPECT_STREQ(buf, name);
  }
  EXPECT_EQ(FRUCTOSA_STEP_BATCH, 0xfffffffbu);
  EXPECT_EQ(FRUCTOSA_STEP_EXTERN, 0xfffffffcu);
  EXPECT_EQ(FRUCTOSA_STEP_INTERACTIVE, 0xfffffffau);
}

TEST(SpankMessage, ExitCodeFromWaitStatus) {
  EXPECT_EQ(fructosa_exit_code(0), 0);
  EXPECT_EQ(fructosa_exit_code(3 << 8), 3);      // exit(3)
  EXPECT_EQ(fructosa_exit_code(255 << 8), 255);  // exit(255)
  EXPECT_EQ(fructosa_exit_code(SIGKILL), 128 + SIGKILL);
  EXPECT_EQ(fructosa_exit_code(SIGSEGV | 0x80), 128 + SIGSEGV);  // with core dump
}

TEST(SpankMessage, CountsDevices) {
  EXPECT_EQ(fructosa_count_devices(nullptr), 0u);
  EXPECT_EQ(fructosa_count_devices(""), 0u);
  EXPECT_EQ(fructosa_count_devices("NoDevFiles"), 0u);
  EXPECT_EQ(fructosa_count_devices("0"), 1u);
  EXPECT_EQ(fructosa_count_devices("0,1,3"), 3u);
  EXPECT_EQ(fructosa_count_devices("GPU-1a2b,GPU-3c4d"), 2u);
  EXPECT_EQ(fructosa_count_devices("0,,1,"), 2u);
}

TEST(SpankMessage, CountsCpuLists) {
  EXPECT_EQ(fructosa_count_cpu_list(nullptr), 0u);
  EXPECT_EQ(fructosa_count_cpu_list(""), 0u);
  EXPECT_EQ(fructosa_count_cpu_list("0"), 1u);
  EXPECT_EQ(fructosa_count_cpu_list("0-1"), 2u);
  EXPECT_EQ(fructosa_count_cpu_list("0-3,8,10-11"), 7u);
  EXPECT_EQ(fructosa_count_cpu_list("3-1"), 0u);
  EXPECT_EQ(fructosa_count_cpu_list("a"), 0u);
  EXPECT_EQ(fructosa_count_cpu_list("1-"), 0u);
  EXPECT_EQ(fructosa_count_cpu_list("1;2"), 0u);
}

}  // namespace
}  // namespace fructosa
