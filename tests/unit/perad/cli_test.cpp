// perad's admin commands through the library: output, exit status, one-line errors.
#include "perad/cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/registry/job_store_factory.h"
#include "perad/classifier.h"
#include "tests/unit/common/registry/registry_test_util.h"
#include "tests/unit/perad/carbon_listener.h"

namespace fructosa {
namespace {

using test::add_finished_job;
using test::TempDir;

constexpr double kNow = 1'700'000'000;  // 2023-11-14

struct Result {
    int rc;
    std::string out, err;
};

class PeradCli : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = dir_.file("registry.db");
        auto reg = open_job_store(settings(), JobStoreMode::ReadWrite);
        add_finished_job(*reg, 101, 1, 16, kNow - 7200, 3600, 1.0 / 16, "alice");  // serial on 16 cores
        add_finished_job(*reg, 102, 2, 4, kNow - 3600, 1800, 0.95, "bob");         // efficient
        add_finished_job(*reg, 103, 1, 4, kNow - 600, 30, 0.9, "alice", 1);        // failed
        classify_pending(*reg, Thresholds{}, 100, kNow);
        conf_ = dir_.file("perad.conf");
        std::ofstream(conf_) << "[registry]\npath = " << db_ << "\n[grafana]\nurl = http://grafana:3000/\n";
    }

    RegistrySettings settings() const {
        RegistrySettings s;
        s.path = db_;
        return s;
    }

    Result run(std::vector<std::string> args) {
        std::ostringstream out, err;
        int rc = run_cli(args, out, err, kNow);
        return {rc, out.str(), err.str()};
    }

    TempDir dir_;
    std::string db_, conf_;
};

TEST_F(PeradCli, ShowPrintsEverythingAboutAJob) {
    auto r = run({"show", "101", "-c", conf_});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_TRUE(r.err.empty());
    for (const char* want : {"Job 101", "user alice (1000)", "status finished", "Nodes", "CPU_EFF", "n1", "Features",
                             "cpu_efficiency", "Class: underutilized-cpu", "serial-on-many-cores",
                             "asked for 16 cores, used 1.0 on average",
                             "dashboard http://grafana:3000/d/fructosa-job/fructosa-job?var-jobid=101"})
        EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
    auto j = run({"show", "101", "--registry", db_, "--format", "json"});
    ASSERT_EQ(j.rc, 0) << j.err;
    auto parsed = nlohmann::json::parse(j.out);
    EXPECT_EQ(parsed["class"], "underutilized-cpu");
    EXPECT_FALSE(parsed.contains("dashboard"));  // no config with a Grafana url given
}

