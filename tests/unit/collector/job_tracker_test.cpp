// JobTracker on its real plugin socket, over the cgroup v1 fixture (node n1: job_42 of
// uid 1000, job_43 of uid 1001), shipping through a real Shipper to a fake lmaster: what a
// step's start and end, the job's timer and a vanished cgroup send out.
#include "collector/job_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "collector/sensors/proc_stat.h"
#include "tests/unit/collector/job_tracker_harness.h"

using namespace fructosa;
using namespace fructosa::test;

namespace {

const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";
const std::string kCpuacct42 = "/sys/fs/cgroup/cpuacct/slurm_n1/uid_1000/job_42";

/// The meta of step_start_message(job, ..., 1000).
JobMeta alice_meta(std::uint32_t job) {
    return JobMeta{.uid = 1000,
                   .user = "alice",
                   .account = "physics",
                   .partition = "cpu",
                   .job_name = "sim_" + std::to_string(job),
                   .nodelist = "n[1-2]",
                   .nnodes = 2,
                   .cpus = 4,
                   .gpus = 1,
                   .ntasks = 8,
                   .mem_mb = 8192,
                   .interval = 0};
}

/// job_42's fixture figures (tests/fixtures/cgroup_v1/README.md) as its first sample's fields.
std::map<std::string, double> job_42_first_sample() {
    return {{"cpu.user_seconds", 10},
            {"cpu.system_seconds", 2},
            {"memory.current", 2147483648.0},
            {"memory.peak", 3221225472.0},
            {"memory.rss", 1610612736.0},
            {"memory.cache", 536870912.0},
            {"memory.swap", 104857600.0},
            {"memory.limit", 4294967296.0},
            {"memory.limit_hits", 3},
            {"memory.oom_kills", 1},
            {"io.read_bytes", 11534336.0},
            {"io.write_bytes", 20971520.0},
            {"io.read_ops", 110},
            {"io.write_ops", 200},
            {"tasks.processes", 4},
            {"tasks.threads", 6},
            {"tasks.skipped", 0}};  // all 6 threads' and 4 processes' /proc files read
}

/// A job's points by field (the path after `jobs.<id>.n1.`), the last value of each.
std::map<std::string, double> fields_of(const std::vector<Point>& points, const std::string& base) {
    std::map<std::string, double> out;
    for (const auto& p : points) out[p.path.substr(base.size())] = p.value;
    return out;
}

/// Where in lmaster's frames the first one matching `pred` is; frames().size() when none.
template <typename Pred>
std::size_t frame_index(const FakeLmaster& lmaster, Pred pred) {
    const auto& f = lmaster.frames();
    return static_cast<std::size_t>(std::find_if(f.begin(), f.end(), pred) - f.begin());
}

/// The tracker started over the fixture with no job's cgroup there yet.
class JobTrackerTest : public JobTrackerHarness {
  protected:
    void SetUp() override {
        JobTrackerHarness::SetUp();
        start(kV1, {"job_42", "job_43"});
    }
    std::size_t events() const { return lmaster_.events().size(); }
};

}  // namespace

TEST_F(JobTrackerTest, StepStartSendsTheJobsMetaAndAnImmediateSample) {
    EXPECT_TRUE(std::filesystem::exists(dir_ + "/lagent-n1.sock"));  // %n is the node's name
    reader_->show("job_42");
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points_under("jobs.42.n1.").size() >= 16; }));
    EXPECT_EQ(tracker_->tracked(), 1u);

    auto ev = lmaster_.events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0], (JobEvent{.kind = JobEvent::Kind::StepStart,
                               .job_id = 42,
                               .host = "n1",
                               .time = 1700000000.5,
                               .step_id = "batch",
                               .meta = alice_meta(42)}));
    EXPECT_TRUE(lmaster_.frames().front().is_event);  // the event goes before the sample's batch

    auto points = lmaster_.points_under("jobs.42.n1.");
    EXPECT_EQ(fields_of(points, "jobs.42.n1."),
              job_42_first_sample());  // no rate without an interval
    for (const auto& p : points) EXPECT_EQ(p.timestamp, clock_.now) << p.path;
    EXPECT_EQ(clock_.reads.size(), 1u);  // one sample, no other
}

