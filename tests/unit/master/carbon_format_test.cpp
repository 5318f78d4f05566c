#include "master/carbon_format.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

using namespace fructosa;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// Pickle opcodes, from Python's Lib/pickle.py; the expected bytes below are built
// from this table by hand, independently of the formatter's code.
const std::string PROTO2 = "\x80\x02";
const std::string EMPTY_LIST = "]";
const std::string MARK = "(";
const std::string APPENDS = "e";
const std::string BINUNICODE = "X";  // + u32 little-endian length + UTF-8
const std::string BININT = "J";      // + i32 little-endian
const std::string BINFLOAT = "G";    // + f64 big-endian
const std::string TUPLE2 = "\x86";
const std::string STOP = ".";

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int x : b) s += static_cast<char>(x);
    return s;
}

std::string run_python(const std::string& script, const std::string& input_file) {
    std::string cmd = "/usr/bin/python3 -c '" + script + "' " + input_file + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return "popen failed";
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
}

}  // namespace

TEST(CarbonPlaintext, OneLinePerPointWithPrefixAndWholeSeconds) {
    Points pts = {
        {"node001.CPUPercent.3", 1700000000.9, 12.5},
        {"node001.VirtualMemory.total", 1700000001, 16777216000},
        {"a.b", 12, 0.1},
        {"a.neg", 13, -0.25},
        {"a.big", 14, 1e20},
        {"a.tiny", 15, 1.5e-7},
        {"a.int", 16, 100},
        {"a.pi", 17, 3.141592653589793},
    };
    auto out = format_plaintext(pts, "pre.fix");
    EXPECT_EQ(out.text,
              "pre.fix.node001.CPUPercent.3 12.5 1700000000\n"
              "pre.fix.node001.VirtualMemory.total 16777216000 1700000001\n"
              "pre.fix.a.b 0.1 12\n"
              "pre.fix.a.neg -0.25 13\n"
              "pre.fix.a.big 1e+20 14\n"
              "pre.fix.a.tiny 1.5e-07 15\n"
              "pre.fix.a.int 100 16\n"
              "pre.fix.a.pi 3.141592653589793 17\n");
    EXPECT_EQ(out.sent, 8u);
    EXPECT_EQ(out.skipped, 0u);
    EXPECT_EQ(format_plaintext(pts, "").text.substr(0, 37), "node001.CPUPercent.3 12.5 1700000000\n");
}

TEST(CarbonPlaintext, ValuesReadBackExactly) {
    for (double v : {0.1, 1.0 / 3.0, 2.0 / 3.0 * 1e-300, 123456789.123456789, -1e308, 5e-324}) {
        Points pts = {{"x", 1, v}};
        auto text = format_plaintext(pts, "").text;
        double back = std::strtod(text.c_str() + 2, nullptr);
        EXPECT_EQ(back, v) << text;
    }
}

TEST(CarbonPlaintext, SkipsAndCountsWhatCarbonCannotTake) {
    Points pts = {
        {"ok", 1, 1},
        {"nan", 1, kNaN},
        {"inf", 1, kInf},
        {"minf", 1, -kInf},
        {"ts.nan", kNaN, 1},
        {"ts.negative", -5, 1},
        {"has space", 1, 1},
        {"injected 1 2\nevil.path", 1, 1},
        {"a..b", 1, 1},
        {".a", 1, 1},
        {"a.", 1, 1},
        {"", 1, 1},
        {"caf\xc3\xa9", 1, 1},
        {"ok2", 2, 2},
    };
    auto out = format_plaintext(pts, "");
    EXPECT_EQ(out.text, "ok 1 1\nok2 2 2\n");
    EXPECT_EQ(out.sent, 2u);
    EXPECT_EQ(out.skipped, 12u);
}

TEST(CarbonPickle, OnePointByteForByte) {
    Points pts = {{"a.b", 1700000000, 1.5}};
    auto out = format_pickle(pts, "");
    ASSERT_EQ(out.messages.size(), 1u);
    std::string body = PROTO2 + EMPTY_LIST + MARK +                        //
                       BINUNICODE + bytes({3, 0, 0, 0}) + "a.b" +          // path
                       BININT + bytes({0x00, 0xf1, 0x53, 0x65}) +          // 1700000000 = 0x6553f100
                       BINFLOAT + bytes({0x3f, 0xf8, 0, 0, 0, 0, 0, 0}) +  // 1.5
                       TUPLE2 + TUPLE2 + APPENDS + STOP;
    ASSERT_EQ(body.size(), 30u);
    EXPECT_EQ(out.messages[0], bytes({0, 0, 0, 30}) + body);
    EXPECT_EQ(out.sent, 1u);
}

TEST(CarbonPickle, AFractionalTimestampIsSentExactly) {
    Points pts = {{"a.b", 1700000000.25, 1.5}};
    auto out = format_pickle(pts, "");
    ASSERT_EQ(out.messages.size(), 1u);
    std::string body = PROTO2 + EMPTY_LIST + MARK +                                     //
                       BINUNICODE + bytes({3, 0, 0, 0}) + "a.b" +                       // path
                       BINFLOAT + bytes({0x41, 0xd9, 0x54, 0xfc, 0x40, 0x10, 0, 0}) +   // 1700000000.25
                       BINFLOAT + bytes({0x3f, 0xf8, 0, 0, 0, 0, 0, 0}) +               // 1.5
                       TUPLE2 + TUPLE2 + APPENDS + STOP;
    EXPECT_EQ(out.messages[0], bytes({0, 0, 0, static_cast<std::uint8_t>(body.size())}) + body);
}

