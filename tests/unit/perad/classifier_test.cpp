// classify(): the first class rule that applies wins, every flag that applies is kept,
// and only the winners are explained.
#include "perad/classifier.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/registry/job_store_factory.h"
#include "tests/unit/common/registry/registry_test_util.h"
#include "tests/unit/perad/rule_test_util.h"

namespace fructosa {
namespace {

using test::healthy;
using test::kMB;

TEST(Rules, HealthyJobIsEfficientWithoutFlags) {
    Verdict v = classify(healthy(), Thresholds{});
    EXPECT_EQ(v.job_class, "efficient");
    EXPECT_TRUE(v.flags.empty());
    EXPECT_TRUE(v.recommendations["efficient"].is_string());
}

TEST(Rules, PrimaryClassWastesMostAndTheOthersAreSecondary) {
    using Names = std::vector<std::string>;
    JobFeatures f = healthy();
    f.cpu_efficiency = 0.1;  // underutilized (the core-seconds stay those of healthy(): 1440 unused)
    Verdict v = classify(f, {});
    EXPECT_EQ(v.job_class, "underutilized-cpu");
    EXPECT_EQ(v.secondary_classes, Names{});
    EXPECT_DOUBLE_EQ(v.evidence["underutilized-cpu"]["waste"]["core_s"].get<double>(), 1440);
    // The CPU classes waste the same core-seconds: the registry's order decides, a cause
    // (I/O, imbalance) before a symptom (idle, underutilized).
    f.idle_fraction = 0.95;
    v = classify(f, {});
    EXPECT_EQ(v.job_class, "idle");
    EXPECT_EQ(v.secondary_classes, (Names{"underutilized-cpu"}));
    f.imbalance_cv = 1;
    v = classify(f, {});
    EXPECT_EQ(v.job_class, "imbalanced");
    EXPECT_EQ(v.secondary_classes, (Names{"idle", "underutilized-cpu"}));
    f.io_rate_bytes_per_s = 500 * kMB;
    v = classify(f, {});
    EXPECT_EQ(v.job_class, "io-bound");
    EXPECT_EQ(v.secondary_classes, (Names{"imbalanced", "idle", "underutilized-cpu"}));
    // Memory pressure wastes no core-seconds: after every class that does.
    f.oom_kills = 1;
    v = classify(f, {});
    EXPECT_EQ(v.job_class, "io-bound");
    EXPECT_EQ(v.secondary_classes, (Names{"imbalanced", "idle", "underutilized-cpu", "memory-pressure"}));
    // Idle GPU-seconds come first.
    f.gpus = 1;
    f.gpu_util_percent = 1;
    v = classify(f, {});
    EXPECT_EQ(v.job_class, "gpu-idle");
    EXPECT_EQ(v.secondary_classes,
              (Names{"io-bound", "imbalanced", "idle", "underutilized-cpu", "memory-pressure"}));
    for (const auto& name : v.secondary_classes) {
        EXPECT_TRUE(v.evidence.contains(name)) << name;
        EXPECT_TRUE(v.recommendations[name].is_string()) << name;
    }
    EXPECT_FALSE(v.evidence.contains("efficient"));
    // Alone, memory pressure is the class.
    JobFeatures m = healthy();
    m.oom_kills = 1;
    EXPECT_EQ(classify(m, {}).job_class, "memory-pressure");
    // The gates say the figures cannot be judged: no secondary class.
    f.elapsed_s = 10;
    v = classify(f, {});
    EXPECT_EQ(v.job_class, "too-short");
    EXPECT_EQ(v.secondary_classes, Names{});
    f.slurm_state = "OUT_OF_MEMORY";
    v = classify(f, {});
    EXPECT_EQ(v.job_class, "failed");
    EXPECT_EQ(v.secondary_classes, Names{});
    EXPECT_TRUE(v.evidence.contains("failed"));
    EXPECT_FALSE(v.evidence.contains("too-short"));  // only the winning class is explained
}

TEST(Rules, CoresUnknownOnlyWhenNoClassWithWasteApplies) {
    JobFeatures f = healthy();
    f.cpu_efficiency.reset();
    f.allocated_core_s.reset();
    EXPECT_EQ(classify(f, {}).job_class, "cores-unknown");
    f.idle_fraction = 0.95;  // idle needs no core count
    Verdict v = classify(f, {});
    EXPECT_EQ(v.job_class, "idle");
    EXPECT_TRUE(v.secondary_classes.empty());
    EXPECT_FALSE(v.evidence.contains("cores-unknown"));
}

TEST(Rules, FlagsAccompanyTheClass) {
    JobFeatures f = healthy();
    f.allocated_cpus = f.nodes[0].cpus = 16;
    f.mean_cores_used = f.nodes[0].cores_used = 1;
    f.cpu_efficiency = f.nodes[0].cpu_efficiency = 1.0 / 16;
    f.time_limit_s = 86400;
    f.walltime_fraction = 3600.0 / 86400;
    Verdict v = classify(f, {});
    EXPECT_EQ(v.job_class, "underutilized-cpu");
    EXPECT_EQ(v.flags, (std::vector<std::string>{"walltime-overrequested", "serial-on-many-cores"}));
    for (const auto& name : {"underutilized-cpu", "walltime-overrequested", "serial-on-many-cores"}) {
        EXPECT_TRUE(v.evidence[name].is_object()) << name;
        EXPECT_TRUE(v.recommendations[name].is_string()) << name;
    }
}

/// A rule that applies or not as told, and counts how often it was asked.
class FakeRule : public Rule {
public:
    FakeRule(std::string name, bool applies, int* asked) : name_(std::move(name)), applies_(applies), asked_(asked) {}
    std::string_view name() const override { return name_; }
    std::optional<Finding> evaluate(const JobFeatures&, const Thresholds&) const override {
        ++*asked_;
        if (!applies_) return std::nullopt;
        return Finding{{{"rule", name_}}, "advice of " + name_};
    }

private:
    std::string name_;
    bool applies_;
    int* asked_;
};

TEST(Classify, FirstApplyingClassWinsAndLaterClassesAreNotAsked) {
    int asked[5] = {};
    RuleSet rules;
    rules.classes.push_back(std::make_unique<FakeRule>("a", false, &asked[0]));
    rules.classes.push_back(std::make_unique<FakeRule>("b", true, &asked[1]));
    rules.classes.push_back(std::make_unique<FakeRule>("c", true, &asked[2]));
    rules.flags.push_back(std::make_unique<FakeRule>("x", true, &asked[3]));
    rules.flags.push_back(std::make_unique<FakeRule>("y", false, &asked[4]));
    Verdict v = classify(JobFeatures{}, Thresholds{}, rules);
    EXPECT_EQ(v.job_class, "b");
    EXPECT_EQ(v.flags, std::vector<std::string>{"x"});
    EXPECT_EQ(v.evidence, (nlohmann::json{{"b", {{"rule", "b"}}}, {"x", {{"rule", "x"}}}}));
    EXPECT_EQ(v.recommendations, (nlohmann::json{{"b", "advice of b"}, {"x", "advice of x"}}));
    EXPECT_EQ((std::vector<int>(asked, asked + 5)), (std::vector<int>{1, 1, 0, 1, 1}));
}

TEST(Classify, NoApplyingClassLeavesTheClassEmpty) {
    int asked = 0;
    RuleSet rules;
    rules.classes.push_back(std::make_unique<FakeRule>("a", false, &asked));
    Verdict v = classify(JobFeatures{}, Thresholds{}, rules);
    EXPECT_EQ(v.job_class, "");
    EXPECT_TRUE(v.flags.empty());
    EXPECT_TRUE(v.evidence.empty());
}

constexpr double kNow = 1'700'000'000;

class ClassifyRegistry : public ::testing::Test {
protected:
    void SetUp() override {
        RegistrySettings s;
        s.path = dir_.file("registry.db");
        reg_ = open_job_store(s, JobStoreMode::ReadWrite);
        test::add_finished_job(*reg_, 101, 1, 16, kNow - 7200, 3600, 1.0 / 16);  // ends kNow - 3600
        test::add_finished_job(*reg_, 102, 2, 4, kNow - 3600, 1800, 0.95);       // ends kNow - 1800
        test::add_finished_job(*reg_, 103, 1, 4, kNow - 600, 30, 0.9, "bob", 1);  // ends kNow - 570
    }
    std::string class_of(std::uint64_t id) {
        auto job = reg_->load_job(id);
        return job && job->classification ? job->classification->job_class : "(none)";
    }