TEST_F(JobTrackerTest, LastStepEndSendsTheFinalSampleTheStepSummaryAndJobEnd) {
    reader_->show("job_42");
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points_under("jobs.42.n1.").size() >= 16; }));
    const double t0 = clock_.now;
    clock_.now = t0 + 1;
    reader_->set_file(kCpuacct42 + "/cpuacct.usage", "14500000000\n");  // 2 s of CPU in 1 s
    // thread 2001 waited 1.5 s more on the run queue (fixture: 2 s, the job's threads 4 s)
    reader_->set_file("/proc/2001/task/2001/schedstat", "999 3500000000 40\n");
    send(step_end_message(42, "batch", 256));
    ASSERT_TRUE(wait_for([&] { return events() == 3; }));
    EXPECT_EQ(tracker_->tracked(), 0u);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.cpu.runqueue_delay_percent"),
              (Points{{"jobs.42.n1.cpu.runqueue_delay_percent", t0 + 1, 150}}));

    // The final sample: a rate over the last second, stamped at the step's end.
    EXPECT_EQ(lmaster_.points("jobs.42.n1.cpu.usage_percent"),
              (Points{{"jobs.42.n1.cpu.usage_percent", t0 + 1, 200}}));
    EXPECT_EQ(lmaster_.points("jobs.42.n1.cpu.efficiency_percent"),
              (Points{{"jobs.42.n1.cpu.efficiency_percent", t0 + 1, 50}}));

    auto ev = lmaster_.events();
    const JobEvent& step = ev[1];
    EXPECT_EQ(step.kind, JobEvent::Kind::StepEnd);
    EXPECT_EQ(step.job_id, 42u);
    EXPECT_EQ(step.host, "n1");
    EXPECT_EQ(step.step_id, "batch");
    EXPECT_EQ(step.time, 1700000200.25);
    EXPECT_EQ(step.exit_status, 256);
    EXPECT_EQ(step.summary.value("samples", 0), 2);
    EXPECT_EQ(step.summary.value("intervals", 0), 1);
    EXPECT_DOUBLE_EQ(step.summary.value("cpu_seconds", 0.0),
                     2.0);  // counted from the step's first sample
    EXPECT_DOUBLE_EQ(step.summary.value("cpu_usage_mean_percent", 0.0), 200.0);
    EXPECT_DOUBLE_EQ(step.summary.value("efficiency_percent", 0.0), 50.0);
    EXPECT_EQ(step.summary.value("first_time", 0.0), t0);
    EXPECT_EQ(step.summary.value("last_time", 0.0), t0 + 1);
    EXPECT_EQ(step.summary.value("io_read_bytes", -1), 0);
    EXPECT_DOUBLE_EQ(step.summary.value("runqueue_delay_seconds", 0.0), 1.5);
    EXPECT_DOUBLE_EQ(step.summary.value("runqueue_delay_mean_percent", 0.0), 150.0);

    const JobEvent& end = ev[2];
    EXPECT_EQ(end.kind, JobEvent::Kind::JobEnd);
    EXPECT_EQ(end.job_id, 42u);
    EXPECT_EQ(end.host, "n1");
    EXPECT_EQ(end.time, t0 + 1);
    EXPECT_EQ(end.reason, "last step ended");
    EXPECT_EQ(end.exit_status, 256);
    EXPECT_FALSE(end.reattached);
    EXPECT_EQ(end.meta, alice_meta(42));
    EXPECT_EQ(end.summary.value("samples", 0), 2);
    EXPECT_DOUBLE_EQ(end.summary.value("cpu_seconds", 0.0), 14.5);  // the cgroup's own total
    EXPECT_EQ(end.summary.value("allocated_cpus", 0.0), 4.0);
    EXPECT_EQ(end.summary.value("memory_peak_bytes", 0ull), 3221225472ull);
    EXPECT_EQ(end.summary.value("oom_kills", 0), 1);
    EXPECT_EQ(end.summary.value("io_read_bytes", 0ull), 11534336ull);  // blkio's, not the threads'
    EXPECT_DOUBLE_EQ(end.summary.value("runqueue_delay_seconds", 0.0), 5.5);
    EXPECT_EQ(end.summary.value("memory_anon_peak_bytes", 0ull), 1610612736ull);

    // In order: the final sample's batch, then step_end, then job_end.
    std::size_t batch = frame_index(lmaster_, [](const Received& r) {
        return !r.is_event && std::any_of(r.points.begin(), r.points.end(), [](const Point& p) {
            return p.path == "jobs.42.n1.cpu.usage_percent";
        });
    });
    std::size_t step_end = frame_index(
        lmaster_, [](const Received& r) { return r.is_event && r.event["type"] == "step_end"; });
    std::size_t job_end = frame_index(
        lmaster_, [](const Received& r) { return r.is_event && r.event["type"] == "job_end"; });
    EXPECT_LT(batch, step_end);
    EXPECT_LT(step_end, job_end);
    EXPECT_EQ(job_end, lmaster_.frames().size() - 1);
}

