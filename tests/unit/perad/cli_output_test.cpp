// How perad prints, straight from the structs: aligned tables, RFC 4180 CSV, JSON rows,
// summaries and one job. (The commands around them are tested in cli_test.cpp.)
#include "perad/cli_output.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "perad/time_arg.h"

namespace fructosa {
namespace {

using json = nlohmann::json;
using Cells = std::vector<std::string>;

TEST(PrintTable, ColumnsPaddedToTheWidestCellPlusTwo) {
    struct Case {
        Cells header;
        std::vector<Cells> rows;
        std::string expected;
    };
    const Case cases[] = {
        {{"A", "BB"}, {}, "A  BB\n"},
        {{"A", "BB"}, {{"xxx", "y"}}, "A    BB\nxxx  y\n"},
        {{"HOST", "CPUS", "EXIT"}, {{"n1", "4", "0"}, {"node100", "128", "-"}},
         "HOST     CPUS  EXIT\nn1       4     0\nnode100  128   -\n"},
        {{"ONE"}, {{"a"}, {"longer"}}, "ONE\na\nlonger\n"},  // the last column is never padded
    };
    for (const auto& c : cases) {
        std::ostringstream out;
        print_table(out, c.header, c.rows);
        EXPECT_EQ(out.str(), c.expected);
    }
}

TEST(PrintCsvRow, QuotesOnlyWhatNeedsIt) {
    struct Case {
        Cells cells;
        std::string expected;
    };
    const Case cases[] = {
        {{"a", "b"}, "a,b\n"},
        {{"a,b"}, "\"a,b\"\n"},
        {{"say \"hi\""}, "\"say \"\"hi\"\"\"\n"},
        {{"two\nlines", "x"}, "\"two\nlines\",x\n"},
        {{"cr\r"}, "\"cr\r\"\n"},
        {{""}, "\n"},
        {{"", ""}, ",\n"},
        {{"it's; fine"}, "it's; fine\n"},
    };
    for (const auto& c : cases) {
        std::ostringstream out;
        print_csv_row(out, c.cells);
        EXPECT_EQ(out.str(), c.expected);
    }
}

/// Two rows of `perad list`: a classified job with flags, and one perad knows little about.
std::vector<JobListRow> list_rows() {
    JobListRow a;
    a.info.job_id = 7;
    a.info.user = "a,b";
    a.info.account = "proj";
    a.info.partition = "batch";
    a.info.nnodes = 2;
    a.info.total_cpus = 8;
    a.info.start_time = 1000;
    a.info.end_time = 4600;
    a.info.status = "finished";
    a.job_class = "idle";
    a.flags = {"stalled", "oversubscribed"};
    a.allocated_core_s = 28800;
    a.used_core_s = 7200;
    JobListRow b;
    b.info.job_id = 8;
    b.info.user = "bob";
    b.info.nnodes = 1;
    b.info.total_cpus = 1.5;
    b.info.status = "running";
    return {a, b};
}

TEST(PrintJobList, CsvHasTheHeaderAndADashForWhatIsUnknown) {
    std::ostringstream out;
    print_job_list(out, list_rows(), OutputFormat::Csv);
    EXPECT_EQ(out.str(),
              "JOBID,USER,ACCOUNT,PARTITION,NODES,CPUS,END,ELAPSED,STATUS,CLASS,FLAGS,CPU_EFF\n"
              "7,\"a,b\",proj,batch,2,8," + format_local_time(4600) +
                  ",1:00:00,finished,idle,\"stalled,oversubscribed\",25%\n"
                  "8,bob,,,1,1.5,-,-,running,-,-,-\n");
}

TEST(PrintJobList, TableAlignsTheSameCells) {
    std::ostringstream out;
    print_job_list(out, list_rows(), OutputFormat::Table);
    std::istringstream lines(out.str());
    std::string header, first, second, extra;
    std::getline(lines, header);
    std::getline(lines, first);
    std::getline(lines, second);
    EXPECT_FALSE(std::getline(lines, extra));
    EXPECT_EQ(header.rfind("JOBID  USER  ACCOUNT  PARTITION  NODES", 0), 0u) << header;
    EXPECT_EQ(first.rfind("7      a,b   proj     batch      2", 0), 0u) << first;
    EXPECT_EQ(header.find("CLASS"), first.find("idle")) << out.str();
    EXPECT_EQ(second.substr(second.size() - 2), " -") << second;
}

TEST(PrintJobList, JsonRowsCarryNullForTheUnknown) {
    std::ostringstream out;
    print_job_list(out, list_rows(), OutputFormat::Json);
    json a = json::parse(out.str());
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0], list_row_json(list_rows()[0]));
    EXPECT_EQ(a[0]["job_id"], 7);
    EXPECT_EQ(a[0]["class"], "idle");
    EXPECT_EQ(a[0]["flags"], (json{"stalled", "oversubscribed"}));
    EXPECT_EQ(a[0]["allocated_core_s"], 28800.0);
    EXPECT_EQ(a[0]["end_time"], 4600.0);
    EXPECT_TRUE(a[1]["class"].is_null());
    EXPECT_EQ(a[1]["flags"], json::array());
    EXPECT_TRUE(a[1]["used_core_s"].is_null());
    EXPECT_TRUE(a[1]["end_time"].is_null());
    EXPECT_TRUE(a[1]["uid"].is_null());
}

