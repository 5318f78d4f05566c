#include "master/authenticator.h"

#include <stdexcept>

#include <fmt/format.h>

#include "common/logging.h"
#include "master/munge_auth.h"

namespace fructosa {

AuthResult NoAuth::verify(const wire::Hello& hello) {
    if (hello.auth_method == "none") return {true, {}};
    return {false, fmt::format("auth_method '{}' is not accepted by this lmaster (it accepts: none)",
                               hello.auth_method.substr(0, 64))};
}

std::unique_ptr<Authenticator> make_authenticator(const AuthSettings& settings) {
    if (settings.method == "munge") {
        std::string uids;
        for (unsigned u : settings.allowed_uids) uids += fmt::format(", {}", u);
        log_info("agents authenticate with MUNGE (accepted uids: 0{})", uids);
        return std::make_unique<MungeAuth>(settings.allowed_uids);
    }
    if (settings.method == "none") {
        log_warning("[lmaster] auth = none: agents are NOT authenticated; anyone who reaches the agent port "
                    "can write metrics for any host");
        return std::make_unique<NoAuth>();
    }
    throw std::invalid_argument(fmt::format("unknown auth method '{}' (valid: munge, none)", settings.method));
}

}  // namespace fructosa
