#pragma once
/// The sample model shared by every program: a metric point is a Graphite path,
/// a timestamp (epoch seconds, fractions allowed) and a value.

#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

struct Point {
    std::string path;
    double timestamp = 0;
    double value = 0;
    bool operator==(const Point&) const = default;
};

using Points = std::vector<Point>;

/// Makes `text` safe as one component of a Graphite path: dots, spaces, slashes,
/// control characters and everything else outside [A-Za-z0-9_-:+%@] become '_', so a host, job,
/// user or NIC name can never add levels to a path. Case is kept. Empty becomes "_".
std::string sanitize_component(std::string_view text);

/// True when `text` is one path component that sanitize_component leaves as it is:
/// not empty, only [A-Za-z0-9_-:+%@]. Allocates nothing (lmaster checks every point).
bool component_is_safe(std::string_view text);

/// True when every dot-separated component of `path` is component_is_safe: no empty
/// level ("a..b", ".a", "a."), nothing carbon would misread or that climbs out of its
/// data folder. Allocates nothing.
bool path_is_safe(std::string_view path);

/// The short host name (up to the first dot), as the original used in paths.
std::string short_hostname();

}  // namespace fructosa
