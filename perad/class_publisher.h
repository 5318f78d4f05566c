#pragma once
/// Sends each new verdict to Graphite as `fructosa.perad.jobs.<jobid>.class.<class> 1 <end>`
/// (carbon's plaintext protocol), so the job dashboard can show the class next to the
/// job's series. Best effort: a Graphite that is away costs one rate-limited log line and
/// at most the connect timeout; the verdict stays in the registry either way.

#include <string>
#include <utility>
#include <vector>

#include "common/registry/job_records.h"
#include "common/logging.h"

namespace fructosa {

struct GraphiteTarget {
    std::string host;     ///< empty: do not publish
    int plaintext_port = 2003;
    std::string prefix;   ///< as lmaster's [Graphite] prefix
};

/// The plaintext lines for `verdicts` (pure, for tests).
std::string class_lines(const std::vector<std::pair<ClassificationRecord, double>>& verdicts,
                        const std::string& prefix);

class ClassPublisher {
public:
    explicit ClassPublisher(GraphiteTarget target) : target_(std::move(target)) {}
    void publish(const std::vector<std::pair<ClassificationRecord, double>>& verdicts);

private:
    GraphiteTarget target_;
    Complaint complaint_;
};

}  // namespace fructosa
