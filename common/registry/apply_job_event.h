#pragma once
/// Turns one lagent job event into the JobEventRecorder call it stands for.

#include <string>

#include <nlohmann/json.hpp>

#include "common/job_event.h"
#include "common/registry/job_store.h"

namespace fructosa {

/// Records `event` through `recorder`. JobRegistryError from the recorder passes through.
void apply_job_event(JobEventRecorder& recorder, const JobEvent& event);

/// Reads the JSON object of one event (job_event_from_json) and records it. Returns false
/// with `error` set when the event is malformed; JobRegistryError passes through.
bool apply_job_event(JobEventRecorder& recorder, const nlohmann::json& event, std::string& error);

}  // namespace fructosa
