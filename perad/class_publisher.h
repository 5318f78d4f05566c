#pragma once
/// Sends each new verdict to Graphite as `fructosa.perad.jobs.<jobid>.class.<class> 1 <end>`
/// (carbon's plaintext protocol), so the job dashboard can show the class next to the
/// job's series. A verdict that replaces another class (`perad reclassify` after a rule
/// change) also sends `...class.<old class> 0 <end>`, so a dashboard does not show both.
/// Best effort: a Graphite that is away costs one rate-limited log line and
/// at most the connect timeout; the verdict stays in the registry either way.

#include <string>
#include <vector>

#include "common/registry/job_records.h"
#include "common/logging.h"

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

class ClassPublisher {
public:
    explicit ClassPublisher(GraphiteTarget target) : target_(std::move(target)) {}
    void publish(const std::vector<ClassPoint>& points);

private:
    GraphiteTarget target_;
    Complaint complaint_;
};

}  // namespace fructosa