std::vector<SummaryRow> summary_rows() {
    SummaryRow a;
    a.key = "alice";
    a.jobs = 3;
    a.per_class = {{"idle", 1}, {"efficient", 2}};
    a.allocated_core_h = 16.04;
    a.used_core_h = 1;
    a.wasted_core_h = 15.04;
    a.energy_kwh = 1.234;
    a.energy_jobs = 2;  // of its 3 jobs
    SummaryRow b;
    b.jobs = 1;
    b.per_class = {{"unclassified", 1}};
    return {a, b};
}

TEST(PrintSummary, TableNamesTheGroupingAndSortsClasses) {
    std::ostringstream out;
    print_summary(out, summary_rows(), "user", OutputFormat::Table);
    EXPECT_EQ(out.str(),
              "USER       JOBS  ALLOC_CORE_H  USED_CORE_H  WASTED_CORE_H  ENERGY_KWH  ENERGY_JOBS  CLASSES\n"
              "alice      3     16.0          1.0          15.0           1.23        2            efficient:2 idle:1\n"
              "(unknown)  1     0.0           0.0          0.0            -           0            unclassified:1\n");
}

TEST(PrintSummary, CsvAndJson) {
    std::ostringstream csv;
    print_summary(csv, summary_rows(), "account", OutputFormat::Csv);
    EXPECT_EQ(csv.str(),
              "ACCOUNT,JOBS,ALLOC_CORE_H,USED_CORE_H,WASTED_CORE_H,ENERGY_KWH,ENERGY_JOBS,CLASSES\n"
              "alice,3,16.0,1.0,15.0,1.23,2,efficient:2 idle:1\n"
              "(unknown),1,0.0,0.0,0.0,-,0,unclassified:1\n");
    std::ostringstream js;
    print_summary(js, summary_rows(), "account", OutputFormat::Json);
    json a = json::parse(js.str());
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0], (json{{"account", "alice"},
                          {"jobs", 3},
                          {"per_class", {{"efficient", 2}, {"idle", 1}}},
                          {"allocated_core_hours", 16.04},
                          {"used_core_hours", 1.0},
                          {"wasted_core_hours", 15.04},
                          {"energy_kwh", 1.234},
                          {"energy_jobs", 2}}));
    EXPECT_EQ(a[1]["account"], "");
    EXPECT_TRUE(a[1]["energy_kwh"].is_null());  // not measured, not 0
    EXPECT_EQ(a[1]["energy_jobs"], 0);
}

/// A one-node job that ran for an hour on 4 cores, half busy, with one step.
JobRecord one_job() {
    JobRecord j;
    j.info.job_id = 55;
    j.info.user = "carol";
    j.info.uid = 1001;
    j.info.job_name = "sim";
    j.info.nodelist = "n1";
    j.info.nnodes = 1;
    j.info.ntasks = 4;
    j.info.total_cpus = 4;
    j.info.mem_mb = 4096;
    j.info.start_time = 1000;
    j.info.end_time = 4600;
    j.info.status = "finished";
    j.info.exit_status = 0;
    j.info.time_limit_s = 7200;
    NodeRecord n;
    n.host = "n1";
    n.cpus = 4;
    n.mem_mb = 4096;
    n.ended = true;
    n.exit_status = 0;
    n.summary = {{"first_time", 1000}, {"last_time", 4600}, {"allocated_cpus", 4}, {"cpu_seconds", 7200},
                 {"idle_fraction", 0.25}, {"memory_peak_bytes", 1073741824}};
    j.nodes.push_back(n);
    StepRecord s;
    s.host = "n1";
    s.step_id = "batch";
    s.exit_status = 0;
    j.steps.push_back(s);
    return j;
}

ClassificationRecord one_verdict() {
    ClassificationRecord v;
    v.job_id = 55;
    v.job_class = "underutilized-cpu";
    v.flags = {"memory-overrequested"};
    v.evidence = {{"underutilized-cpu", {{"cpu_efficiency", 0.5}, {"threshold", 0.6}}},
                  {"memory-overrequested", {{"peak_mb", 1024}}}};
    v.recommendations = {{"underutilized-cpu", "ask for 2 cores"}, {"memory-overrequested", "ask for 2 GB"}};
    return v;
}

