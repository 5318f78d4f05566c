#include "collector/job/task_counters.h"

#include <algorithm>

namespace fructosa {

void TaskCounters::update(std::uint32_t tid, std::uint64_t start_ticks, const Values& now,
                          std::optional<std::uint32_t> parent) {
    auto [it, fresh] = live_.try_emplace(Key{tid, start_ticks});
    Entry& e = it->second;
    e.generation = generation_;
    e.parent = parent;
    for (std::size_t c = 0; c < kCounters; ++c) {
        if (!now[c]) continue;
        measured_[c] = true;
        // A task's own counters only grow; max() keeps a torn read from taking back.
        const std::uint64_t before = e.values[c].value_or(0);
        e.values[c] = std::max(before, *now[c]);
        // set against pending figures in end(); a task's first figures are its past, not a reap
        if (!fresh) e.grown[c] += *e.values[c] - before;
    }
}

void TaskCounters::keep(std::uint32_t tid) {
    for (auto it = live_.lower_bound(Key{tid, 0}); it != live_.end() && it->first.tid == tid; ++it)
        it->second.generation = generation_;
}

TaskCounters::Entry* TaskCounters::followed_now(std::uint32_t tid) {
    for (auto it = live_.lower_bound(Key{tid, 0}); it != live_.end() && it->first.tid == tid; ++it)
        if (it->second.generation == generation_) return &it->second;
    return nullptr;
}

void TaskCounters::end() {
    for (auto it = live_.begin(); it != live_.end();) {
        if (it->second.generation == generation_) {
            ++it;
            continue;
        }
        const Entry& e = it->second;
        Entry* parent = e.parent ? followed_now(*e.parent) : nullptr;
        for (std::size_t c = 0; c < kCounters; ++c)
            (parent ? parent->pending[c] : exited_[c]) += e.values[c].value_or(0) + e.pending[c];
        it = live_.erase(it);
    }
    // After the exits: a child that exited and was reaped within one interval is pending
    // and in its parent's growth at once.
    for (auto& [key, e] : live_)
        for (std::size_t c = 0; c < kCounters; ++c) {
            e.pending[c] -= std::min(e.pending[c], e.grown[c]);
            e.grown[c] = 0;
        }
    for (std::size_t c = 0; c < kCounters; ++c) {
        std::uint64_t sum = exited_[c];
        for (const auto& [key, e] : live_) sum += e.values[c].value_or(0) + e.pending[c];
        totals_[c] = std::max(totals_[c], sum);
    }
}

std::optional<std::uint64_t> TaskCounters::total(Counter c) const {
    if (!measured_[c]) return std::nullopt;
    return totals_[c];
}

}  // namespace fructosa
