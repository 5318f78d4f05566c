#pragma once
/// What make_authenticator takes: `[lmaster] auth` and `allowed uids`, read by
/// lmaster_config.cpp.

#include <string>
#include <vector>

namespace fructosa {

/// How agents prove who they are.
struct AuthSettings {
    std::string method = "munge";         ///< munge or none ("none" is logged as a warning at start)
    std::vector<unsigned> allowed_uids;   ///< besides root: uids whose MUNGE credentials are accepted
};

}  // namespace fructosa
