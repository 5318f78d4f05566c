#include "tests/unit/munge_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <munge.h>

#include "collector/munge_credential.h"

namespace fructosa::test {

bool munged_available() {
    if (munge_credential("probe").ok) return true;
    if (::geteuid() != 0) return false;
    // The one shared daemon tests may start (DESIGN.md "Real components in tests").
    int rc = std::system(
        "mkdir -p /run/munge && chown munge:munge /run/munge && su -s /bin/sh munge -c /usr/sbin/munged "
        ">/dev/null 2>&1");
    (void)rc;
    for (int i = 0; i < 50; ++i) {
        if (munge_credential("probe").ok) return true;
        ::usleep(100 * 1000);
    }
    return false;
}

std::string credential_of_uid(unsigned uid, const std::string& payload) {
    if (::geteuid() != 0) return {};
    int fds[2];
    if (::pipe(fds) != 0) return {};
    pid_t pid = ::fork();
    if (pid < 0) return {};
    if (pid == 0) {  // only async-signal-safe calls and exec from here
        ::dup2(fds[1], 1);
        ::close(fds[0]);
        ::close(fds[1]);
        if (::setgid(uid) != 0 || ::setuid(uid) != 0) ::_exit(126);
        ::execlp("munge", "munge", "-s", payload.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string credential_with_ttl(const std::string& payload, int ttl) {
    munge_ctx_t ctx = munge_ctx_create();
    if (!ctx) return {};
    std::string out;
    char* cred = nullptr;
    if (munge_ctx_set(ctx, MUNGE_OPT_TTL, ttl) == EMUNGE_SUCCESS &&
        munge_encode(&cred, ctx, payload.data(), static_cast<int>(payload.size())) == EMUNGE_SUCCESS)
        out = cred;
    std::free(cred);
    munge_ctx_destroy(ctx);
    return out;
}

}  // namespace fructosa::test
