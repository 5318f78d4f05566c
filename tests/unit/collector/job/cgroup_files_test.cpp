#include "collector/job/cgroup_files.h"

#include <gtest/gtest.h>

namespace fructosa::cgroup {
namespace {

TEST(CgroupFiles, SingleNumber) {
    EXPECT_EQ(parse_u64_file("3067904\n"), 3067904u);
    EXPECT_EQ(parse_u64_file("  18446744073709551615 \n"), 18446744073709551615ull);
    EXPECT_FALSE(parse_u64_file(""));
    EXPECT_FALSE(parse_u64_file("max\n"));
    EXPECT_FALSE(parse_u64_file("12 13\n"));
    EXPECT_FALSE(parse_u64_file("-1\n"));
}

TEST(CgroupFiles, LimitMaxAndV1NoLimit) {
    constexpr std::uint64_t unlimited = ~0ull;
    EXPECT_EQ(parse_limit_file("max\n", unlimited), unlimited);
    EXPECT_EQ(parse_limit_file("9223372036854771712\n", unlimited), unlimited);  // v1, 4 KiB pages
    EXPECT_EQ(parse_limit_file("9223372036854710272\n", unlimited), unlimited);  // v1, 64 KiB pages
    EXPECT_EQ(parse_limit_file("4294967296\n", unlimited), 4294967296u);
    EXPECT_FALSE(parse_limit_file("maximum\n", unlimited));
}

TEST(CgroupFiles, FlatKeyedSkipsOtherLines) {
    auto m = parse_flat_keyed("user 2971\nsystem 2429\nweird line here\nneg -1\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->size(), 2u);
    EXPECT_EQ(m->at("user"), 2971u);
    EXPECT_EQ(m->at("system"), 2429u);
    EXPECT_FALSE(parse_flat_keyed(""));
    EXPECT_FALSE(parse_flat_keyed("garbage\n"));
}

TEST(CgroupFiles, BlkioSumsReadAndWriteOverDevices) {
    const char* text =
        "8:0 Read 100\n8:0 Write 200\n8:0 Sync 300\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 300\n"
        "8:16 Read 5\n8:16 Write 7\n8:16 Sync 12\n8:16 Async 0\n8:16 Discard 0\n8:16 Total 12\n"
        "Total 312\n";
    EXPECT_EQ(parse_blkio(text), (IoTotals{105, 207}));
    EXPECT_EQ(parse_blkio("Total 0\n"), (IoTotals{0, 0}));  // this machine's idle root cgroup
    EXPECT_FALSE(parse_blkio(""));
    EXPECT_FALSE(parse_blkio("8:0 Read x\nTotal 0\n"));
    EXPECT_FALSE(parse_blkio("Read 5\n"));
}

TEST(CgroupFiles, IoStatSumsDevices) {
    auto s = parse_io_stat(
        "8:0 rbytes=1048576 wbytes=2097152 rios=16 wios=32 dbytes=0 dios=0\n"
        "259:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->bytes, (IoTotals{1052672, 2097152}));
    EXPECT_EQ(s->ops, (IoTotals{17, 32}));
    EXPECT_EQ(parse_io_stat(""), (IoStat{}));  // no I/O yet
    EXPECT_FALSE(parse_io_stat("8:0 rbytes=abc\n"));
    EXPECT_FALSE(parse_io_stat("rbytes=1\n"));
}

TEST(CgroupFiles, PressureSomeAndFull) {
    auto p = parse_pressure(
        "some avg10=12.50 avg60=10.00 avg300=5.00 total=1234567\n"
        "full avg10=2.25 avg60=1.00 avg300=0.50 total=234567\n");
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->some);
    ASSERT_TRUE(p->full);
    EXPECT_DOUBLE_EQ(p->some->avg10, 12.5);
    EXPECT_DOUBLE_EQ(p->some->avg300, 5.0);
    EXPECT_EQ(p->some->total_us, 1234567u);
    EXPECT_DOUBLE_EQ(p->full->avg10, 2.25);
    EXPECT_EQ(p->full->total_us, 234567u);

    auto only_some = parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=100\n");
    ASSERT_TRUE(only_some);
    EXPECT_FALSE(only_some->full);

    EXPECT_FALSE(parse_pressure(""));
    EXPECT_FALSE(parse_pressure("some avg10=1.0 total=5\n"));
    EXPECT_FALSE(parse_pressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"));  // no "some"
}

TEST(CgroupFiles, CountLines) {
    EXPECT_EQ(count_lines(""), 0u);
    EXPECT_EQ(count_lines("1\n2\n3\n"), 3u);
    EXPECT_EQ(count_lines("1\n\n2"), 2u);
}

}  // namespace
}  // namespace fructosa::cgroup
