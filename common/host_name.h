#pragma once
/// Host names as Slurm, lagent's `hostname` and the registry spell them: a node may be
/// named by its full or its short name ("n1.cluster" or "n1"); both name the same node.

#include <string_view>

namespace fructosa {

/// The name up to the first dot.
std::string_view short_host_name(std::string_view host);

/// True when `a` and `b` name the same node: equal, or equal short names. An empty name
/// names no node.
bool same_host(std::string_view a, std::string_view b);

}  // namespace fructosa
