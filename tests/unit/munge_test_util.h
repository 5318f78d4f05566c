#pragma once
/// Helpers of the MUNGE tests: the shared munged of this machine (started the way
/// notes/virtual-cluster.md says when it is not running and we are root), and
/// credentials made by another uid.

#include <string>

namespace fructosa::test {

/// True when munged answers (starting it first if needed and possible).
bool munged_available();

/// A credential with payload `payload` made by `uid` (fork, setuid, exec munge -s):
/// empty when that failed (not root, or munge missing).
std::string credential_of_uid(unsigned uid, const std::string& payload);

/// A credential made with libmunge with a time-to-live of `ttl` seconds.
std::string credential_with_ttl(const std::string& payload, int ttl);

}  // namespace fructosa::test
