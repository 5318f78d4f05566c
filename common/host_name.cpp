#include "common/host_name.h"

namespace fructosa {

std::string_view short_host_name(std::string_view host) { return host.substr(0, host.find('.')); }

bool same_host(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) return false;
    return a == b || short_host_name(a) == short_host_name(b);
}

}  // namespace fructosa