TEST_F(PeradCli, ShowSaysWhyThereIsNoTimelineAndNoPlotDropsIt) {
    const std::string why = "perad.conf sets no [graphite] web url to read the job's series from";
    auto r = run({"show", "101", "-c", conf_});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("\nTimeline: none: " + why + "\n"), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(run({"show", "101", "-c", conf_, "--format", "json"}).out);
    EXPECT_TRUE(j["timeline"].is_null());
    EXPECT_EQ(j["timeline_unavailable"], why);
    r = run({"show", "101", "-c", conf_, "--no-plot"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out.find("Timeline"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Class: underutilized-cpu"), std::string::npos) << r.out;
    j = nlohmann::json::parse(run({"show", "101", "-c", conf_, "--no-plot", "--format", "json"}).out);
    EXPECT_FALSE(j.contains("timeline"));
    EXPECT_FALSE(j.contains("timeline_unavailable"));
    r = run({"show", "101", "-c", conf_, "--no-plot=yes"});
    EXPECT_EQ(r.rc, 2);
    EXPECT_EQ(r.err, "perad: show: --no-plot takes no value (see perad show --help)\n");
    r = run({"list", "--registry", db_, "--no-plot"});
    EXPECT_EQ(r.rc, 2);
    EXPECT_EQ(r.err, "perad: list: unknown option '--no-plot' (see perad list --help)\n");
}

TEST_F(PeradCli, UnknownJobIsOneLineAndExitOne) {
    auto r = run({"show", "999", "--registry", db_});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "perad: job 999 is not in the registry " + db_ + "\n");
    EXPECT_TRUE(r.out.empty());
}

TEST_F(PeradCli, BadArgumentsExitTwo) {
    const std::vector<std::vector<std::string>> bad{
        {"show", "abc", "--registry", db_},      {"show", "--registry", db_},
        {"list", "--since", "yesterday", "--registry", db_}, {"list", "--since", "2024-13-01", "--registry", db_},
        {"list", "--class", "slow", "--registry", db_},      {"list", "--flag", "lazy", "--registry", db_},
        {"list", "--format", "xml", "--registry", db_},      {"list", "--limit", "-3", "--registry", db_},
        {"list", "--colour", "red"},                          {"summary", "--by", "color", "--registry", db_},
        {"list", "--since", "1d", "--until", "2d", "--registry", db_}, {"list", "--user"},
    };
    for (const auto& args : bad) {
        auto r = run(args);
        EXPECT_EQ(r.rc, 2) << args[0] << " " << args[1];
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.err.rfind("perad: ", 0), 0u) << r.err;
    }
}

TEST_F(PeradCli, UnreadableRegistryExitsOne) {
    auto r = run({"list", "--registry", dir_.file("nothing.db")});
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
    std::ofstream(dir_.file("junk.db")) << "junk junk junk junk junk junk junk junk junk junk junk junk junk junk\n";
    r = run({"summary", "--registry", dir_.file("junk.db")});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    std::ofstream(dir_.file("bad.conf")) << "[rules]\nidle fraction = 2\n";
    r = run({"list", "-c", dir_.file("bad.conf")});
    EXPECT_EQ(r.rc, 2);
    EXPECT_NE(r.err.find("bad.conf:2"), std::string::npos) << r.err;
}

// A FIFO given as the registry hung `perad show` forever (SQLite blocks opening it): each
// reading command refuses it in one line. The test keeps the FIFO open for writing, so a
// regression fails here instead of hanging.
TEST_F(PeradCli, AFifoIsNotARegistry) {
    std::string fifo = dir_.file("registry.fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    int keep_open = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
    ASSERT_GE(keep_open, 0);
    for (std::vector<std::string> args : {std::vector<std::string>{"show", "101"}, {"list"}, {"summary"}}) {
        args.insert(args.end(), {"--registry", fifo});
        auto r = run(args);
        EXPECT_EQ(r.rc, 1) << args[0];
        EXPECT_EQ(r.err, "perad: cannot open job registry " + fifo + ": it is a FIFO, not a regular file\n");
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
    ::close(keep_open);
}

TEST_F(PeradCli, AMissingRegistryNamesThePathAndWhoMakesIt) {
    auto r = run({"list", "--registry", dir_.file("lib/registry.db")});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "perad: job registry " + dir_.file("lib/registry.db") +
                         " does not exist: lmaster creates it on its first start (start lmaster first, or fix "
                         "[registry] path)\n");
}

TEST_F(PeradCli, ListWithFiltersAndFormats) {
    auto r = run({"list", "--registry", db_});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_LT(r.out.find("103"), r.out.find("102"));  // latest end first
    EXPECT_LT(r.out.find("102"), r.out.find("101"));
    EXPECT_NE(r.out.find("failed"), std::string::npos);

    r = run({"list", "--registry", db_, "--user", "alice", "--format", "csv"});
    ASSERT_EQ(r.rc, 0) << r.err;
    std::istringstream lines(r.out);
    std::string header, l1, l2, extra;
    std::getline(lines, header);
    std::getline(lines, l1);
    std::getline(lines, l2);
    EXPECT_FALSE(std::getline(lines, extra));
    EXPECT_EQ(header.rfind("JOBID,USER,", 0), 0u) << header;
    EXPECT_EQ(l1.rfind("103,alice,", 0), 0u) << l1;
    EXPECT_EQ(l2.rfind("101,alice,", 0), 0u) << l2;

    r = run({"list", "--registry", db_, "--flag", "serial-on-many-cores", "--format", "json"});
    auto a = nlohmann::json::parse(r.out);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["job_id"], 101);

    r = run({"list", "--registry", db_, "--since", "50m", "--format", "json"});  // ended in the last 50 minutes
    a = nlohmann::json::parse(r.out);
    ASSERT_EQ(a.size(), 2u) << r.out;
    r = run({"list", "--registry", db_, "--limit=1", "--format", "json"});
    EXPECT_EQ(nlohmann::json::parse(r.out).size(), 1u);
    r = run({"list", "--registry", db_, "--class", "efficient", "--format", "json"});
    a = nlohmann::json::parse(r.out);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0]["job_id"], 102);
}

