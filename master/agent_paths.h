#pragma once
/// What an authenticated agent may write: lmaster's check that one agent cannot
/// write another host's series (or lmaster's or perad's), whatever it sends.
///
/// An agent whose Hello names host H may write only the paths that
/// parse_metric_path (common/metric_path.h) reads as owned by H in one of lagent's trees:
///   H.<...>                       its host metrics (`node001.CPUPercent.0`)
///   jobs.<digits>.H.<...>         its share of a job (`jobs.42.node001.cpu.user`)
///   fructosa.lagent.H.<...>       lagent's metrics about itself
/// and every component of the path must be one that sanitize_component leaves as it
/// is (letters, digits and -_:+%@), so no path can climb out of carbon's data folder
/// ("..", "/") or carry bytes carbon would misread.

#include <string_view>

namespace fructosa {

/// True when `host` (as claimed in a Hello) can be one level of a metric path
/// unchanged: at most 255 bytes and component_is_safe(host); and not "jobs" or
/// "fructosa", the two top-level names of the job and self-metric trees
/// (is_tree_name: an agent calling itself "jobs" would own every job's series).
/// lmaster refuses other hosts rather than rewriting them, so two agents never
/// end up sharing one name ("a.b" and "a_b").
bool valid_agent_host(std::string_view host);

/// True when the agent of `host` (a valid_agent_host) may write `path` (see above).
bool agent_may_write(std::string_view path, std::string_view host);

}  // namespace fructosa
