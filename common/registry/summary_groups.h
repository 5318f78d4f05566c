#pragma once
/// `perad summary`'s grouping, done in memory for both stores: a GROUP BY would sort a
/// million rows first (SQLite), and one pass over the summary columns is all it needs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/registry/job_records.h"

namespace fructosa {

class SummaryGroups {
public:
    /// The group key or class of a job that has none.
    static constexpr const char* kNone = "unclassified";
    /// One job: its group key and class (kNone for none), its core-seconds and energy.
    void add(const std::string& key, const std::string& job_class, double allocated_s, double used_s,
             std::optional<double> energy_j);
    /// The groups, by wasted core-hours, largest first (then by key).
    std::vector<SummaryRow> rows();

private:
    struct Group {
        std::uint64_t jobs = 0;
        std::map<std::string, std::uint64_t> per_class;
        double allocated_s = 0, used_s = 0;
        std::optional<double> energy_j;
        std::uint64_t energy_jobs = 0;
    };
    std::unordered_map<std::string, Group> groups_;
};

}  // namespace fructosa
