#include "master/agent_paths.h"

#include "common/metric.h"
#include "common/metric_path.h"

namespace fructosa {

bool valid_agent_host(std::string_view host) {
    return host.size() <= 255 && component_is_safe(host) && !is_tree_name(host);
}

bool agent_may_write(std::string_view path, std::string_view host) {
    if (!valid_agent_host(host)) return false;
    std::optional<PathOwner> owner = parse_metric_path(path);
    if (!owner || owner->host != host) return false;
    return owner->tree == MetricTree::Host || owner->tree == MetricTree::Job ||
           owner->tree == MetricTree::Lagent;
}

}  // namespace fructosa