    test::TempDir dir_;
    std::unique_ptr<JobStore> reg_;
};

TEST_F(ClassifyRegistry, ClassifyJobFillsTheRecord) {
    Thresholds t;
    ClassificationRecord r = classify_job(*reg_->load_job(101), t, kNow);
    EXPECT_EQ(r.job_id, 101u);
    EXPECT_EQ(r.job_class, "underutilized-cpu");
    EXPECT_EQ(r.flags, (std::vector<std::string>{"memory-overrequested", "serial-on-many-cores"}));  // 100 of 4096 MB
    EXPECT_DOUBLE_EQ(r.classified_at, kNow);
    EXPECT_EQ(r.thresholds_hash, t.hash());
    EXPECT_DOUBLE_EQ(r.allocated_core_s, 16 * 3600);
    EXPECT_NEAR(r.used_core_s, 3600, 1e-6);
    EXPECT_NEAR(r.features["cpu_efficiency"].get<double>(), 1.0 / 16, 1e-9);
    EXPECT_TRUE(r.evidence.contains("underutilized-cpu"));
    EXPECT_TRUE(r.recommendations.contains("serial-on-many-cores"));
}

TEST_F(ClassifyRegistry, PendingJobsAreClassifiedInBatchesOnce) {
    std::vector<ClassPoint> verdicts;
    EXPECT_EQ(classify_pending(*reg_, Thresholds{}, 2, kNow, &verdicts), 2u);
    EXPECT_EQ(classify_pending(*reg_, Thresholds{}, 2, kNow, &verdicts), 1u);
    EXPECT_EQ(classify_pending(*reg_, Thresholds{}, 2, kNow, &verdicts), 0u);
    ASSERT_EQ(verdicts.size(), 3u);
    std::map<std::uint64_t, std::pair<std::string, double>> got;
    for (const auto& p : verdicts) {
        got[p.verdict.job_id] = {p.verdict.job_class, p.end_time};
        EXPECT_EQ(p.replaced_class, "") << "a first verdict replaces nothing";
    }
    EXPECT_EQ(got[101], std::make_pair(std::string("underutilized-cpu"), kNow - 3600));
    EXPECT_EQ(got[102], std::make_pair(std::string("efficient"), kNow - 1800));
    EXPECT_EQ(got[103], std::make_pair(std::string("failed"), kNow - 570));
    EXPECT_EQ(class_of(101), "underutilized-cpu");
    EXPECT_EQ(class_of(103), "failed");
}

TEST_F(ClassifyRegistry, ReclassifyTakesTheJobsEndingInTheWindow) {
    classify_pending(*reg_, Thresholds{}, 100, kNow);
    Thresholds lenient;
    lenient.underutilized_efficiency = 0.01;
    EXPECT_EQ(reclassify(*reg_, lenient, kNow - 2000, std::nullopt, kNow), 2u);  // 102 and 103
    EXPECT_EQ(class_of(101), "underutilized-cpu");
    EXPECT_EQ(reclassify(*reg_, lenient, std::nullopt, kNow - 3000, kNow), 1u);  // 101
    EXPECT_EQ(class_of(101), "efficient");
    std::vector<std::vector<ClassPoint>> batches;
    EXPECT_EQ(reclassify(*reg_, Thresholds{}, std::nullopt, std::nullopt, kNow, 1,
                         [&](const std::vector<ClassPoint>& b) { batches.push_back(b); }),
              3u);  // one job a batch
    EXPECT_EQ(class_of(101), "underutilized-cpu");
    ASSERT_EQ(batches.size(), 3u);
    std::map<std::uint64_t, std::pair<std::string, std::string>> got;  // new class, replaced class
    std::map<std::uint64_t, double> ends;
    for (const auto& b : batches) {
        ASSERT_EQ(b.size(), 1u);
        got[b[0].verdict.job_id] = {b[0].verdict.job_class, b[0].replaced_class};
        ends[b[0].verdict.job_id] = b[0].end_time;
    }
    EXPECT_EQ(got[101], std::make_pair(std::string("underutilized-cpu"), std::string("efficient")));
    EXPECT_EQ(got[103], std::make_pair(std::string("failed"), std::string("failed")));
    EXPECT_DOUBLE_EQ(ends[101], kNow - 3600);
    EXPECT_EQ(reclassify(*reg_, Thresholds{}, kNow, std::nullopt, kNow), 0u);
}

}  // namespace
}  // namespace fructosa
