#include "common/metric_path.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using namespace fructosa;

TEST(MetricPath, BuildersWriteEveryTree) {
    struct Case {
        std::string built, expected;
    };
    const Case cases[] = {
        {host_series_base("node001", "CPUPercent"), "node001.CPUPercent"},
        {child_path(host_series_base("node001", "CPUPercent"), "3"), "node001.CPUPercent.3"},
        {child_path(host_series_base("node001", "CPUCount"), ""), "node001.CPUCount"},
        {child_path("node001.NetIOCounters", "eth0.bytes_sent"), "node001.NetIOCounters.eth0.bytes_sent"},
        {job_root_path("42"), "jobs.42"},
        {job_series_base("42", "node001"), "jobs.42.node001"},
        {job_series_base(std::uint64_t{42}, "node001"), "jobs.42.node001"},
        {job_series_base(std::uint64_t{0}, "n"), "jobs.0.n"},
        {job_series_base(std::numeric_limits<std::uint64_t>::max(), "n"), "jobs.18446744073709551615.n"},
        {child_path(job_series_base(7, "node001"), "cpu.user_seconds"), "jobs.7.node001.cpu.user_seconds"},
        {lagent_series_base("node001"), "fructosa.lagent.node001"},
        {child_path(lagent_series_base("node001"), "points_sent"), "fructosa.lagent.node001.points_sent"},
        {lmaster_series_base("m1"), "fructosa.lmaster.m1"},
        {child_path(lmaster_series_base("m1"), "points_in"), "fructosa.lmaster.m1.points_in"},
        {perad_class_path("42", "cpu_bound"), "fructosa.perad.jobs.42.class.cpu_bound"},
        {perad_class_path(std::uint64_t{42}, "idle"), "fructosa.perad.jobs.42.class.idle"},
        // wildcards pass as they are (the dashboards' patterns); empty components are skipped
        {job_series_base("$jobid", "*"), "jobs.$jobid.*"},
        {child_path(lagent_series_base("*"), "{points_dropped,reconnects}"),
         "fructosa.lagent.*.{points_dropped,reconnects}"},
        {host_series_base("", "x"), "x"},
        {child_path("", ""), ""},
    };
    for (const auto& c : cases) EXPECT_EQ(c.built, c.expected);
}

TEST(MetricPath, TreeNamesAreReserved) {
    EXPECT_TRUE(is_tree_name("jobs"));
    EXPECT_TRUE(is_tree_name("fructosa"));
    EXPECT_FALSE(is_tree_name("lagent"));
    EXPECT_FALSE(is_tree_name("node001"));
    EXPECT_FALSE(is_tree_name("Jobs"));
}

