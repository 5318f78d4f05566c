#pragma once
/// lagent's side of agent authentication: a fresh MUNGE credential for every
/// connection to lmaster (a credential is single-use: lmaster refuses a replay).
/// The credential's payload is the agent's host name, so lmaster can check that the
/// host an agent claims in its Hello is the one munged vouched for.

#include <functional>
#include <string>
#include <utility>

namespace fructosa {

/// What munge_credential() gives: the credential text, or why there is none.
struct MungeCredential {
    bool ok = false;
    std::string credential;  ///< "MUNGE:...:" text, empty when !ok
    std::string error;       ///< e.g. "cannot reach munged (is it running?): ..."
};

/// Asks the local munged for a credential whose payload is `payload` (the host name).
/// `socket_path` empty: libmunge's default socket. Never throws.
MungeCredential munge_credential(const std::string& payload, const std::string& socket_path = {});

/// (auth method, credential) for the Hello, as ShipperConfig::credential wants it.
using CredentialProvider = std::function<std::pair<std::string, std::string>()>;

/// The provider for `[lmaster] auth` = `auth_method`: "none" gives {"none", ""}; "munge"
/// makes a new credential naming `host` at every call, giving {"munge", cred}. When
/// munged cannot be reached the error is logged (rate-limited, as the agent retries its
/// connection with backoff) and the credential is empty, which lmaster refuses.
CredentialProvider make_credential_provider(const std::string& auth_method, const std::string& host);

}  // namespace fructosa
