#include "collector/job/task_counters.h"

#include <algorithm>

namespace fructosa {

void TaskCounters::update(std::uint32_t tid, std::uint64_t start_ticks, const Values& now) {
    Entry& e = live_[Key{tid, start_ticks}];
    e.generation = generation_;
    for (std::size_t c = 0; c < kCounters; ++c) {
        if (!now[c]) continue;
        measured_[c] = true;
        // A thread's own counters only grow; max() keeps a torn read from taking back.
        e.values[c] = std::max(e.values[c].value_or(0), *now[c]);
    }
}

void TaskCounters::keep(std::uint32_t tid) {
    for (auto it = live_.lower_bound(Key{tid, 0}); it != live_.end() && it->first.tid == tid; ++it)
        it->second.generation = generation_;
}

void TaskCounters::retire(const Entry& e) {
    for (std::size_t c = 0; c < kCounters; ++c) exited_[c] += e.values[c].value_or(0);
}

void TaskCounters::end() {
    for (auto it = live_.begin(); it != live_.end();) {
        if (it->second.generation == generation_) {
            ++it;
            continue;
        }
        retire(it->second);
        it = live_.erase(it);
    }
}

std::optional<std::uint64_t> TaskCounters::total(Counter c) const {
    if (!measured_[c]) return std::nullopt;
    std::uint64_t sum = exited_[c];
    for (const auto& [key, e] : live_) sum += e.values[c].value_or(0);
    return sum;
}

}  // namespace fructosa
