// raise_fd_limit: the soft open-file limit goes up to the hard one.
#include "common/fd_limit.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

using namespace fructosa;

TEST(FdLimit, TheSoftLimitIsRaisedToTheHardOne) {
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = saved.rlim_max / 2;  // Linux caps the hard limit at nr_open: never infinite
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    auto got = raise_fd_limit();
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    ::setrlimit(RLIMIT_NOFILE, &saved);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(now.rlim_cur, saved.rlim_max);
    EXPECT_EQ(*got, static_cast<std::uint64_t>(saved.rlim_max));
}
