#pragma once
/// How lmaster decides whether an agent's Hello is to be believed. One small
/// interface so that MUNGE (the credential service of every Slurm cluster) can be
/// added beside the trusting "none" method without touching the server.

#include <memory>
#include <string>

#include "common/wire.h"
#include "master/auth_settings.h"

namespace fructosa {

struct AuthResult {
    bool ok = false;
    std::string error;  ///< why not, sent to the agent in the Error frame
};

class Authenticator {
public:
    virtual ~Authenticator() = default;
    /// Checks `hello` (its auth_method, credential and claimed host).
    virtual AuthResult verify(const wire::Hello& hello) = 0;
};

/// Accepts every agent that says auth_method "none" (the 0.3.2 "bona fide" trust);
/// any other method is refused with a message naming what this lmaster accepts.
class NoAuth : public Authenticator {
public:
    AuthResult verify(const wire::Hello& hello) override;
};

/// The Authenticator for `[lmaster] auth`: MungeAuth (with the allowed uids) for
/// "munge", NoAuth for "none" (logged as a WARNING: any host that reaches the port can
/// then write any series). Throws std::invalid_argument for another method.
std::unique_ptr<Authenticator> make_authenticator(const AuthSettings& settings);

}  // namespace fructosa
