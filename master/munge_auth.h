#pragma once
/// MUNGE authentication of agents: the credential in an agent's Hello is decoded by
/// the local munged (same key on every node of the cluster), and believed only when
///  - it decodes (not garbage, not made with another key),
///  - it is fresh (munged refuses expired, rewound and replayed credentials: each
///    credential opens one connection only),
///  - it was made by root or by one of the configured `allowed uids` (lagent's user),
///  - its payload is exactly the host the agent claims in its Hello, so one node's
///    credential cannot be used to write another node's series.
/// Each refusal has its own message, sent to the agent and logged by the server.

#include <string>
#include <vector>

#include "master/authenticator.h"

namespace fructosa {

class MungeAuth : public Authenticator {
public:
    /// `allowed_uids`: besides uid 0. `socket_path` empty: libmunge's default socket.
    explicit MungeAuth(std::vector<unsigned> allowed_uids, std::string socket_path = {});
    AuthResult verify(const wire::Hello& hello) override;

private:
    bool uid_allowed(unsigned uid) const;

    std::vector<unsigned> allowed_uids_;
    std::string socket_path_;
};

}  // namespace fructosa
