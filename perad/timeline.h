#pragma once
/// A job's life over time for `perad show`: per node, the series lagent wrote for the
/// job (read back from graphite-web) turned into the figures worth a picture, and those
/// pictures as one-line sparklines with min/max and a time axis.
///
/// Per node (series below `[<prefix>.]jobs.<jobid>.<host>.`):
///   cpu_efficiency_percent   cpu.efficiency_percent (0-100 %); without it
///   cpu_usage_percent        cpu.usage_percent (% of one core, scaled to its max)
///   memory_percent_of_limit  memory.current / the largest memory.limit, %; without a limit
///   memory_bytes             memory.current
///   io_bytes_per_s           io.read_bytes_per_s + io.write_bytes_per_s (a gap where either is)
///   gpu_utilization_percent  mean of gpu.<key>.util_percent (lagent's per-job GPU series) (only when present)

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/registry/job_records.h"
#include "perad/graphite_render.h"
#include "perad/sparkline.h"

namespace fructosa {

/// One figure of one node over the job's time.
struct TimelineSeries {
    std::string key;          ///< cpu_efficiency_percent, memory_bytes, ... (see above)
    std::vector<double> times;  ///< epoch s of each slot
    Samples values;           ///< one per time; nullopt = not measured
};

struct NodeTimeline {
    std::string host;
    std::vector<TimelineSeries> series;  ///< in the order above; a figure without any series is absent
    /// The mean of the measured CPU figure (efficiency, else usage): how the busiest and
    /// the idlest node of a wide job are picked.
    std::optional<double> mean_cpu() const;
};

struct JobTimeline {
    std::string source;  ///< graphite-web's address
    double from = 0, until = 0;
    std::vector<NodeTimeline> nodes;    ///< sorted by host
    std::vector<std::string> silent;    ///< the job's nodes without any series
};

/// Either a timeline or why there is none (one line for a person).
struct TimelineOutcome {
    std::optional<JobTimeline> timeline;
    std::string why_none;
};

/// Jobs with more nodes than this draw only their busiest and idlest node and a summary.
inline constexpr std::size_t kTimelineMaxNodesDrawn = 4;
/// How long `perad show` waits for graphite-web in all.
inline constexpr std::chrono::milliseconds kTimelineTimeout{2000};
/// Points asked per series (graphite-web averages neighbours beyond that).
inline constexpr int kTimelineMaxPoints = 500;

/// The render targets for a job's timeline (wildcards over hosts), `prefix.` in front when set.
std::vector<std::string> timeline_targets(std::uint64_t job_id, const std::string& prefix);

/// Groups a render answer by host and derives the figures above (pure).
JobTimeline assemble_timeline(const std::vector<RenderSeries>& series, std::uint64_t job_id,
                              const std::string& prefix);

/// Reads the timeline of `job` from graphite-web at `web_url`: from the job's start to its
/// end (`now` while it runs). Never throws: every failure becomes `why_none`.
TimelineOutcome load_timeline(const std::string& web_url, const std::string& prefix, const JobRecord& job,
                              double now, std::chrono::milliseconds timeout = kTimelineTimeout);

/// The "Timeline" section of `perad show` (pure; times in local time).
void print_timeline(std::ostream& out, const JobTimeline& t);

/// `timeline` of `perad show --format json`: {"source", "from", "until", "nodes": [{"host",
/// "series": {key: [[time, value or null], ...]}}], "silent_nodes": [...]}.
nlohmann::json timeline_json(const JobTimeline& t);

}  // namespace fructosa