TEST(MetricPath, ParserNamesTreeAndOwner) {
    using T = MetricTree;
    struct Case {
        std::string path;
        std::optional<PathOwner> owner;
    };
    const Case cases[] = {
        {"node001.CPUPercent.0", PathOwner{T::Host, "node001", ""}},
        {"node001.CPUCount", PathOwner{T::Host, "node001", ""}},
        {"lagent.x", PathOwner{T::Host, "lagent", ""}},
        {"jobs.42.node001.cpu.user", PathOwner{T::Job, "node001", "42"}},
        {"jobs.42.node001.x", PathOwner{T::Job, "node001", "42"}},
        {"jobs.18446744073709551615.n.x", PathOwner{T::Job, "n", "18446744073709551615"}},
        {"jobs.99999999999999999999.n.x", PathOwner{T::Job, "n", "99999999999999999999"}},
        {"fructosa.lagent.node001.points_sent", PathOwner{T::Lagent, "node001", ""}},
        {"fructosa.lmaster.m1.points_in", PathOwner{T::Lmaster, "m1", ""}},
        {"fructosa.lmaster.m1.a.b", PathOwner{T::Lmaster, "m1", ""}},
        {"fructosa.perad.jobs.42.class.cpu_bound", PathOwner{T::PeradClass, "", "42"}},
        // nothing below the host
        {"node001", std::nullopt},
        {"jobs.42.node001", std::nullopt},
        {"fructosa.lagent.node001", std::nullopt},
        {"fructosa.lmaster.m1", std::nullopt},
        // bad job ids
        {"jobs.x42.node001.cpu", std::nullopt},
        {"jobs.4 2.node001.cpu", std::nullopt},
        {"jobs.123456789012345678901.node001.cpu", std::nullopt},
        {"jobs.node001.cpu", std::nullopt},
        {"jobs", std::nullopt},
        {"fructosa.perad.jobs.x.class.idle", std::nullopt},
        // unknown branches and wrong shapes under fructosa
        {"fructosa", std::nullopt},
        {"fructosa.other.node001.x", std::nullopt},
        {"fructosa.perad.jobs.42.class", std::nullopt},
        {"fructosa.perad.jobs.42.class.idle.more", std::nullopt},
        {"fructosa.perad.jobs.42.kind.idle", std::nullopt},
        {"fructosa.perad.job.42.class.idle", std::nullopt},
        // unsafe components anywhere
        {"", std::nullopt},
        {".node001.x", std::nullopt},
        {"node001.", std::nullopt},
        {"node001..x", std::nullopt},
        {"node001.a/../../etc", std::nullopt},
        {"node001.x\nnode002.y 1 2", std::nullopt},
        {std::string("node001.x\0y", 11), std::nullopt},
        {"jobs.42.*.cpu", std::nullopt},
    };
    for (const auto& c : cases) {
        auto got = parse_metric_path(c.path);
        EXPECT_EQ(got.has_value(), c.owner.has_value()) << "'" << c.path << "'";
        if (got && c.owner) {
            EXPECT_EQ(got->tree, c.owner->tree) << "'" << c.path << "'";
            EXPECT_EQ(got->host, c.owner->host) << "'" << c.path << "'";
            EXPECT_EQ(got->job, c.owner->job) << "'" << c.path << "'";
        }
    }
}

TEST(MetricPath, EveryBuiltPathParsesBackToItsOwner) {
    using T = MetricTree;
    struct Case {
        std::string built;
        PathOwner owner;
    };
    const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
    const Case cases[] = {
        {child_path(host_series_base("node001", "CPUPercent"), "3"), {T::Host, "node001", ""}},
        {child_path(host_series_base("gpu-07", "CPUCount"), ""), {T::Host, "gpu-07", ""}},
        {child_path(host_series_base("n", "NetIOCounters"), "eth0.bytes_sent"), {T::Host, "n", ""}},
        {child_path(job_series_base(42, "node001"), "cpu.user_seconds"), {T::Job, "node001", "42"}},
        {child_path(job_series_base(big, "n"), "memory.peak"), {T::Job, "n", "18446744073709551615"}},
        {child_path(lagent_series_base("node001"), "jobs_tracked"), {T::Lagent, "node001", ""}},
        {child_path(lmaster_series_base("m1"), "points_out"), {T::Lmaster, "m1", ""}},
        {perad_class_path(42, "memory_bound"), {T::PeradClass, "", "42"}},
        {perad_class_path(big, "idle"), {T::PeradClass, "", "18446744073709551615"}},
    };
    for (const auto& c : cases) {
        auto got = parse_metric_path(c.built);
        ASSERT_TRUE(got.has_value()) << c.built;
        EXPECT_EQ(*got, c.owner) << c.built;
    }
}

TEST(MetricPath, NodeIndicesPointAtTheHostAndClass) {
    auto component = [](const std::string& path, int node) {
        std::size_t start = 0;
        for (int i = 0; i < node; ++i) start = path.find('.', start) + 1;
        return path.substr(start, path.find('.', start) - start);
    };
    EXPECT_EQ(component(child_path(host_series_base("H", "S"), "f"), kHostSeriesHostNode), "H");
    EXPECT_EQ(component(child_path(job_series_base(42, "H"), "g.f"), kJobSeriesHostNode), "H");
    EXPECT_EQ(component(child_path(job_series_base(42, "H"), "g.f"), kJobSeriesJobNode), "42");
    EXPECT_EQ(component(child_path(lagent_series_base("H"), "n"), kSelfSeriesHostNode), "H");
    EXPECT_EQ(component(child_path(lmaster_series_base("H"), "n"), kSelfSeriesHostNode), "H");
    EXPECT_EQ(component(perad_class_path(42, "C"), kPeradClassJobNode), "42");
    EXPECT_EQ(component(perad_class_path(42, "C"), kPeradClassNode), "C");
}
