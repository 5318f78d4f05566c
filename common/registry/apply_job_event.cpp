#include "common/registry/apply_job_event.h"

namespace fructosa {

void apply_job_event(JobEventRecorder& recorder, const JobEvent& e) {
    switch (e.kind) {
        case JobEvent::Kind::StepStart:
            recorder.record_step_start(e.job_id, e.host, e.step_id, e.meta, e.time);
            break;
        case JobEvent::Kind::StepEnd:
            recorder.record_step_end(e.job_id, e.host, e.step_id, e.exit_status, e.summary, e.time);
            break;
        case JobEvent::Kind::JobEnd:
            recorder.record_job_end(e.job_id, e.host, e.exit_status, e.summary, e.meta, e.time, e.reason,
                                    e.reattached);
            break;
    }
}

}  // namespace fructosa
