#include "common/config.h"
#include "common/logging.h"

#include <gtest/gtest.h>


using namespace fructosa;

namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Config, ReadsTheOriginalFormat) {
    auto f = IniFile::parse(
        "[lmaster]\nhost = localhost\nincoming data port = 7888\n\n"
        "[logging]\nfilename = /tmp/limon.log\nmaxBytes = 1073741824\nbackupCount = 10\nlevel = DEBUG\n"
        "# a comment\n; another\n[sensor:CPUPercent]\ntime_interval = 10\n",
        "lagent.conf");
    SectionReader m(f, "lmaster");
    EXPECT_EQ(m.get_string("host", "x"), "localhost");
    EXPECT_EQ(m.get_int("incoming data port", 1, 1, 65535), 7888);
    m.reject_unknown();
    auto log = read_log_settings(f, "/var/log/x.log");
    EXPECT_EQ(log.max_bytes, 1073741824u);
    EXPECT_EQ(log.backup_count, 10);
    EXPECT_EQ(log.level, LogLevel::Debug);
    ASSERT_NE(f.section("sensor:CPUPercent"), nullptr);
    EXPECT_EQ(f.section("sensor:CPUPercent")->line, 12);
}

TEST(Config, KeysIgnoreCaseLikeConfigparser) {
    auto f = IniFile::parse("[logging]\nMAXBYTES = 5\n", "x.conf");
    EXPECT_EQ(read_log_settings(f, "l").max_bytes, 5u);
}

TEST(Config, ErrorsNameFileLineSectionAndKey) {
    auto f = IniFile::parse("[lmaster]\nhost = a\nincoming data port = seventy\n", "/etc/fructosa/lagent.conf");
    SectionReader m(f, "lmaster");
    EXPECT_EQ(error_of([&] { m.get_int("incoming data port", 7888, 1, 65535); }),
              "/etc/fructosa/lagent.conf:3: [lmaster] incoming data port: expected an integer, got 'seventy'");
    EXPECT_NE(error_of([&] { SectionReader(f, "lmaster").get_int("incoming data port", 0, 0, 0); }), "no error");
}

TEST(Config, UnknownKeyIsRejected) {
    auto f = IniFile::parse("[lmaster]\nhost = a\nincomming data port = 1\n", "a.conf");
    SectionReader m(f, "lmaster");
    m.get_string("host", "");
    m.get_int("incoming data port", 7888, 1, 65535);
    auto e = error_of([&] { m.reject_unknown(); });
    EXPECT_NE(e.find("a.conf:3: [lmaster] incomming data port: unknown key"), std::string::npos) << e;
}

TEST(Config, SyntaxErrorsNameTheLine) {
    EXPECT_EQ(error_of([] { IniFile::parse("[a]\nx = 1\nthis line has no equals\n", "f.conf"); }),
              "f.conf:3: expected 'key = value': 'this line has no equals'");
    EXPECT_EQ(error_of([] { IniFile::parse("[a\nx = 1\n", "f.conf"); }),
              "f.conf:1: malformed section header: '[a'");
    EXPECT_EQ(error_of([] { IniFile::parse("x = 1\n[a]\n", "f.conf"); }),
              "f.conf:1: key 'x' comes before any [section]");
}

TEST(Config, BadValuesOfEachType) {
    auto f = IniFile::parse("[s]\nb = maybe\nd = 1.5x\nc = pickles\nr = 0\n", "f.conf");
    SectionReader r(f, "s");
    EXPECT_NE(error_of([&] { r.get_bool("b", true); }).find("f.conf:2: [s] b: expected yes/no"), std::string::npos);
    EXPECT_NE(error_of([&] { r.get_double("d", 1, 0, 10); }).find("f.conf:3: [s] d: expected a number"), std::string::npos);
    EXPECT_NE(error_of([&] { r.get_choice("c", "pickle", {"pickle", "plaintext"}); }).find("not one of: pickle, plaintext"), std::string::npos);
    EXPECT_NE(error_of([&] { r.get_double("r", 1, 0.01, 10); }).find("f.conf:5: [s] r: 0 is out of range"), std::string::npos);
}

TEST(Config, MissingFileIsNamed) {
    EXPECT_NE(error_of([] { IniFile::load("/nonexistent/lagent.conf"); }).find("/nonexistent/lagent.conf: cannot read"), std::string::npos);
}

// Debian's inih joins an indented line to the key above (multi-line values): `host = a`
// then `  = munge` would read as two lmasters, "a" and "= munge". No key takes such
// values, so the indented line is an error naming file, line, section and key.
TEST(Config, AnIndentedLineAfterAKeyIsAnError) {
    EXPECT_EQ(error_of([] { IniFile::parse("[lmaster]\nhost = localhost\n  = munge\nport = 1\n", "l.conf"); }),
              "l.conf:3: [lmaster] host: '  = munge' is indented, so it would continue the value of 'host' "
              "from line 2; no key takes multi-line values: remove the indentation");
    // An indented key line, a tab, and a comment or blank line in between change nothing.
    EXPECT_EQ(error_of([] { IniFile::parse("[a]\nx = 1\n# note\n\n\tport = 2\n", "f.conf"); }),
              "f.conf:5: [a] x: '\tport = 2' is indented, so it would continue the value of 'x' "
              "from line 2; no key takes multi-line values: remove the indentation");
    // An indented section header after a key would be part of the value, too.
    EXPECT_NE(error_of([] { IniFile::parse("[a]\nx = 1\n  [b]\ny = 2\n", "f.conf"); }).find("f.conf:3: [a] x: "),
              std::string::npos);
}

TEST(Config, IndentationThatContinuesNothingIsAllowed) {
    // Before the first key of a section there is no value to continue; indented comments
    // and blank lines are never values.
    auto f = IniFile::parse("[a]\n  x = 1\n  # indented comment\n   \ny = 2\n[b]\n  z = 3\n", "f.conf");
    SectionReader a(f, "a");
    EXPECT_EQ(a.get_string("x", ""), "1");
    EXPECT_EQ(a.get_string("y", ""), "2");
    EXPECT_EQ(SectionReader(f, "b").get_string("z", ""), "3");
}

TEST(Config, AValueWithoutAKeyIsAnError) {
    EXPECT_EQ(error_of([] { IniFile::parse("[lmaster]\nhost = a\n= munge\n", "l.conf"); }),
              "l.conf:3: [lmaster]: a value without a key: expected 'key = value'");
}
