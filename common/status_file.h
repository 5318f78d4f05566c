#pragma once
/// A daemon's own figures for `fructosad status`: at every self-metrics report the
/// daemon rewrites a small text file (atomically: a reader never sees half of it),
///   updated <epoch seconds>
///   <name> <value>          one line per figure, the last component of its series
/// An empty path writes nothing. A file that cannot be written is complained about
/// (rate-limited) and never stops the daemon.

#include <string>

#include "common/logging.h"
#include "common/metric.h"

namespace fructosa {

class StatusFile {
public:
    explicit StatusFile(std::string path) : path_(std::move(path)) {}
    /// Writes `points` (their last path component and value) with `now` as `updated`.
    void write(const Points& points, double now);
    const std::string& path() const { return path_; }

private:
    std::string path_;
    Complaint complaint_;
};

/// The file's text for `points` at `now` (what write() puts there).
std::string status_file_text(const Points& points, double now);

}  // namespace fructosa
