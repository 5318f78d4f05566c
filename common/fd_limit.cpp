#include "common/fd_limit.h"

#include <sys/resource.h>

#include <limits>

namespace fructosa {

std::optional<std::uint64_t> raise_fd_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return std::nullopt;
    if (lim.rlim_cur < lim.rlim_max) {
        rlimit want = lim;
        want.rlim_cur = lim.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
    }
    if (lim.rlim_cur == RLIM_INFINITY) return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(lim.rlim_cur);
}

}  // namespace fructosa
