#pragma once
/// Sends each new verdict to Graphite as `fructosa.perad.jobs.<jobid>.class.<class> 1 <end>`
/// (carbon's plaintext protocol), so the job dashboard can show the class next to the
/// job's series. A verdict that replaces another class (`perad reclassify` after a rule
/// change) also sends `...class.<old class> 0 <end>`, so a dashboard does not show both.
/// Best effort: a Graphite that is away costs one rate-limited log line and
/// at most the connect timeout; the verdict stays in the registry either way, but its
/// points are not sent again: they are counted as dropped, and the count (cumulative
/// since perad started) goes out with the next send that succeeds, as
/// `fructosa.perad.<host>.class_points_dropped <count> <now>`.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/registry/job_records.h"
#include "common/logging.h"
#include "common/metric.h"

namespace fructosa {

struct GraphiteTarget {
    std::string host;     ///< empty: do not publish
    int plaintext_port = 2003;
    std::string prefix;   ///< as lmaster's [Graphite] prefix
};

/// One verdict to publish.
struct ClassPoint {
    ClassificationRecord verdict;
    double end_time = 0;         ///< the job's end: the points' time
    std::string replaced_class{};  ///< the class the job had before ("" when none)
};

/// The plaintext lines for `points` (pure, for tests).
std::string class_lines(const std::vector<ClassPoint>& points, const std::string& prefix);

/// `fructosa.perad.<host>.class_points_dropped <dropped> <time>` (pure, for tests).
std::string dropped_line(const std::string& host, std::uint64_t dropped, double time, const std::string& prefix);

class ClassPublisher {
public:
    /// `self_host` names perad's own counter; `clock` gives its time (tests pass their own).
    explicit ClassPublisher(GraphiteTarget target, std::string self_host = short_hostname(),
                            std::function<double()> clock = wall_seconds);
    void publish(const std::vector<ClassPoint>& points);
    /// Class points that never reached Graphite (cumulative).
    std::uint64_t dropped() const { return dropped_; }

    static double wall_seconds();

private:
    GraphiteTarget target_;
    std::string self_host_;
    std::function<double()> clock_;
    std::uint64_t dropped_ = 0;
    Complaint complaint_;
};

}  // namespace fructosa