TEST_F(JobTrackerTest, TheJobEndsWithItsLastStepCarryingTheWorstExitStatus) {
    reader_->show("job_42");
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return events() == 1; }));
    send(step_start_message(42, "0", 1000));
    ASSERT_TRUE(wait_for([&] { return events() == 2; }));
    send(step_end_message(42, "0", 9));
    ASSERT_TRUE(wait_for([&] { return events() == 3; }));
    EXPECT_EQ(tracker_->tracked(), 1u);  // the batch step still runs
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return events() == 5; }));
    EXPECT_EQ(tracker_->tracked(), 0u);

    auto ev = lmaster_.events();
    std::vector<std::pair<JobEvent::Kind, std::string>> seen;
    for (const auto& e : ev) seen.emplace_back(e.kind, e.step_id);
    EXPECT_EQ(seen, (std::vector<std::pair<JobEvent::Kind, std::string>>{
                        {JobEvent::Kind::StepStart, "batch"},
                        {JobEvent::Kind::StepStart, "0"},
                        {JobEvent::Kind::StepEnd, "0"},
                        {JobEvent::Kind::StepEnd, "batch"},
                        {JobEvent::Kind::JobEnd, ""}}));
    EXPECT_EQ(ev[2].exit_status, 9);
    EXPECT_EQ(ev[3].exit_status, 0);
    EXPECT_EQ(ev[4].exit_status, 9);  // the first failure, not the last step's 0
    EXPECT_EQ(ev[4].reason, "last step ended");
    EXPECT_EQ(ev[4].meta, alice_meta(42));
}

TEST_F(JobTrackerTest, SamplesOnTheJobsIntervalButNoFasterThanTheMinimum) {
    ASSERT_EQ(settings_.jobs.min_interval_s, 0.08);
    clock_.step = 1;  // every sample a time of its own, to tell which one came when
    reader_->show("job_42");
    reader_->show("job_43");
    auto slow = step_start_message(42, "batch", 1000);
    slow["interval"] = 0.15;
    auto fast = step_start_message(43, "batch", 1001);
    fast["interval"] = 0.01;  // below the minimum: sampled every 0.08 s
    send(slow);
    send(fast);
    ASSERT_TRUE(wait_for([&] { return lmaster_.points("jobs.42.n1.memory.current").size() >= 3; }));
    EXPECT_EQ(tracker_->tracked(), 2u);

    auto gaps_of = [&](const std::string& path) {
        std::vector<double> gaps;
        auto points = lmaster_.points(path);
        for (std::size_t i = 1; i < points.size(); ++i) {
            auto a = clock_.read_at(points[i - 1].timestamp),
                 b = clock_.read_at(points[i].timestamp);
            if (a && b) gaps.push_back(std::chrono::duration<double>(*b - *a).count());
        }
        return gaps;
    };
    auto slow_gaps = gaps_of("jobs.42.n1.memory.current");
    auto fast_gaps = gaps_of("jobs.43.n1.memory.current");
    ASSERT_GE(slow_gaps.size(), 2u);
    ASSERT_GE(fast_gaps.size(), 2u);
    for (double g : slow_gaps) EXPECT_GE(g, 0.15);
    for (double g : fast_gaps) EXPECT_GE(g, 0.08);
    EXPECT_EQ(lmaster_.events().size(), 2u);  // timer samples send no events
}

