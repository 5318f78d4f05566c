#include "master/null_sink.h"

#include "common/logging.h"

namespace fructosa {

void NullSink::start() {
    log_warning("[Graphite] send = no: points from agents are counted and dropped, not sent to Graphite");
}

void NullSink::offer(Points&& points) {
    stats_.points_in += points.size();
    stats_.points_dropped += points.size();
    points.clear();
}

void NullSink::stop(std::chrono::milliseconds, std::function<void()> done) {
    if (done) done();
}

}  // namespace fructosa
