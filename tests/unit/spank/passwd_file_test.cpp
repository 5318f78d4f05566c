// User name lookup in a passwd-format file without NSS (spank/passwd_file.c).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "passwd_file.h"

namespace fructosa {
namespace {

class SpankPasswdFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fructosa-passwd-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    path_ = tmpl;
    std::string text =
        "root:x:0:0:root:/root:/bin/bash\n"
        "broken line\n"
        "noid:x::1:x:/:/bin/sh\n"
        "u" + std::string(2000, 'x') + ":x:77:77::/:/bin/sh\n"
        "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
        "alice2:x:1000:1000::/home/alice2:/bin/bash\n"
        "last:x:4294967294:1::/:/bin/sh";
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
  }
  void TearDown() override { unlink(path_.c_str()); }
  std::string path_;
};

TEST_F(SpankPasswdFile, FindsFirstMatch) {
  char name[64];
  EXPECT_EQ(fructosa_passwd_name(path_.c_str(), 1000, name, sizeof name), 0);
  EXPECT_STREQ(name, "alice");
  EXPECT_EQ(fructosa_passwd_name(path_.c_str(), 0, name, sizeof name), 0);
  EXPECT_STREQ(name, "root");
  EXPECT_EQ(fructosa_passwd_name(path_.c_str(), 4294967294u, name, sizeof name), 0);
  EXPECT_STREQ(name, "last");
}

TEST_F(SpankPasswdFile, MissingUidOverlongLineAndSmallBuffer) {
  char name[64] = "junk";
  EXPECT_EQ(fructosa_passwd_name(path_.c_str(), 4242, name, sizeof name), -1);
  EXPECT_STREQ(name, "");
  EXPECT_EQ(fructosa_passwd_name(path_.c_str(), 77, name, sizeof name), -1) << "line too long";
  char tiny[5];
  EXPECT_EQ(fructosa_passwd_name(path_.c_str(), 1000, tiny, sizeof tiny), -1);
  EXPECT_EQ(fructosa_passwd_name("/nonexistent/passwd", 0, name, sizeof name), -1);
}

}  // namespace
}  // namespace fructosa