TEST(PrintJob, TableShowsTheJobItsNodesStepsFeaturesAndVerdict) {
    JobRecord job = one_job();
    ClassificationRecord v = one_verdict();
    std::ostringstream out;
    print_job(out, job, compute_features(job), &v, true, "http://g/d/x?var-jobid=55", OutputFormat::Table);
    const std::string s = out.str();
    for (const char* want :
         {"Job 55  (sim)\n", "  user carol (1001)  account -  partition -\n",
          "  status finished  exit status 0  slurm state -\n",
          "  nodes n1 (1 nodes, 1 reported)  cpus 4  memory 4096 MB",
          "elapsed 1:00:00  time limit 2:00:00\n", "  dashboard http://g/d/x?var-jobid=55\n", "\nNodes\nHOST  CPUS",
          "\nSteps\nHOST  STEP   START", "  cpu_efficiency         0.5\n",
          "  gpu_util_percent       - (not measured)\n", "  gpu_memory_fraction    - (not measured)\n",
          "Class: underutilized-cpu\n",
          "    evidence: cpu_efficiency=0.5 threshold=0.6\n    advice:   ask for 2 cores\n",
          "Flags: memory-overrequested\n  memory-overrequested\n"
          "    evidence: peak_mb=1024\n    advice:   ask for 2 GB\n"})
        EXPECT_NE(s.find(want), std::string::npos) << "missing: " << want << "\n" << s;
    EXPECT_EQ(s.find("computed now"), std::string::npos);
}

TEST(PrintJob, TableSaysWhenTheVerdictIsComputedNowOrMissing) {
    JobRecord job = one_job();
    job.steps.clear();
    ClassificationRecord v = one_verdict();
    v.flags.clear();
    std::ostringstream now, none;
    print_job(now, job, compute_features(job), &v, false, "", OutputFormat::Table);
    EXPECT_NE(now.str().find("Class: underutilized-cpu  (computed now; perad has not stored a verdict)\n"),
              std::string::npos)
        << now.str();
    EXPECT_NE(now.str().find("Flags: none\n"), std::string::npos) << now.str();
    EXPECT_EQ(now.str().find("Steps"), std::string::npos);
    EXPECT_EQ(now.str().find("dashboard"), std::string::npos);
    print_job(none, job, compute_features(job), nullptr, false, "", OutputFormat::Table);
    EXPECT_EQ(none.str().substr(none.str().size() - 25), "\nClass: (not classified)\n");
}

TEST(PrintJob, SecondaryClassesFollowThePrimaryWithTheirAdvice) {
    JobRecord job = one_job();
    ClassificationRecord v = one_verdict();
    v.job_class = "idle";
    v.secondary_classes = {"underutilized-cpu", "memory-pressure"};
    v.evidence["idle"] = {{"idle_fraction", 0.95}, {"waste", {{"core_s", 1440}, {"gpu_s", 0}}}};
    v.evidence["memory-pressure"] = {{"signals", {"oom_kills"}}};
    v.recommendations["idle"] = "end idle sessions";
    v.recommendations["memory-pressure"] = "ask for more memory";
    std::ostringstream out;
    print_job(out, job, compute_features(job), &v, true, "", OutputFormat::Table);
    const std::string want =
        "Class: idle\n"
        "    evidence: idle_fraction=0.95 waste.core_s=1440 waste.gpu_s=0\n"
        "    advice:   end idle sessions\n"
        "Also: underutilized-cpu, memory-pressure\n"
        "  underutilized-cpu\n"
        "    evidence: cpu_efficiency=0.5 threshold=0.6\n"
        "    advice:   ask for 2 cores\n"
        "  memory-pressure\n"
        "    evidence: signals=[\"oom_kills\"]\n"
        "    advice:   ask for more memory\n"
        "Flags: memory-overrequested\n";
    EXPECT_NE(out.str().find(want), std::string::npos) << out.str();
    std::ostringstream js;
    print_job(js, job, compute_features(job), &v, true, "", OutputFormat::Json);
    json o = json::parse(js.str());
    EXPECT_EQ(o["secondary_classes"], (json{"underutilized-cpu", "memory-pressure"}));
    EXPECT_EQ(o["recommendations"]["memory-pressure"], "ask for more memory");
    // Without secondary classes there is no "Also" line.
    std::ostringstream plain;
    ClassificationRecord p = one_verdict();
    print_job(plain, job, compute_features(job), &p, true, "", OutputFormat::Table);
    EXPECT_EQ(plain.str().find("Also:"), std::string::npos);
}

