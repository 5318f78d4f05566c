// The verdict points perad sends to carbon: their plaintext lines, and that publish()
// delivers exactly those lines to a real listener on 127.0.0.1 (or nothing, when told so).
#include "perad/class_publisher.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/perad/carbon_listener.h"

namespace fructosa {
namespace {

using Verdicts = std::vector<ClassPoint>;

ClassificationRecord verdict(std::uint64_t job_id, const std::string& job_class) {
    ClassificationRecord r;
    r.job_id = job_id;
    r.job_class = job_class;
    return r;
}

TEST(ClassLines, PathPerJobAndClassWithValueOneAtTheEnd) {
    struct Case {
        Verdicts verdicts;
        std::string prefix;
        std::string expected;
    };
    const Case cases[] = {
        {{}, "site", ""},
        {{{verdict(42, "efficient"), 1700000000}}, "", "fructosa.perad.jobs.42.class.efficient 1 1700000000\n"},
        {{{verdict(42, "efficient"), 1700000000.999}}, "a.b",
         "a.b.fructosa.perad.jobs.42.class.efficient 1 1700000000\n"},
        {{{verdict(7, "odd class.name"), 5}}, "", "fructosa.perad.jobs.7.class.odd_class_name 1 5\n"},
        {{{verdict(18446744073709551615u, "idle"), 1}}, "",
         "fructosa.perad.jobs.18446744073709551615.class.idle 1 1\n"},
    };
    for (const auto& c : cases) EXPECT_EQ(class_lines(c.verdicts, c.prefix), c.expected) << c.expected;
}

TEST(ClassLines, AReplacedClassGetsAZeroAtTheSameTime) {
    Verdicts changed{{verdict(42, "idle"), 1700000000, "underutilized-cpu"}};
    EXPECT_EQ(class_lines(changed, "site"),
              "site.fructosa.perad.jobs.42.class.idle 1 1700000000\n"
              "site.fructosa.perad.jobs.42.class.underutilized-cpu 0 1700000000\n");
    Verdicts same{{verdict(42, "idle"), 1700000000, "idle"}};  // written again, nothing to zero
    EXPECT_EQ(class_lines(same, ""), "fructosa.perad.jobs.42.class.idle 1 1700000000\n");
}

TEST(ClassPublisher, SendsOneLinePerVerdictToCarbon) {
    test::CarbonListener carbon;
    ClassPublisher publisher({"127.0.0.1", carbon.port(), ""});
    publisher.publish({{verdict(101, "underutilized-cpu"), 1700000000.5}, {verdict(102, "efficient"), 1700000100}});
    auto got = carbon.receive();
    ASSERT_TRUE(got.has_value()) << "nothing connected";
    EXPECT_EQ(*got,
              "fructosa.perad.jobs.101.class.underutilized-cpu 1 1700000000\n"
              "fructosa.perad.jobs.102.class.efficient 1 1700000100\n");
    EXPECT_FALSE(carbon.pending(0)) << "one connection per publish";
}

TEST(ClassPublisher, PutsThePrefixFirstAndConnectsAgainForEachBatch) {
    test::CarbonListener carbon;
    ClassPublisher publisher({"localhost", carbon.port(), "site"});
    publisher.publish({{verdict(1, "idle"), 10}});
    publisher.publish({{verdict(2, "failed"), 20}});
    EXPECT_EQ(carbon.receive(), "site.fructosa.perad.jobs.1.class.idle 1 10\n");
    EXPECT_EQ(carbon.receive(), "site.fructosa.perad.jobs.2.class.failed 1 20\n");
}

TEST(ClassPublisher, NoHostOrNoVerdictsSendsNothing) {
    test::CarbonListener carbon;
    ClassPublisher off({"", carbon.port(), ""});
    off.publish({{verdict(1, "idle"), 10}});
    ClassPublisher on({"127.0.0.1", carbon.port(), ""});
    on.publish({});
    EXPECT_FALSE(carbon.pending(100));
}

TEST(ClassPublisher, AnAbsentCarbonCostsNoException) {
    int port;
    {
        test::CarbonListener gone;
        port = gone.port();
    }
    ClassPublisher publisher({"127.0.0.1", port, ""});
    EXPECT_NO_THROW(publisher.publish({{verdict(1, "idle"), 10}}));
    EXPECT_NO_THROW(publisher.publish({{verdict(1, "idle"), 10}}));  // repeated: rate-limited, still quiet
}

TEST(ClassPublisher, ClassPointsLostWhileGraphiteIsAwayAreCountedAndTheCountSentOnceItIsBack) {
    test::CarbonListener carbon(false);  // the port refuses connections: Graphite is away
    ClassPublisher publisher({"127.0.0.1", carbon.port(), "site"}, "perad.host", [] { return 1700000500.7; });
    publisher.publish({{verdict(1, "idle"), 10}, {verdict(2, "idle"), 10, "efficient"}});  // 3 points
    EXPECT_EQ(publisher.dropped(), 3u);
    publisher.publish({{verdict(3, "idle"), 10}});
    EXPECT_EQ(publisher.dropped(), 4u);
    carbon.listen();
    publisher.publish({{verdict(4, "failed"), 20}});
    EXPECT_EQ(carbon.receive(),
              "site.fructosa.perad.perad_host.class_points_dropped 4 1700000500\n"
              "site.fructosa.perad.jobs.4.class.failed 1 20\n");
    EXPECT_EQ(publisher.dropped(), 4u);
}

}  // namespace
}  // namespace fructosa

TEST(PeradClassPoints, OnePlaintextLinePerVerdictAtTheJobsEnd) {
    fructosa::ClassificationRecord a, b;
    a.job_id = 7;
    a.job_class = "idle";
    b.job_id = 8;
    b.job_class = "memory-pressure";
    EXPECT_EQ(fructosa::class_lines({{a, 1700000000.7}, {b, 1700000100.0}}, "site"),
              "site.fructosa.perad.jobs.7.class.idle 1 1700000000\n"
              "site.fructosa.perad.jobs.8.class.memory-pressure 1 1700000100\n");
}
