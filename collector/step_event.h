#pragma once
/// The messages spank_fructosa.so sends lagent: one line of JSON per event
/// (format in README "Plugin to lagent messages"). Parsed at the edge into a plain struct.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fructosa {

struct StepEvent {
    enum class Kind { Start, End };
    Kind kind = Kind::Start;
    double time = 0;
    unsigned long job_id = 0;
    std::string step_id;  ///< "0", "1", ..., "batch", "extern", "interactive"
    unsigned uid = 0;
    std::string user, account, partition, job_name, nodelist, node;
    unsigned nnodes = 0, cpus = 0, gpus = 0, ntasks = 0, local_tasks = 0;
    unsigned long mem_mb = 0;
    std::string gpu_ids;                        ///< Slurm's GPU ids on this node ("0,1"), "" when none
    double interval = 0;                        ///< 0: the agent's default
    std::map<std::string, std::string> cgroup;  ///< controller -> path, "unified" for v2
    int exit_status = 0;                        ///< step_end only
};

/// Raised for a message that is not a valid event; the text says which field.
class StepEventError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses one line. Never crashes on any input; throws StepEventError with a reason.
StepEvent parse_step_event(std::string_view line);

}  // namespace fructosa
