#include "master/carbon_cluster_sink.h"

#include <memory>
#include <stdexcept>

namespace fructosa {

CarbonClusterSink::CarbonClusterSink(CarbonHashRing ring, std::vector<std::unique_ptr<GraphiteSink>> members,
                                     std::size_t replication_factor, std::string prefix, std::size_t cache_entries)
    : ring_(std::move(ring)),
      members_(std::move(members)),
      replication_factor_(std::max<std::size_t>(1, replication_factor)),
      prefix_(std::move(prefix)),
      cache_entries_(std::max<std::size_t>(1, cache_entries)),
      buckets_(members_.size()) {
    if (members_.size() != ring_.destinations().size())
        throw std::invalid_argument("carbon cluster: one sink per ring destination is needed");
}

void CarbonClusterSink::start() {
    for (auto& m : members_) m->start();
}

const std::vector<std::size_t>& CarbonClusterSink::route(const std::string& path) {
    if (auto it = cache_.find(path); it != cache_.end()) return it->second;
    if (cache_.size() >= cache_entries_) cache_.clear();  // bounded: a churn of job series starts afresh
    std::string_view key = path;
    if (!prefix_.empty()) {
        key_.assign(prefix_).append(".").append(path);
        key = key_;
    }
    ring_.destinations_for(key, replication_factor_, scratch_);
    return cache_.emplace(path, scratch_).first->second;
}

void CarbonClusterSink::offer(Points&& points) {
    points_in_ += points.size();
    for (auto& p : points) {
        const auto& to = route(p.path);
        for (std::size_t i = 0; i + 1 < to.size(); ++i) buckets_[to[i]].push_back(p);
        if (!to.empty()) buckets_[to.back()].push_back(std::move(p));
    }
    for (std::size_t m = 0; m < members_.size(); ++m) {
        if (buckets_[m].empty()) continue;
        members_[m]->offer(std::move(buckets_[m]));
        buckets_[m] = Points{};
    }
}

std::vector<SinkStats> CarbonClusterSink::member_stats() const {
    std::vector<SinkStats> out;
    out.reserve(members_.size());
    for (const auto& m : members_) out.push_back(m->stats());
    return out;
}

std::vector<std::pair<std::string, SinkStats>> CarbonClusterSink::destination_stats() const {
    std::vector<std::pair<std::string, SinkStats>> out;
    for (std::size_t m = 0; m < members_.size(); ++m)
        out.emplace_back(to_string(ring_.destinations()[m]), members_[m]->stats());
    return out;
}

SinkStats CarbonClusterSink::stats() const {
    SinkStats s;
    s.points_in = points_in_;
    s.connected = true;
    for (const auto& m : member_stats()) {
        s.points_out += m.points_out;
        s.points_dropped += m.points_dropped;
        s.points_invalid += m.points_invalid;
        s.points_queued += m.points_queued;
        s.connected = s.connected && m.connected;
        s.connections_lost += m.connections_lost;
    }
    return s;
}

void CarbonClusterSink::stop(std::chrono::milliseconds grace, std::function<void()> done) {
    // Every member flushes at once; `done` runs after the last one is through.
    auto left = std::make_shared<std::size_t>(members_.size());
    auto finish = std::make_shared<std::function<void()>>(std::move(done));
    if (members_.empty()) {
        (*finish)();
        return;
    }
    for (auto& m : members_)
        m->stop(grace, [left, finish]() {
            if (--*left == 0) (*finish)();
        });
}

}  // namespace fructosa