TEST_F(PeradCli, SummarySortedByWaste) {
    auto r = run({"summary", "--by", "user", "--registry", db_, "--format", "json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    auto a = nlohmann::json::parse(r.out);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0]["user"], "alice");  // 16 core-h allocated, 1 used (+ the short failed job)
    EXPECT_NEAR(a[0]["wasted_core_hours"].get<double>(), 15 + 4 * 30 * 0.1 / 3600, 1e-6);
    EXPECT_EQ(a[0]["per_class"]["failed"], 1);
    EXPECT_EQ(a[0]["per_class"]["underutilized-cpu"], 1);
    r = run({"summary", "--by", "class", "--registry", db_});
    ASSERT_EQ(r.rc, 0);
    EXPECT_EQ(r.out.rfind("CLASS ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("WASTED_CORE_H"), std::string::npos);
}

TEST_F(PeradCli, ReclassifyAppliesNewThresholds) {
    std::ofstream(conf_, std::ios::app) << "[rules]\nunderutilized cpu efficiency = 0.01\n";
    auto r = run({"reclassify", "-c", conf_});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("reclassified 3 jobs"), std::string::npos) << r.out;
    auto reg = open_job_store(settings(), JobStoreMode::ReadOnly);
    EXPECT_EQ(reg->load_job(101)->classification->job_class, "efficient");  // 6% is fine now
    r = run({"reclassify", "-c", conf_, "--since", "15m"});
    EXPECT_NE(r.out.find("reclassified 1 job "), std::string::npos) << r.out;
}

TEST_F(PeradCli, ReclassifySendsTheClassesToGraphiteAndZeroesAReplacedClass) {
    test::CarbonListener carbon;
    std::ofstream(conf_, std::ios::app) << "[graphite]\nhost = 127.0.0.1\ncarbon receiver plaintext port = "
                                        << carbon.port() << "\nprefix = site\n"
                                        << "[rules]\nunderutilized cpu efficiency = 0.01\n";
    auto r = run({"reclassify", "-c", conf_});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find(", classes sent to 127.0.0.1:" + std::to_string(carbon.port())), std::string::npos) << r.out;
    // One batch: every job's class written again; 101 went from underutilized-cpu to
    // efficient, so its old series gets a 0 at the same time.
    EXPECT_EQ(carbon.receive(),
              "site.fructosa.perad.jobs.101.class.efficient 1 1699996400\n"
              "site.fructosa.perad.jobs.101.class.underutilized-cpu 0 1699996400\n"
              "site.fructosa.perad.jobs.102.class.efficient 1 1699998200\n"
              "site.fructosa.perad.jobs.103.class.failed 1 1699999430\n");
    EXPECT_FALSE(carbon.pending(0));
}

TEST_F(PeradCli, HelpPerCommand) {
    for (const char* cmd : {"show", "list", "summary", "reclassify"}) {
        auto r = run({cmd, "--help"});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out.rfind(std::string("Usage: perad ") + cmd, 0), 0u) << r.out;
    }
    EXPECT_NE(cli_help().find("summary --by"), std::string::npos);
}

}  // namespace
}  // namespace fructosa