TEST(PrintJob, JsonHoldsTheSameFacts) {
    JobRecord job = one_job();
    ClassificationRecord v = one_verdict();
    std::ostringstream out;
    print_job(out, job, compute_features(job), &v, false, "http://g/d", OutputFormat::Json);
    json o = json::parse(out.str());
    EXPECT_EQ(o["job_id"], 55);
    EXPECT_EQ(o["uid"], 1001);
    EXPECT_TRUE(o["slurm_state"].is_null());
    EXPECT_EQ(o["nodes"].size(), 1u);
    EXPECT_EQ(o["nodes"][0]["host"], "n1");
    EXPECT_EQ(o["steps"][0]["step_id"], "batch");
    EXPECT_DOUBLE_EQ(o["features"]["cpu_efficiency"].get<double>(), 0.5);
    EXPECT_EQ(o["class"], "underutilized-cpu");
    EXPECT_EQ(o["flags"], (json{"memory-overrequested"}));
    EXPECT_EQ(o["secondary_classes"], json::array());
    EXPECT_EQ(o["recommendations"], v.recommendations);
    EXPECT_EQ(o["classification_stored"], false);
    EXPECT_EQ(o["dashboard"], "http://g/d");
    std::ostringstream bare;
    print_job(bare, job, compute_features(job), nullptr, false, "", OutputFormat::Json);
    o = json::parse(bare.str());
    EXPECT_FALSE(o.contains("class"));
    EXPECT_FALSE(o.contains("classification_stored"));
    EXPECT_FALSE(o.contains("dashboard"));
}

TEST(PrintJob, EnergyLineAndColumnInKilowattHours) {
    JobRecord job = one_job();
    job.nodes[0].summary["energy_cpu_joules"] = 1.8e6;   // 500 Wh
    job.nodes[0].summary["energy_dram_joules"] = 72000;  // 20 Wh
    job.nodes[0].summary["gpu_energy_joules"] = 7.2e6;   // 2 kWh
    job.nodes[0].summary["energy_joules"] = 9.072e6;
    std::ostringstream out;
    print_job(out, job, compute_features(job), nullptr, true, "", OutputFormat::Table);
    const std::string want =
        "  energy 2.52 kWh (estimated: CPU 500 Wh, DRAM 20 Wh, GPU 2.00 kWh)\n"
        "\nNodes\n"
        "HOST  CPUS  MEM_MB  CPU_S  CORES_USED  CPU_EFF  IDLE  MEM_PEAK_MB  ENERGY    EXIT  ENDED\n"
        "n1    4     4096    7200   2.00        50%      25%   1024         2.52 kWh  0     yes\n";
    EXPECT_NE(out.str().find(want), std::string::npos) << out.str();

    std::ostringstream js;
    print_job(js, job, compute_features(job), nullptr, true, "", OutputFormat::Json);
    json o = json::parse(js.str());
    EXPECT_DOUBLE_EQ(o["features"]["energy_joules"].get<double>(), 9.072e6);
    EXPECT_DOUBLE_EQ(o["features"]["energy_gpu_joules"].get<double>(), 7.2e6);
    EXPECT_EQ(o["features"]["energy_partial"], false);
    EXPECT_DOUBLE_EQ(o["features"]["nodes"][0]["energy_joules"].get<double>(), 9.072e6);
}

TEST(PrintJob, EnergyOfSomeNodesSaysSoAndNoneSaysNotMeasured) {
    JobRecord job = one_job();
    job.info.nnodes = 2;
    job.info.nodelist = "n[1-2]";
    NodeRecord n2 = job.nodes[0];
    n2.host = "n2";
    job.nodes[0].summary["energy_cpu_joules"] = 1800.0;  // 0.5 Wh
    job.nodes[0].summary["energy_joules"] = 1800.0;
    job.nodes.push_back(n2);
    std::ostringstream out;
    print_job(out, job, compute_features(job), nullptr, true, "", OutputFormat::Table);
    EXPECT_NE(out.str().find("  energy 0.5 Wh (estimated: CPU 0.5 Wh; measured on 1 of 2 nodes)\n\nNodes\n"),
              std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("\nn2    4     4096    7200   2.00        50%      25%   1024         -       0     yes\n"),
              std::string::npos)
        << out.str();

    std::ostringstream none;
    JobRecord plain = one_job();
    print_job(none, plain, compute_features(plain), nullptr, true, "", OutputFormat::Table);
    EXPECT_NE(none.str().find("elapsed 1:00:00  time limit 2:00:00\n  energy - (not measured)\n\nNodes\n"),
              std::string::npos)
        << none.str();
}

}  // namespace
}  // namespace fructosa
