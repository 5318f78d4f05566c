// LinkWatcher: rtnetlink announcements of link and address changes, seen in a network
// namespace of the test's own (nothing else changes there; bringing its loopback up is
// a link change and two address changes).
#include "collector/link_watcher.h"
#include "collector/system_reader.h"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

using namespace fructosa;

namespace {

/// The child's exit code: 0 when everything held, else which check failed.
int watch_in_a_namespace_of_its_own() {
    if (::unshare(CLONE_NEWNET) != 0 && ::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) return 10;
    LinkWatcher w;
    auto first = w.generation();
    if (!first) return 11;
    if (w.generation() != first) return 12;  // nothing announced: the same number
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq req{};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    if (fd < 0 || ::ioctl(fd, SIOCGIFFLAGS, &req) != 0) return 13;
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    if (::ioctl(fd, SIOCSIFFLAGS, &req) != 0) return 14;
    ::close(fd);
    auto after = w.generation();
    if (!after || *after <= *first) return 15;  // lo came up: announced
    if (w.generation() != after) return 16;     // and read: quiet again
    return 0;
}

}  // namespace

TEST(LinkWatcher, ANumberThatMovesOnlyWhenTheKernelAnnouncesAChange) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) ::_exit(watch_in_a_namespace_of_its_own());
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: no network namespace of its own (needs root or user namespaces); "
                                         "11: no rtnetlink; 12: a change without one; 13/14: loopback not brought "
                                         "up; 15: its coming up not announced; 16: announced twice";
}

TEST(LinkWatcher, TheHostReaderAnswersForTheHostSensorsOnly) {
    // The host sensors' reader listens; the job tracker's (nothing kept open) does not.
    EXPECT_TRUE(HostSystemReader(true).link_generation().has_value());
    EXPECT_FALSE(HostSystemReader(false).link_generation().has_value());
}
