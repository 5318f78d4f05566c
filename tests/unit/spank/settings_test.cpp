// plugstack.conf arguments and user option values (spank/settings.c).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "settings.h"

namespace fructosa {
namespace {

struct Parsed {
  fructosa_settings settings;
  int bad;
  std::string err;
};

Parsed parse(std::vector<std::string> args) {
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back(a.data());
  Parsed p{};
  char err[512];
  p.bad = fructosa_settings_parse(&p.settings, static_cast<int>(argv.size()), argv.data(), err,
                                  sizeof err);
  p.err = err;
  return p;
}

TEST(SpankSettings, Defaults) {
  auto p = parse({});
  EXPECT_EQ(p.bad, 0);
  EXPECT_EQ(p.err, "");
  EXPECT_EQ(p.settings.default_on, 0);
  EXPECT_STREQ(p.settings.socket_path, "/run/fructosa/lagent.sock");
  EXPECT_EQ(p.settings.timeout_ms, 100);
  EXPECT_EQ(p.settings.min_interval, 1.0);
  EXPECT_EQ(p.settings.interval, 10.0);
}

TEST(SpankSettings, EveryKey) {
  auto p = parse({"default=on", "socket=/tmp/x/%n.sock", "timeout_ms=250", "min_interval=0.5",
                  "interval=2"});
  EXPECT_EQ(p.bad, 0) << p.err;
  EXPECT_EQ(p.settings.default_on, 1);
  EXPECT_STREQ(p.settings.socket_path, "/tmp/x/%n.sock");
  EXPECT_EQ(p.settings.timeout_ms, 250);
  EXPECT_EQ(p.settings.min_interval, 0.5);
  EXPECT_EQ(p.settings.interval, 2.0);
  EXPECT_EQ(parse({"default=off"}).settings.default_on, 0);
}

TEST(SpankSettings, BadValuesKeepThatKeysDefaultAndAreAllReported) {
  auto p = parse({"default=maybe", "timeout_ms=abc", "socket=relative", "interval=-1",
                  "default=on"});
  EXPECT_EQ(p.bad, 4);
  EXPECT_EQ(p.settings.default_on, 1) << "good arguments still apply";
  EXPECT_EQ(p.settings.timeout_ms, 100);
  EXPECT_STREQ(p.settings.socket_path, "/run/fructosa/lagent.sock");
  EXPECT_EQ(p.settings.interval, 10.0);
  EXPECT_NE(p.err.find("'default=maybe'"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("'timeout_ms=abc'"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("'socket=relative'"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("'interval=-1'"), std::string::npos) << p.err;
}

TEST(SpankSettings, UnknownKeysAndMissingValues) {
  auto p = parse({"colour=blue", "default", "default="});
  EXPECT_EQ(p.bad, 3);
  EXPECT_NE(p.err.find("unknown argument 'colour=blue'"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("'default' (expected key=value)"), std::string::npos) << p.err;
  EXPECT_EQ(p.settings.default_on, 0) << "an empty default= does not mean on";
}

TEST(SpankSettings, TimeoutBounds) {
  EXPECT_EQ(parse({"timeout_ms=0"}).bad, 1);
  EXPECT_EQ(parse({"timeout_ms=-5"}).bad, 1);
  EXPECT_EQ(parse({"timeout_ms=10001"}).bad, 1);
  EXPECT_EQ(parse({"timeout_ms=10000"}).bad, 0);
  EXPECT_EQ(parse({"timeout_ms=1"}).settings.timeout_ms, 1);
  EXPECT_EQ(parse({"timeout_ms=99999999999999999999"}).bad, 1);
}

TEST(SpankSettings, IntervalRaisedToMinimum) {
  auto p = parse({"min_interval=5", "interval=2"});
  EXPECT_EQ(p.bad, 1);
  EXPECT_EQ(p.settings.interval, 5.0);
  EXPECT_NE(p.err.find("interval below min_interval"), std::string::npos) << p.err;
  auto q = parse({"min_interval=30"});  // default interval 10 silently follows the minimum
  EXPECT_EQ(q.bad, 0) << q.err;
  EXPECT_EQ(q.settings.interval, 30.0);
  EXPECT_EQ(parse({"min_interval=nan"}).bad, 1);
  EXPECT_EQ(parse({"interval=inf"}).bad, 1);
}

TEST(SpankSettings, ErrorTextIsBoundedAndTerminated) {
  std::vector<std::string> args(100, "unknown_key=some_long_value_here");
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back(a.data());
  fructosa_settings s;
  char err[64];
  EXPECT_EQ(fructosa_settings_parse(&s, 100, argv.data(), err, sizeof err), 100);
  EXPECT_LT(std::string(err).size(), sizeof err);
  EXPECT_EQ(fructosa_settings_parse(&s, 100, argv.data(), nullptr, 0), 100);
}

TEST(SpankSettings, SocketPathLength) {
  std::string ok = "socket=/" + std::string(FRUCTOSA_SOCKET_PATH_MAX - 2, 'a');
  std::string too_long = "socket=/" + std::string(FRUCTOSA_SOCKET_PATH_MAX - 1, 'a');
  EXPECT_EQ(parse({ok}).bad, 0);
  EXPECT_EQ(parse({too_long}).bad, 1);
}

TEST(SpankOptions, OnOff) {
  int on = -1;
  EXPECT_EQ(fructosa_parse_on_off(nullptr, &on), 0);
  EXPECT_EQ(on, 1);
  on = -1;
  EXPECT_EQ(fructosa_parse_on_off("", &on), 0);
  EXPECT_EQ(on, 1);
  EXPECT_EQ(fructosa_parse_on_off("off", &on), 0);
  EXPECT_EQ(on, 0);
  EXPECT_EQ(fructosa_parse_on_off("on", &on), 0);
  EXPECT_EQ(on, 1);
  for (const char *bad : {"bogus", "ON", "yes", "1", "on ", "o"}) {
    on = 7;
    EXPECT_EQ(fructosa_parse_on_off(bad, &on), -1) << bad;
    EXPECT_EQ(on, 7);
  }
}

TEST(SpankOptions, Interval) {
  double s = -1;
  EXPECT_EQ(fructosa_parse_interval("5", 1, &s), 0);
  EXPECT_EQ(s, 5.0);
  EXPECT_EQ(fructosa_parse_interval("2.5", 2.5, &s), 0);
  EXPECT_EQ(s, 2.5);
  for (const char *bad : {"0.5", "0", "-3", "abc", "", "5s", "nan", "inf", "1e999"}) {
    s = 42;
    EXPECT_EQ(fructosa_parse_interval(bad, 1, &s), -1) << bad;
    EXPECT_EQ(s, 42);
  }
  EXPECT_EQ(fructosa_parse_interval(nullptr, 1, &s), -1);
}

TEST(SpankSocketPath, ExpandsNodeName) {
  char out[64];
  EXPECT_EQ(fructosa_expand_socket_path("/run/fructosa/%n/lagent.sock", "n12", out, sizeof out), 0);
  EXPECT_STREQ(out, "/run/fructosa/n12/lagent.sock");
  EXPECT_EQ(fructosa_expand_socket_path("/t/%n-%n.sock", "a", out, sizeof out), 0);
  EXPECT_STREQ(out, "/t/a-a.sock");
  EXPECT_EQ(fructosa_expand_socket_path("/t/100%%/%x%", "a", out, sizeof out), 0);
  EXPECT_STREQ(out, "/t/100%/%x%");
  EXPECT_EQ(fructosa_expand_socket_path("/plain", nullptr, out, sizeof out), 0);
  EXPECT_STREQ(out, "/plain");
}

TEST(SpankSocketPath, TooLongFailsEmpty) {
  char out[10];
  EXPECT_EQ(fructosa_expand_socket_path("/123456789", "x", out, sizeof out), -1);
  EXPECT_STREQ(out, "");
  EXPECT_EQ(fructosa_expand_socket_path("/%n", "123456789", out, sizeof out), -1);
  EXPECT_EQ(fructosa_expand_socket_path("/%n", "12345678", out, sizeof out), 0);
  EXPECT_STREQ(out, "/12345678");
}

}  // namespace
}  // namespace fructosa
