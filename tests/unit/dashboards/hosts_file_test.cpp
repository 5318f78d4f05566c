// The HOSTS file of make-fructosa-dashboard: 0.3.2's format, host lists, clear errors.
#include <gtest/gtest.h>

#include "dashboards/hosts_file.h"

namespace fructosa {
namespace {

using V = std::vector<std::string>;

TEST(HostsFile, OneHostPerLineAsInZeroThreeTwoWithCaseKept) {
    EXPECT_EQ(parse_hosts("[hosts]\nhost1\nGPU-Node7\n  node3  \n", "hosts", "h.ini"), (V{"host1", "GPU-Node7", "node3"}));
}

TEST(HostsFile, CommentsOtherSectionsKeysAndHostLists) {
    const char* text =
        "# cluster A\n[other]\nnot_me\n[hosts]\nnode[001-003] # compute\n; a comment\nlogin = login1, login2\n"
        "gpu01 =\nnode002\n";
    EXPECT_EQ(parse_hosts(text, "hosts", "h.ini"), (V{"node001", "node002", "node003", "login1", "login2", "gpu01"}));
    EXPECT_EQ(parse_hosts(text, "other", "h.ini"), (V{"not_me"}));
}

TEST(HostsFile, ErrorsNameFileAndLine) {
    try {
        parse_hosts("[hosts]\nnode1\nnode2.cluster.local\n", "hosts", "my.ini");
        FAIL() << "no error";
    } catch (const HostsFileError& e) {
        EXPECT_STREQ(e.what(), "my.ini:3: 'node2.cluster.local': use the short host name ('node2'), as lagent reports it");
    }
    try {
        parse_hosts("[hosts]\n\nnode[1-\n", "hosts", "my.ini");
        FAIL() << "no error";
    } catch (const HostsFileError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("my.ini:3: 'node[1-' is not a host name", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse_hosts("[hosts\nx\n", "hosts", "f"), HostsFileError);
    EXPECT_THROW(parse_hosts("[hosts]\nbad/name\n", "hosts", "f"), HostsFileError);
}

TEST(HostsFile, MissingOrEmptySection) {
    try {
        parse_hosts("[nodes]\nn1\n", "hosts", "f.ini");
        FAIL();
    } catch (const HostsFileError& e) {
        EXPECT_STREQ(e.what(), "f.ini: no [hosts] section");
    }
    EXPECT_THROW(parse_hosts("[hosts]\n# none\n", "hosts", "f.ini"), HostsFileError);
    EXPECT_THROW(read_hosts_file("/nonexistent/hosts.ini", "hosts"), HostsFileError);
}

}  // namespace
}  // namespace fructosa