TEST_F(JobTrackerTest, TwoJobsOnOneNodeAreTrackedIndependently) {
    reader_->show("job_42");
    reader_->show("job_43");
    send(step_start_message(42, "batch", 1000));
    auto bob = step_start_message(43, "0", 1001);
    bob["cpus"] = 2;
    send(bob);
    ASSERT_TRUE(wait_for([&] {
        return events() == 2 && !lmaster_.points("jobs.43.n1.memory.current").empty() &&
               !lmaster_.points("jobs.42.n1.memory.current").empty();
    }));
    EXPECT_EQ(tracker_->tracked(), 2u);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.memory.current").at(0).value, 2147483648.0);
    EXPECT_EQ(lmaster_.points("jobs.43.n1.memory.current").at(0).value, 104857600.0);
    EXPECT_EQ(lmaster_.points("jobs.43.n1.tasks.processes").at(0).value, 1.0);

    send(step_end_message(43, "0", 0));
    ASSERT_TRUE(wait_for([&] { return events() == 4; }));
    EXPECT_EQ(tracker_->tracked(), 1u);
    JobEvent bob_end = lmaster_.events()[3];
    EXPECT_EQ(bob_end.kind, JobEvent::Kind::JobEnd);
    EXPECT_EQ(bob_end.job_id, 43u);
    EXPECT_EQ(bob_end.meta.user, "bob");
    EXPECT_EQ(bob_end.meta.cpus, 2u);
    EXPECT_EQ(bob_end.summary.value("samples", 0), 2);
    EXPECT_EQ(bob_end.summary.value("allocated_cpus", 0.0), 2.0);

    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return events() == 6; }));
    EXPECT_EQ(tracker_->tracked(), 0u);
    JobEvent alice_end = lmaster_.events()[5];
    EXPECT_EQ(alice_end.kind, JobEvent::Kind::JobEnd);
    EXPECT_EQ(alice_end.job_id, 42u);
    EXPECT_EQ(alice_end.meta, alice_meta(42));
    EXPECT_EQ(alice_end.summary.value("samples", 0), 2);  // its own two samples, not bob's too
    EXPECT_EQ(alice_end.summary.value("allocated_cpus", 0.0), 4.0);
    EXPECT_EQ(alice_end.summary.value("memory_peak_bytes", 0ull), 3221225472ull);
}

TEST_F(JobTrackerTest, StepEndOfAJobNotFollowedIsIgnored) {
    reader_->show("job_42");
    send(step_end_message(99, "batch", 1));
    run_for(100);
    EXPECT_TRUE(lmaster_.frames().empty());
    EXPECT_EQ(tracker_->tracked(), 0u);

    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return events() == 1; }));
    send(step_end_message(43, "batch", 1));  // its cgroup is not even there
    send(step_end_message(42, "7", 1));      // a step this node never saw start
    run_for(100);
    EXPECT_EQ(tracker_->tracked(), 1u);
    auto ev = lmaster_.events();
    ASSERT_EQ(ev.size(), 2u);  // only the unknown step's end, without a summary
    EXPECT_EQ(ev[1].kind, JobEvent::Kind::StepEnd);
    EXPECT_EQ(ev[1].job_id, 42u);
    EXPECT_EQ(ev[1].step_id, "7");
    EXPECT_TRUE(ev[1].summary.is_null());
}

TEST_F(JobTrackerTest, AVanishedCgroupEndsTheJobWithItsReason) {
    reader_->show("job_42");
    auto start = step_start_message(42, "batch", 1000);
    start["interval"] = 0.1;
    send(start);
    ASSERT_TRUE(wait_for([&] { return events() == 1; }));
    reader_->hide("job_42");  // slurmstepd removed it without a step_end reaching us
    clock_.now += 5;
    ASSERT_TRUE(wait_for([&] { return events() == 2; }));
    EXPECT_EQ(tracker_->tracked(), 0u);
    JobEvent end = lmaster_.events()[1];
    EXPECT_EQ(end.kind, JobEvent::Kind::JobEnd);
    EXPECT_EQ(end.job_id, 42u);
    EXPECT_EQ(end.reason, "cgroup removed");
    EXPECT_EQ(end.time, clock_.now);
    EXPECT_EQ(end.exit_status, 0);
    EXPECT_FALSE(end.reattached);
    JobMeta meta = alice_meta(42);
    meta.interval = 0.1;
    EXPECT_EQ(end.meta, meta);
    EXPECT_GE(end.summary.value("samples", 0), 1);

    send(step_end_message(42, "batch", 0));  // too late: the job is no longer followed
    run_for(100);
    EXPECT_EQ(lmaster_.events().size(), 2u);
}

TEST_F(JobTrackerTest, ACgroupThatAppearsAfterStepStartIsSampledOnceThere) {
    auto start = step_start_message(42, "batch", 1000);
    start["interval"] = 0.1;
    send(start);
    ASSERT_TRUE(wait_for([&] { return events() == 1; }));
    run_for(150);  // a few timer rounds without a cgroup
    EXPECT_TRUE(lmaster_.points_under("jobs.").empty());
    EXPECT_EQ(tracker_->tracked(), 1u);

    reader_->show("job_42");
    ASSERT_TRUE(wait_for([&] { return lmaster_.points_under("jobs.42.n1.").size() >= 16; }));
    EXPECT_EQ(lmaster_.points("jobs.42.n1.memory.current").at(0).value, 2147483648.0);
    EXPECT_EQ(tracker_->tracked(), 1u);
    EXPECT_EQ(events(), 1u);
}

