#include "collector/gpu/gpu_monitor.h"

#include <algorithm>
#include <chrono>
#include <variant>

#include <fmt/format.h>

#include "collector/gpu/nvml_library.h"
#include "collector/gpu/nvml_reader.h"

namespace fructosa::gpu {

namespace {

using Clock = std::chrono::steady_clock;

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

/// Everything the worker touches, owned jointly so a detached (hung) worker never
/// outlives it.
struct GpuMonitor::Shared {
    std::mutex mutex;
    std::condition_variable wake;
    bool stop = false;
    State state = State::starting;
    std::string error;
    std::shared_ptr<const GpuSnapshot> snapshot;
    std::optional<Clock::time_point> busy_since;  ///< set while the worker is inside NVML
    std::uint64_t load_attempts = 0;
    bool exited = false;
};

void GpuMonitor::work(std::shared_ptr<Shared> sh, GpuMonitorSettings settings) {
    std::unique_ptr<NvmlLibrary> nvml;
    std::optional<NvmlReader> reader;
    auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settings.interval_s));
    auto next = Clock::now();
    for (;;) {
        {
            std::unique_lock lock(sh->mutex);
            if (sh->wake.wait_until(lock, next, [&] { return sh->stop; })) break;
            sh->busy_since = Clock::now();
        }
        next += interval;
        if (next < Clock::now()) next = Clock::now() + interval;
        State state = State::ok;
        std::string error;
        std::shared_ptr<const GpuSnapshot> snap;
        if (!nvml) {
            {
                std::lock_guard lock(sh->mutex);
                ++sh->load_attempts;
            }
            auto opened = NvmlLibrary::open(settings.library);
            if (auto* e = std::get_if<std::string>(&opened)) {
                state = State::unavailable;
                error = *e;
                auto retry = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(settings.unavailable_retry_s));
                next = std::max(next, retry);
            } else {
                nvml = std::move(std::get<0>(opened));
                reader.emplace(*nvml);
            }
        }
        if (nvml) {
            try {
                snap = std::make_shared<const GpuSnapshot>(reader->read(epoch_now()));
            } catch (const std::exception& e) {
                state = State::failed;
                error = e.what();
            }
        }
        std::lock_guard lock(sh->mutex);
        sh->busy_since.reset();
        sh->state = state;
        sh->error = error;
        if (snap) sh->snapshot = std::move(snap);
    }
    reader.reset();
    nvml.reset();  // nvmlShutdown and dlclose, on this thread like every other call
    std::lock_guard lock(sh->mutex);
    sh->exited = true;
    sh->wake.notify_all();
}

GpuMonitor::GpuMonitor(GpuMonitorSettings settings)
    : settings_(std::move(settings)), shared_(std::make_shared<Shared>()) {}

GpuMonitor::~GpuMonitor() {
    if (!worker_) return;
    std::unique_lock lock(shared_->mutex);
    shared_->stop = true;
    shared_->wake.notify_all();
    // A worker between calls stops at once; one inside a hung call gets a short grace.
    bool exited = shared_->wake.wait_for(lock, std::chrono::seconds(2), [&] { return shared_->exited; });
    lock.unlock();
    if (exited)
        worker_->join();
    else
        worker_->detach();
}

GpuMonitor::View GpuMonitor::latest() {
    if (!worker_) worker_.emplace(work, shared_, settings_);
    std::lock_guard lock(shared_->mutex);
    View v{shared_->state, shared_->snapshot, shared_->error, shared_->load_attempts};
    if (shared_->busy_since) {
        double busy = std::chrono::duration<double>(Clock::now() - *shared_->busy_since).count();
        if (busy > settings_.hang_timeout_s) {
            v.state = State::hung;
            v.error = fmt::format("an NVML call has not returned for {:.1f} s (hang timeout {:g} s): GPU figures are "
                                  "stale until it does",
                                  busy, settings_.hang_timeout_s);
        }
    }
    return v;
}

}  // namespace fructosa::gpu