TEST(CarbonPickle, TwoPointsWithPrefixByteForByte) {
    Points pts = {{"x", 1, -2.0}, {"yz", 256, 0.0}};
    auto out = format_pickle(pts, "p");
    ASSERT_EQ(out.messages.size(), 1u);
    std::string body = PROTO2 + EMPTY_LIST + MARK +                                                   //
                       BINUNICODE + bytes({3, 0, 0, 0}) + "p.x" + BININT + bytes({1, 0, 0, 0}) +      //
                       BINFLOAT + bytes({0xc0, 0, 0, 0, 0, 0, 0, 0}) + TUPLE2 + TUPLE2 +              // -2.0
                       BINUNICODE + bytes({4, 0, 0, 0}) + "p.yz" + BININT + bytes({0, 1, 0, 0}) +     //
                       BINFLOAT + bytes({0, 0, 0, 0, 0, 0, 0, 0}) + TUPLE2 + TUPLE2 + APPENDS + STOP;  // 0.0
    EXPECT_EQ(out.messages[0], bytes({0, 0, 0, static_cast<int>(body.size())}) + body);
}

TEST(CarbonPickle, TimestampsPast2038UseBinfloat) {
    Points pts = {{"t", 4102444800.0, 1}};  // 2100-01-01
    auto out = format_pickle(pts, "");
    ASSERT_EQ(out.messages.size(), 1u);
    // 4102444800.0 = 0x41ee90cae0000000
    std::string expected_ts = BINFLOAT + bytes({0x41, 0xee, 0x90, 0xca, 0xe0, 0, 0, 0});
    EXPECT_NE(out.messages[0].find(expected_ts), std::string::npos);
}

TEST(CarbonPickle, SplitsIntoMessagesOfAtMostNPoints) {
    Points pts;
    for (int i = 0; i < 5; ++i) pts.push_back({"m" + std::to_string(i), 10.0 + i, double(i)});
    pts.insert(pts.begin() + 2, Point{"bad", 1, kNaN});
    auto out = format_pickle(pts, "", 2);
    EXPECT_EQ(out.sent, 5u);
    EXPECT_EQ(out.skipped, 1u);
    ASSERT_EQ(out.messages.size(), 3u);
    std::size_t tuples = 0;
    for (const auto& m : out.messages) {
        ASSERT_GE(m.size(), 8u);
        std::uint32_t len = (std::uint32_t(std::uint8_t(m[0])) << 24) | (std::uint32_t(std::uint8_t(m[1])) << 16) |
                            (std::uint32_t(std::uint8_t(m[2])) << 8) | std::uint32_t(std::uint8_t(m[3]));
        EXPECT_EQ(len, m.size() - 4);
        EXPECT_EQ(m.substr(4, 4), PROTO2 + EMPTY_LIST + MARK);
        EXPECT_EQ(m.substr(m.size() - 2), APPENDS + STOP);
        tuples += static_cast<std::size_t>(std::count(m.begin(), m.end(), BINUNICODE[0]));
    }
    EXPECT_EQ(tuples, 5u);
    EXPECT_TRUE(format_pickle(Points{{"only.bad", 1, kInf}}, "").messages.empty());
    EXPECT_EQ(format_pickle(pts, "").messages.size(), 1u);  // default 500 per message
}

TEST(CarbonPickle, MessagesStayUnderCarbonsLengthLimit) {
    Points pts;
    std::string long_path(1000, 'p');
    for (int i = 0; i < 2000; ++i) pts.push_back({long_path + std::to_string(i), 1, 1});
    auto out = format_pickle(pts, "", 5000);
    EXPECT_EQ(out.sent, 2000u);
    ASSERT_GE(out.messages.size(), 2u);
    for (const auto& m : out.messages) EXPECT_LE(m.size() - 4, kPickleMaxBytes);
}

TEST(CarbonPickle, PythonAndCarbonsSafeUnpicklerReadIt) {
    Points pts = {{"node001.CPUPercent.0", 1700000000, 12.5},
                  {"node001.VirtualMemory.percent", 1700000001.5, 0.1},
                  {"jobs.42.node001.cpu.user", 1700000002, -3.0},
                  {"far.future", 4102444800.0, 1e20}};
    auto out = format_pickle(pts, "pre", 3);
    ASSERT_EQ(out.messages.size(), 2u);
    auto file = std::filesystem::temp_directory_path() / ("fructosa_pickle_" + std::to_string(::getpid()));
    {
        std::ofstream f(file, std::ios::binary);
        for (const auto& m : out.messages) f << m;
    }
    // Each message: 4-byte length, then the pickle; decode with both unpicklers.
    const std::string script =
        "import pickle, struct, sys\n"
        "from carbon.util import get_unpickler\n"
        "safe = get_unpickler(insecure=False)\n"
        "d = open(sys.argv[1], \"rb\").read()\n"
        "while d:\n"
        "    n = struct.unpack(\">I\", d[:4])[0]\n"
        "    p = d[4:4 + n]\n"
        "    assert safe.loads(p) == pickle.loads(p)\n"
        "    print(repr(pickle.loads(p)))\n"
        "    d = d[4 + n:]\n";
    std::string printed = run_python(script, file.string());
    std::filesystem::remove(file);
    EXPECT_EQ(printed,
              "[('pre.node001.CPUPercent.0', (1700000000, 12.5)), "
              "('pre.node001.VirtualMemory.percent', (1700000001.5, 0.1)), "
              "('pre.jobs.42.node001.cpu.user', (1700000002, -3.0))]\n"
              "[('pre.far.future', (4102444800.0, 1e+20))]\n");
}
