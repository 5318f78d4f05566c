// Benchmark: lagent's CPU time per tracked job per sample (cgroup read, the tasks' /proc
// files, readings, points).
// Samples a job cgroup tree N times (default: the cgroup v1 fixture of job 42 on n1; or
// --root DIR --node N --job J for a live tree with root "") and prints the CPU time per
// sample from getrusage. Prints figures; asserts nothing.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "collector/host_sampler.h"
#include "collector/job/cgroup_locator.h"
#include "collector/job/cgroup_sampler.h"
#include "collector/job/job_metrics.h"
#include "collector/job/task_sampler.h"
#include "../unit/collector/fixture_system_reader.h"

using namespace fructosa;

static double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char** argv) {
    std::string root = FIXTURE_DIR "/cgroup_v1", node = "n1";
    std::uint64_t job = 42;
    int samples = 20000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--root")) root = argv[i + 1];
        if (!std::strcmp(argv[i], "--node")) node = argv[i + 1];
        if (!std::strcmp(argv[i], "--job")) job = std::stoull(argv[i + 1]);
        if (!std::strcmp(argv[i], "--samples")) samples = std::stoi(argv[i + 1]);
    }
    // A tree below `root` is read as a fixture; root "" is the live machine.
    std::unique_ptr<SystemReader> reader;
    if (root.empty())
        reader = std::make_unique<HostSystemReader>();
    else
        reader = std::make_unique<test::FixtureSystemReader>(root);
    const SystemReader& sys = *reader;
    auto mounts = discover_cgroup_mounts(sys);
    const FoundJob* found = nullptr;
    auto jobs = scan_job_cgroups(sys, mounts, node);
    for (const auto& j : jobs)
        if (j.job_id == job) found = &j;
    if (!found) {
        std::fprintf(stderr, "job %llu of node %s not found under '%s'\n", (unsigned long long)job, node.c_str(),
                     root.c_str());
        return 1;
    }
    JobMetrics metrics(4);
    JobTaskSampler tasks;  // as JobTracker keeps one per job
    std::size_t points = 0;
    double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < samples; ++i) {
        JobSample s = sample_job_cgroup(sys, found->paths, 1.7e9 + i, &tasks);
        points += readings_to_points(job_series_base(42, node), metrics.update(s), s.time).size();
    }
    double cpu = cpu_seconds() - c0;
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("job sample (cgroup %s, %zu points per sample, %zu threads read), %d samples\n",
                found->paths.version == CgroupVersion::v1 ? "v1" : "v2", points / samples, tasks.followed_threads(),
                samples);
    std::printf("  CPU per tracked job per sample  %.1f us   (wall %.1f us)\n", cpu / samples * 1e6,
                wall / samples * 1e6);
    std::printf("  => 100 jobs at 10 s intervals   %.4f %% of one core\n", cpu / samples * 100 / 10 * 100);
    return 0;
}
