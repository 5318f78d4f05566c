#include "collector/host_sampler.h"

#include <algorithm>
#include <chrono>

namespace fructosa {

double system_wall_clock() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Points readings_to_points(std::string_view base, const Readings& readings, double timestamp) {
    Points out;
    out.reserve(readings.size());
    for (const auto& r : readings) out.push_back(Point{child_path(base, r.field), timestamp, r.value});
    return out;
}

HostSampler::HostSampler(boost::asio::io_context& io, std::string host, std::vector<SensorConfig> sensors,
                         const SystemReader& reader, Sink sink, WallClock clock)
    : io_(io),
      host_(std::move(host)),
      interval_path_(child_path(lagent_series_base(host_), "sample_interval_seconds")),
      sink_(std::move(sink)),
      clock_(std::move(clock)) {
    for (auto& s : sensors) {
        auto same = std::find_if(groups_.begin(), groups_.end(),
                                 [&](const auto& g) { return g->interval_s == s.interval_s; });
        if (same == groups_.end()) {
            groups_.push_back(std::make_unique<Group>(io_, reader));
            groups_.back()->interval_s = s.interval_s;
            same = groups_.end() - 1;
        }
        Running r;
        r.base = host_series_base(host_, s.name);
        r.config = std::move(s);
        (*same)->sensors.push_back(std::move(r));
    }
    // Fastest first: its pass is the one the adaptive policy watches. Within a group the
    // sensors keep their configured order, and the groups sample in this order at start.
    std::stable_sort(groups_.begin(), groups_.end(),
                     [](const auto& a, const auto& b) { return a->interval_s < b->interval_s; });
}

double HostSampler::fastest_interval() const { return groups_.empty() ? 0 : groups_.front()->interval_s; }

std::chrono::steady_clock::duration HostSampler::effective(const Group& g) const {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(g.interval_s * factor_));
}

void HostSampler::start() {
    stopped_ = false;
    auto now = std::chrono::steady_clock::now();
    for (auto& g : groups_) {
        g->next = now;
        tick(*g);
    }
}

void HostSampler::stop() {
    stopped_ = true;
    for (auto& g : groups_) g->timer.cancel();
}

void HostSampler::set_interval_factor(double factor) {
    if (factor <= 0 || factor == factor_) return;
    factor_ = factor;
    if (stopped_) return;
    // A group that now waits longer than its new interval since its last pass samples at
    // last + new interval (or at once); one due sooner keeps its turn.
    for (auto& g : groups_) {
        auto due = g->last + effective(*g);
        if (due < g->next) {
            g->next = std::max(due, std::chrono::steady_clock::now());
            arm(*g);
        }
    }
}

void HostSampler::tick(Group& g) {
    g.last = std::chrono::steady_clock::now();
    g.pass.begin_pass();
    g.points.clear();
    for (auto& r : g.sensors) sample_once(g, r, g.points);
    bool fastest = &g == groups_.front().get();
    if (fastest && observer_) observer_(g.pass, clock_());  // may change factor_
    if (fastest && publish_interval_)
        g.points.push_back(Point{interval_path_, clock_(), g.interval_s * factor_});
    if (!g.points.empty()) {
        sink_(std::move(g.points));
        g.points = Points();
    }
    // Keep to the grid (no drift); after a long stall skip missed ticks instead of bursting.
    auto interval = effective(g);
    g.next += interval;
    if (g.next < g.last) g.next = g.last + interval;
    if (auto now = std::chrono::steady_clock::now(); g.next < now) g.next = now + interval;
    arm(g);
}

void HostSampler::arm(Group& g) {
    g.timer.expires_at(g.next);
    g.timer.async_wait([this, &g](const boost::system::error_code& ec) {
        if (!ec) tick(g);
    });
}

void HostSampler::sample_once(Group& g, Running& r, Points& out) {
    const std::string& name = r.config.name;
    double interval = g.interval_s * factor_;
    try {
        double ts = clock_();
        auto readings = r.config.sensor->sample(g.pass);
        if (!readings && r.has_read) {
            ++errors_;
            r.complaint.complain(fmt::format("sensor {}: read failed, nothing to read where it read before (tried again "
                                             "in {} s)", name, interval));
            return;
        }
        if (!readings) {
            if (!r.unavailable_reported) {
                log_info("sensor {}: not available on this machine; it stays quiet until it appears", name);
                r.unavailable_reported = true;
            }
            return;
        }
        if (r.unavailable_reported) {
            log_info("sensor {}: now available", name);
            r.unavailable_reported = false;
        }
        r.has_read = true;
        r.complaint.release(fmt::format("sensor {}: working again", name));
        out.reserve(out.size() + readings->size());
        for (const auto& reading : *readings) out.push_back(Point{child_path(r.base, reading.field), ts, reading.value});
    } catch (const std::exception& e) {
        ++errors_;
        r.complaint.complain(fmt::format("sensor {}: {} (tried again in {} s)", name, e.what(), interval));
    }
}

}  // namespace fructosa
