// perad's energy figures: node energies summed into the job, the parts kept apart, a job
// where only some nodes measured energy marked partial, none at all left absent.
#include <gtest/gtest.h>

#include "perad/classifier.h"
#include "perad/features.h"

namespace fructosa {
namespace {

using json = nlohmann::json;

JobRecord job_of(std::vector<json> summaries, std::uint32_t nnodes) {
    JobRecord r;
    r.info.job_id = 7;
    r.info.status = "finished";
    r.info.start_time = 1000;
    r.info.end_time = 4600;
    r.info.nnodes = nnodes;
    for (std::size_t i = 0; i < summaries.size(); ++i) {
        NodeRecord n;
        n.host = "n" + std::to_string(i + 1);
        n.cpus = 4;
        n.ended = true;
        n.summary = summaries[i];
        r.nodes.push_back(n);
    }
    return r;
}

}  // namespace

TEST(EnergyFeatures, NodeEnergiesAddUpWithTheirParts) {
    auto f = compute_features(job_of({{{"cpu_seconds", 100}, {"energy_cpu_joules", 1000.0}, {"energy_dram_joules", 50.0},
                                       {"gpu_energy_joules", 4000.0}, {"energy_joules", 5050.0}},
                                      {{"cpu_seconds", 100}, {"energy_cpu_joules", 900.0}, {"energy_dram_joules", 40.0},
                                       {"energy_joules", 940.0}}},
                                     2));
    EXPECT_EQ(f.energy_joules, 5990.0);
    EXPECT_EQ(f.energy_cpu_joules, 1900.0);
    EXPECT_EQ(f.energy_dram_joules, 90.0);
    EXPECT_EQ(f.energy_gpu_joules, 4000.0);
    EXPECT_EQ(f.energy_nodes, 2u);
    EXPECT_FALSE(f.energy_partial);
    EXPECT_EQ(f.nodes[1].energy_joules, 940.0);
    json j = f.to_json(false);
    EXPECT_EQ(j["energy_joules"], 5990.0);
    EXPECT_EQ(j["energy_nodes"], 2);
    EXPECT_EQ(j["energy_partial"], false);
    EXPECT_EQ(f.to_json()["nodes"][0]["energy_joules"], 5050.0);
}

TEST(EnergyFeatures, ANodeWithoutEnergyMakesThePartialAndANodeNeverReportedToo) {
    auto f = compute_features(job_of({{{"cpu_seconds", 100}, {"energy_cpu_joules", 1000.0}, {"energy_joules", 1000.0}},
                                      {{"cpu_seconds", 100}}},
                                     3));  // n3 never reported
    EXPECT_EQ(f.energy_joules, 1000.0);
    EXPECT_EQ(f.energy_nodes, 1u);
    EXPECT_EQ(f.energy_nodes_of, 3u);
    EXPECT_TRUE(f.energy_partial);
    EXPECT_EQ(f.energy_dram_joules, std::nullopt);
    EXPECT_EQ(f.nodes[1].energy_joules, std::nullopt);
    EXPECT_EQ(f.to_json(false)["energy_partial"], true);
}

TEST(EnergyFeatures, NoEnergyAnywhereIsAbsentNotZero) {
    auto f = compute_features(job_of({{{"cpu_seconds", 100}}, {{"cpu_seconds", 50}}}, 2));
    EXPECT_EQ(f.energy_joules, std::nullopt);
    EXPECT_FALSE(f.energy_partial);
    json j = f.to_json();
    for (const char* key : {"energy_joules", "energy_cpu_joules", "energy_nodes", "energy_partial"})
        EXPECT_FALSE(j.contains(key)) << key;
    EXPECT_FALSE(j["nodes"][0].contains("energy_joules"));
    EXPECT_EQ(classify_job(job_of({{{"cpu_seconds", 100}}}, 1), Thresholds{}, 0).energy_joules, std::nullopt);
}

TEST(EnergyFeatures, ASummaryWithoutItsTotalIsAddedFromItsParts) {
    // The GPU figure arrived after lagent totalled the summary: the parts decide.
    auto f = compute_features(job_of({{{"energy_cpu_joules", 100.0}, {"gpu_energy_joules", 300.0}}}, 1));
    EXPECT_EQ(f.energy_joules, 400.0);
    EXPECT_EQ(f.energy_gpu_joules, 300.0);
}

TEST(EnergyFeatures, TheVerdictKeepsTheEnergyForTheSummary) {
    auto r = classify_job(job_of({{{"cpu_seconds", 100}, {"energy_joules", 7200.0}}}, 1), Thresholds{}, 0);
    EXPECT_EQ(r.energy_joules, 7200.0);
}

}  // namespace fructosa
