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

std::vector<std::uint32_t> TaskCounters::known_reapers() const {
    std::vector<std::uint32_t> out;
    for (const auto& [key, r] : reapers_) out.push_back(key.tid);
    return out;
}

std::vector<std::uint32_t> TaskCounters::new_outside_parents() const {
    std::vector<std::uint32_t> out;
    for (const auto& [key, e] : live_) {
        if (e.generation != generation_ || !e.parent) continue;
        const std::uint32_t p = *e.parent;
        auto known = [p](const std::map<Key, Entry>& m) {
            auto it = m.lower_bound(Key{p, 0});
            return it != m.end() && it->first.tid == p;
        };
        if (!known(live_) && !known(reapers_) && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
    return out;
}

void TaskCounters::update_reaper(std::uint32_t pid, std::uint64_t start_ticks, const Values& now) {
    auto [it, fresh] = reapers_.try_emplace(Key{pid, start_ticks});
    Entry& e = it->second;
    e.generation = generation_;
    for (std::size_t c = 0; c < kCounters; ++c) {
        if (!now[c]) continue;
        const std::uint64_t before = e.values[c].value_or(0);
        e.values[c] = std::max(before, *now[c]);
        if (!fresh) e.grown[c] += *e.values[c] - before;  // its first figures are its past
    }
}

void TaskCounters::retire(const Entry& e, Entry* parent) {
    for (std::size_t c = 0; c < kCounters; ++c)
        (parent ? parent->pending[c] : exited_[c]) += e.values[c].value_or(0) + e.pending[c];
}

void TaskCounters::end() {
    for (auto it = live_.begin(); it != live_.end();) {
        if (it->second.generation == generation_) {
            ++it;
            continue;
        }
        const Entry& e = it->second;
        Entry* parent = e.parent ? followed_now(*e.parent) : nullptr;
        if (!parent && e.parent)
            for (auto r = reapers_.lower_bound(Key{*e.parent, 0}); r != reapers_.end() && r->first.tid == *e.parent; ++r)
                if (r->second.generation == generation_) parent = &r->second;
        retire(e, parent);
        it = live_.erase(it);
    }
    // A reaper's growth is the job's: the reaps of its tasks (whose last figures, pending,
    // it pays back) and what those tasks did after the last sample.
    for (auto it = reapers_.begin(); it != reapers_.end();) {
        Entry& r = it->second;
        bool owed = false, parent = false;
        for (std::size_t c = 0; c < kCounters; ++c) {
            const std::uint64_t paid = std::min(r.pending[c], r.grown[c]);
            r.pending[c] -= paid;
            exited_[c] += r.grown[c];
            r.grown[c] = 0;
            owed = owed || r.pending[c] > 0;
        }
        for (const auto& [key, e] : live_) parent = parent || e.parent == it->first.tid;
        if (r.generation != generation_ || (!owed && !parent)) {  // gone, or done with the job
            Entry gone;
            gone.pending = r.pending;
            retire(gone, nullptr);
            it = reapers_.erase(it);
            continue;
        }
        ++it;
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
        for (const auto& [key, r] : reapers_) sum += r.pending[c];
        totals_[c] = std::max(totals_[c], sum);
    }
}

std::optional<std::uint64_t> TaskCounters::total(Counter c) const {
    if (!measured_[c]) return std::nullopt;
    return totals_[c];
}

}  // namespace fructosa