TEST_F(JobTrackerTest, AStepEventNamingAnotherNodeIsRefusedAndCounted) {
    // A root sender names node n2 and points at n2's cgroup (job_44 under slurm_n2 in the
    // fixture): sampled, it would be published as jobs.44.n1.*.
    auto start = step_start_message(44, "0", 1000);
    start["node"] = "n2";
    for (auto& [ctrl, path] : start["cgroup"].items()) {
        std::string p = path.get<std::string>();
        path = "/slurm_n2" + p.substr(std::string("/slurm_n1").size());
    }
    send(start);
    auto end = step_end_message(44, "0", 0);
    end["node"] = "n2";
    send(end);
    ASSERT_TRUE(wait_for([&] { return tracker_->plugin_stats().wrong_node == 2; }));
    EXPECT_EQ(tracker_->tracked(), 0u);
    // Its full name names this node too (Slurm's NodeName may be either).
    reader_->show("job_42");
    auto full = step_start_message(42, "batch", 1000);
    full["node"] = "n1.cluster.example";
    send(full);
    ASSERT_TRUE(wait_for([&] { return events() == 1 && !lmaster_.points_under("jobs.42.n1.").empty(); }));
    EXPECT_EQ(tracker_->plugin_stats().wrong_node, 2u);
    EXPECT_EQ(lmaster_.events()[0].job_id, 42u);
    EXPECT_EQ(lmaster_.events()[0].host, "n1");
    EXPECT_TRUE(lmaster_.points_under("jobs.44.").empty());
    EXPECT_EQ(tracker_->plugin_stats().refused, 0u);
    EXPECT_EQ(tracker_->plugin_stats().malformed, 0u);
}

TEST_F(JobTrackerTest, WithTheEnergySensorAJobGetsItsShareOfTheNodesEnergy) {
    sensors::NodeEnergyTotals node{.package_joules = 5000, .dram_joules = 300};
    int feeds = 0;
    tracker_->set_energy_feed([&] {
        ++feeds;
        return node;
    });
    const double hz = sensors::clock_ticks_per_second();
    auto proc_stat = [&](double busy_s) {
        return fmt::format("cpu  {} 0 0 100000 0 0 0 0 0 0\n", static_cast<long>(busy_s * hz));
    };
    reader_->set_file("/proc/stat", proc_stat(1000));
    reader_->set_file("/proc/meminfo", "MemTotal: 16777216 kB\nMemFree: 8388608 kB\n");  // 8 GiB in use
    reader_->show("job_42");
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points_under("jobs.42.n1.").size() >= 16; }));
    const double t0 = clock_.now;
    clock_.now = t0 + 1;
    // In 1 s the job used 2 s of the node's 4 busy CPU seconds, and 2 of its 8 GiB in use.
    reader_->set_file(kCpuacct42 + "/cpuacct.usage", "14500000000\n");
    reader_->set_file("/proc/stat", proc_stat(1004));
    node = {.package_joules = 5100, .dram_joules = 320};
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return events() == 3; }));
    EXPECT_EQ(feeds, 2);  // one look at the sensor's totals per sample, never a read of its own

    const JobEvent end = lmaster_.events()[2];
    EXPECT_DOUBLE_EQ(end.summary.value("energy_cpu_joules", 0.0), 50.0);
    EXPECT_DOUBLE_EQ(end.summary.value("energy_dram_joules", 0.0), 5.0);
    EXPECT_DOUBLE_EQ(end.summary.value("energy_joules", 0.0), 55.0);
    const JobEvent step = lmaster_.events()[1];
    EXPECT_DOUBLE_EQ(step.summary.value("energy_joules", 0.0), 55.0);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.energy.watts"), (Points{{"jobs.42.n1.energy.watts", t0 + 1, 55}}));
}

TEST_F(JobTrackerTest, WithoutTheEnergySensorTheSummaryHasNoEnergyKeys) {
    reader_->show("job_42");
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points_under("jobs.42.n1.").size() >= 16; }));
    clock_.now += 1;
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return events() == 3; }));
    const JobEvent end = lmaster_.events()[2];
    for (const char* key : {"energy_cpu_joules", "energy_dram_joules", "energy_joules"})
        EXPECT_FALSE(end.summary.contains(key)) << key;
    EXPECT_TRUE(lmaster_.points("jobs.42.n1.energy.watts").empty());
}
