#include "perad/perad_config.h"

#include <gtest/gtest.h>

#include "common/config.h"

namespace fructosa {
namespace {

TEST(PeradConfig, ShippedExampleReadsAsDefaults) {
    PeradConfig c = load_perad_config(std::string(FIXTURE_DIR) + "/../../etc/perad.conf");
    EXPECT_EQ(c.registry.path, "/var/lib/fructosa/registry.db");
    EXPECT_DOUBLE_EQ(c.poll_interval_s, 5);
    EXPECT_TRUE(c.grafana_url.empty());
    EXPECT_TRUE(c.graphite_web_url.empty());
    EXPECT_EQ(c.thresholds.hash(), Thresholds{}.hash());
}

TEST(PeradConfig, ReadsEveryKey) {
    auto c = read_perad_config(IniFile::parse("[registry]\npath = /tmp/r.db\nbusy timeout ms = 100\n"
                                              "[perad]\npoll interval = 0.5\nbatch size = 10\n"
                                              "[grafana]\nurl = https://g.example/\n"
                                              "[graphite]\nweb url = http://127.0.0.1:8080/\n"
                                              "[rules]\nidle fraction = 0.8\nfailed states = failed, timeout\n",
                                              "t.conf"));
    EXPECT_EQ(c.registry.path, "/tmp/r.db");
    EXPECT_EQ(c.registry.busy_timeout_ms, 100);
    EXPECT_DOUBLE_EQ(c.poll_interval_s, 0.5);
    EXPECT_EQ(c.batch_size, 10u);
    EXPECT_EQ(job_dashboard_url(c.grafana_url, 42), "https://g.example/d/fructosa-job/fructosa-job?var-jobid=42");
    EXPECT_EQ(c.graphite_web_url, "http://127.0.0.1:8080");  // without the trailing '/'
    EXPECT_DOUBLE_EQ(c.thresholds.idle_fraction, 0.8);
    EXPECT_EQ(c.thresholds.failed_states, (std::vector<std::string>{"FAILED", "TIMEOUT"}));
    EXPECT_NE(c.thresholds.hash(), Thresholds{}.hash());
    EXPECT_EQ(job_dashboard_url("", 42), "");
}

TEST(PeradConfig, ErrorsNameFileLineAndKey) {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"[rules]\nidle fraction = 1.5\n", "t.conf:2"},
        {"[rules]\nidel fraction = 0.5\n", "idel fraction"},
        {"[perad]\npoll interval = 0\n", "poll interval"},
        {"[grafana]\nurl = grafana:3000\n", "url"},
        {"[registry]\npath =\n", "path"},
        {"[graphite]\nweb url = 127.0.0.1:8080\n", "t.conf:2: [graphite] web url: '127.0.0.1:8080' is not an http:// address"},
        {"[graphite]\n\nweb url = https://g\n", "t.conf:3: [graphite] web url: 'https://g' is not an http:// address"},
        {"[rulez]\nx = 1\n", "unknown section"},
    };
    for (const auto& c : cases) {
        try {
            read_perad_config(IniFile::parse(c.text, "t.conf"));
            ADD_FAILURE() << "accepted: " << c.text;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace fructosa

TEST(PeradDashboardLink, CarriesTheJobsTimeRange) {
    EXPECT_EQ(fructosa::job_dashboard_url("http://g:3000", 42, 1000.0, 2000.0),
              "http://g:3000/d/fructosa-job/fructosa-job?var-jobid=42&from=940000&to=2060000");
    EXPECT_EQ(fructosa::job_dashboard_url("http://g:3000", 42, 1000.0, std::nullopt),
              "http://g:3000/d/fructosa-job/fructosa-job?var-jobid=42&from=940000&to=now");
    EXPECT_EQ(fructosa::job_dashboard_url("", 42, 1000.0, 2000.0), "");
}
