#pragma once
/// Reads NVML on a worker thread of its own, one snapshot every interval, so no NVML
/// call ever runs on lagent's event loop: a hung driver stalls this thread only, while
/// the host sensors and the job tracker go on. The event loop asks latest() (never
/// blocks); while a call has been running longer than the hang timeout, the view says
/// `hung` and the last snapshot is stale.
///
/// The thread starts at the first latest() call (after lagent has daemonised) and loads
/// the library there too, since nvmlInit itself may hang.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "collector/gpu/gpu_snapshot.h"

namespace fructosa::gpu {

struct GpuMonitorSettings {
    std::string library = "libnvidia-ml.so.1";  ///< dlopen'ed; [sensor:GPU] library
    double interval_s = 10;                     ///< between snapshots
    double hang_timeout_s = 10;                 ///< a call running longer is hung
    /// Without the library or its driver, the next try to load it is this much later
    /// (at least `interval_s`): a driver rarely appears on a running node, and each try
    /// is a dlopen(3) searching the library path (most of the GPU sensor's cost at 1 s
    /// on a machine without GPUs).
    double unavailable_retry_s = 60;
};

class GpuMonitor {
public:
    enum class State {
        starting,     ///< no answer yet (library loading, first snapshot)
        unavailable,  ///< no library or no driver: `error` says why; tried again after unavailable_retry_s
        ok,           ///< `snapshot` is the newest one
        failed,       ///< the last read failed (`error`); `snapshot` is an older one, if any
        hung,         ///< an NVML call has run longer than the hang timeout; `snapshot` is stale
    };
    struct View {
        State state = State::starting;
        std::shared_ptr<const GpuSnapshot> snapshot;  ///< the newest complete one, if any
        std::string error;                            ///< unavailable, failed, hung: why
        std::uint64_t load_attempts = 0;              ///< times the library was loaded or tried
        /// True when `snapshot` may be used as current (state ok).
        bool fresh() const { return state == State::ok && snapshot != nullptr; }
    };

    explicit GpuMonitor(GpuMonitorSettings settings);
    /// Stops the thread; one stuck in a hung call is left behind (detached: it owns what it
    /// uses) rather than blocking lagent's exit.
    ~GpuMonitor();
    GpuMonitor(const GpuMonitor&) = delete;
    GpuMonitor& operator=(const GpuMonitor&) = delete;

    /// Starts the worker on the first call; never blocks on NVML.
    View latest();
    const GpuMonitorSettings& settings() const { return settings_; }

private:
    struct Shared;
    /// The worker thread's loop.
    static void work(std::shared_ptr<Shared> shared, GpuMonitorSettings settings);
    GpuMonitorSettings settings_;
    std::shared_ptr<Shared> shared_;
    std::optional<std::thread> worker_;
};

}  // namespace fructosa::gpu
