#include "common/metric_patterns.h"

#include <gtest/gtest.h>

#include "common/metric_path.h"

using namespace fructosa;

TEST(MetricPatterns, TargetsUnderEachPrefix) {
    struct Case {
        std::string prefix;
        std::string host, job, job_root, jobs_root, lagent, lmaster, perad_class, prefix_dot, prefix_regex;
    };
    const Case cases[] = {
        {"", "$host.CPUPercent.*", "jobs.$jobid.*.memory.current", "jobs.$jobid", "jobs",
         "fructosa.lagent.*.jobs_tracked", "fructosa.lmaster.*.{points_in,points_out}",
         "fructosa.perad.jobs.$jobid.class.*", "", ""},
        {"p", "p.$host.CPUPercent.*", "p.jobs.$jobid.*.memory.current", "p.jobs.$jobid", "p.jobs",
         "p.fructosa.lagent.*.jobs_tracked", "p.fructosa.lmaster.*.{points_in,points_out}",
         "p.fructosa.perad.jobs.$jobid.class.*", "p.", "p\\."},
        {"site.clusterB", "site.clusterB.$host.CPUPercent.*", "site.clusterB.jobs.$jobid.*.memory.current",
         "site.clusterB.jobs.$jobid", "site.clusterB.jobs", "site.clusterB.fructosa.lagent.*.jobs_tracked",
         "site.clusterB.fructosa.lmaster.*.{points_in,points_out}",
         "site.clusterB.fructosa.perad.jobs.$jobid.class.*", "site.clusterB.", "site\\.clusterB\\."},
        // leading and trailing dots are dropped
        {".a.b.", "a.b.$host.CPUPercent.*", "a.b.jobs.$jobid.*.memory.current", "a.b.jobs.$jobid", "a.b.jobs",
         "a.b.fructosa.lagent.*.jobs_tracked", "a.b.fructosa.lmaster.*.{points_in,points_out}",
         "a.b.fructosa.perad.jobs.$jobid.class.*", "a.b.", "a\\.b\\."},
        // regex metacharacters in a prefix are escaped
        {"x+y", "x+y.$host.CPUPercent.*", "x+y.jobs.$jobid.*.memory.current", "x+y.jobs.$jobid", "x+y.jobs",
         "x+y.fructosa.lagent.*.jobs_tracked", "x+y.fructosa.lmaster.*.{points_in,points_out}",
         "x+y.fructosa.perad.jobs.$jobid.class.*", "x+y.", "x\\+y\\."},
    };
    for (const auto& c : cases) {
        MetricPatterns p(c.prefix);
        EXPECT_EQ(p.host("$host", "CPUPercent.*"), c.host) << c.prefix;
        EXPECT_EQ(p.job("$jobid", "*", "memory.current"), c.job) << c.prefix;
        EXPECT_EQ(p.job_root("$jobid"), c.job_root) << c.prefix;
        EXPECT_EQ(p.jobs_root(), c.jobs_root) << c.prefix;
        EXPECT_EQ(p.lagent("*", "jobs_tracked"), c.lagent) << c.prefix;
        EXPECT_EQ(p.lmaster("*", "{points_in,points_out}"), c.lmaster) << c.prefix;
        EXPECT_EQ(p.perad_class("$jobid", "*"), c.perad_class) << c.prefix;
        EXPECT_EQ(p.prefix_dot(), c.prefix_dot) << c.prefix;
        EXPECT_EQ(p.prefix_regex(), c.prefix_regex) << c.prefix;
    }
}

TEST(MetricPatterns, NodeIndicesCountThePrefix) {
    struct Case {
        std::string prefix;
        int host, daemon_host, job_host, perad_class;
    };
    const Case cases[] = {
        {"", 0, 2, 2, 5}, {"p", 1, 3, 3, 6}, {"site.clusterB", 2, 4, 4, 7}, {".a.b.", 2, 4, 4, 7},
    };
    for (const auto& c : cases) {
        MetricPatterns p(c.prefix);
        EXPECT_EQ(p.host_node(), c.host) << c.prefix;
        EXPECT_EQ(p.daemon_host_node(), c.daemon_host) << c.prefix;
        EXPECT_EQ(p.job_host_node(), c.job_host) << c.prefix;
        EXPECT_EQ(p.perad_class_node(), c.perad_class) << c.prefix;
    }
}

TEST(MetricPatterns, WithoutPrefixATargetOfConcreteNamesIsTheRealPath) {
    MetricPatterns p("");
    EXPECT_EQ(p.host("node001", "CPUPercent.3"), child_path(host_series_base("node001", "CPUPercent"), "3"));
    EXPECT_EQ(p.job("42", "node001", "cpu.user_seconds"),
              child_path(job_series_base(42, "node001"), "cpu.user_seconds"));
    EXPECT_EQ(p.lagent("node001", "points_sent"), child_path(lagent_series_base("node001"), "points_sent"));
    EXPECT_EQ(p.lmaster("m1", "points_in"), child_path(lmaster_series_base("m1"), "points_in"));
    EXPECT_EQ(p.perad_class("42", "idle"), perad_class_path(42, "idle"));
}

TEST(MetricPatterns, PrefixedTargetsPutTheHostAtTheNodeIndex) {
    MetricPatterns p("site.clusterB");
    auto component = [](const std::string& path, int node) {
        std::size_t start = 0;
        for (int i = 0; i < node; ++i) start = path.find('.', start) + 1;
        return path.substr(start, path.find('.', start) - start);
    };
    EXPECT_EQ(component(p.host("H", "CPUPercent.0"), p.host_node()), "H");
    EXPECT_EQ(component(p.job("42", "H", "cpu.user"), p.job_host_node()), "H");
    EXPECT_EQ(component(p.lagent("H", "points_sent"), p.daemon_host_node()), "H");
    EXPECT_EQ(component(p.lmaster("H", "points_in"), p.daemon_host_node()), "H");
    EXPECT_EQ(component(p.perad_class("42", "C"), p.perad_class_node()), "C");
}
