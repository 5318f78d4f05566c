#pragma once
/// Turns one lagent job event into the JobEventRecorder call it stands for.

#include "common/job_event.h"
#include "common/registry/job_store.h"

namespace fructosa {

/// Records `event` through `recorder`. JobRegistryError from the recorder passes through.
void apply_job_event(JobEventRecorder& recorder, const JobEvent& event);

}  // namespace fructosa
