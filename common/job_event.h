#pragma once
/// The job event: what lagent tells lmaster about a job on its node (a step started, a
/// step ended, the job ended there), one JSON object per wire JobEvent frame. lagent
/// builds it and writes it with to_json(); lmaster reads it with job_event_from_json()
/// and applies it to the job registry. This file is the one definition of that format.
///
/// On the wire (keys of every kind: type, job_id, host, time):
///   step_start: step_id, meta
///   step_end:   step_id, exit_status, summary (only when lagent has one)
///   job_end:    reason, exit_status, reattached, summary, meta
/// meta: uid, user, account, partition, job_name, nodelist, nnodes, cpus, mem_mb, gpus,
/// ntasks, interval. summary: lagent's JobSummary::to_json() object.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace fructosa {

/// A job event that is not one: the message says what is missing or wrong.
class JobEventError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What the SPANK plugin told lagent about the job. cpus, mem_mb and gpus are this
/// node's share; everything else is the whole job's.
struct JobMeta {
    std::uint32_t uid = 0;  ///< 0 with an empty user: unknown (lagent re-attached to the job)
    std::string user, account, partition, job_name;
    std::string nodelist;  ///< Slurm's compressed list of the job's nodes; "" when unknown
    std::uint32_t nnodes = 0, cpus = 0, gpus = 0, ntasks = 0;
    std::uint64_t mem_mb = 0;
    double interval = 0;  ///< seconds between samples the job asked for; 0: lagent's default

    /// The uid, unless it is unknown (0 with an empty user: that is not root).
    std::optional<std::uint32_t> known_uid() const;
    /// Every field, always (a zero or "" means "not known").
    nlohmann::json to_json() const;
    bool operator==(const JobMeta&) const = default;
};

/// Reads a meta object leniently, as lmaster always has: a field that is absent or of
/// another type reads as 0 or "", a negative number as 0; a non-object reads as all
/// defaults. Never throws.
JobMeta job_meta_from_json(const nlohmann::json& meta);

/// One event; the members a kind does not use stay at their defaults. Every member has
/// an initializer, so a designated initializer may name only those of its kind.
struct JobEvent {
    enum class Kind { StepStart, StepEnd, JobEnd };
    Kind kind = Kind::StepStart;
    std::uint64_t job_id = 0;
    std::string host{};      ///< the sending lagent's host name, never empty
    double time = 0;         ///< epoch seconds
    std::string step_id{};   ///< StepStart, StepEnd: "0", "batch", "extern", ...
    JobMeta meta{};          ///< StepStart, JobEnd
    int exit_status = 0;     ///< StepEnd, JobEnd: the step's, or the job's worst on this node
    /// StepEnd, JobEnd: the JobSummary object; null when lagent has none (left out on the wire).
    nlohmann::json summary{};
    std::string reason{};     ///< JobEnd: "last step ended", "cgroup removed"
    bool reattached = false;  ///< JobEnd: lagent found the job already running when it started

    /// The JSON object lagent sends: the keys of this kind only.
    nlohmann::json to_json() const;
    bool operator==(const JobEvent&) const = default;
};

/// "step_start", "step_end", "job_end": the event's `type` on the wire.
const char* to_string(JobEvent::Kind kind);

/// Reads one event. Throws JobEventError when it is not an object, has no string
/// `type`, no non-negative integer `job_id`, no non-empty string `host`, no numeric
/// `time`, a step event has no `step_id`, or the type is unknown. The other fields are
/// read leniently (absent or of another type: 0, "", false, null; a non-string step_id
/// or reason reads as its JSON text), and only those of the event's kind.
JobEvent job_event_from_json(const nlohmann::json& event);

}  // namespace fructosa
