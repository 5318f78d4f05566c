#include "master/authenticator.h"

#include <fmt/format.h>

namespace fructosa {

AuthResult NoAuth::verify(const wire::Hello& hello) {
    if (hello.auth_method == "none") return {true, {}};
    return {false, fmt::format("auth_method '{}' is not accepted by this lmaster (it accepts: none)",
                               hello.auth_method.substr(0, 64))};
}

}  // namespace fructosa
