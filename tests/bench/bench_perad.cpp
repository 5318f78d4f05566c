// bench_perad: how fast perad classifies and answers. Prints figures; not a timed test.
//
//   bench_perad [--jobs N] [--big N] [--dir DIR]
//
// 1. Records N synthetic finished jobs (1-4 nodes each) through the writer API lmaster
//    uses, then classifies them all as the daemon does (target: 100,000 in < 10 s).
// 2. Bulk-loads a registry of `big` classified jobs and times `perad list` and
//    `perad summary` with filters through run_cli (target: < 1 s each).
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "common/job_event.h"
#include "common/registry/sqlite_job_store.h"
#include "perad/classifier.h"
#include "perad/cli.h"

using namespace fructosa;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds (user + system) this process has used: wall time much above it means
/// waiting for the disk or for a CPU on a shared machine.
double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

constexpr double kNow = 1'700'000'000;

JobMeta meta_of(std::uint64_t id, unsigned nnodes, unsigned cpus, std::mt19937& rng) {
    JobMeta m;
    m.uid = static_cast<std::uint32_t>(1000 + id % 200);
    m.user = fmt::format("user{}", id % 200);
    m.account = fmt::format("acct{}", id % 50);
    m.partition = id % 4 ? "batch" : "gpu";
    m.job_name = "bench";
    m.nodelist = nnodes == 1 ? "n1" : fmt::format("n[1-{}]", nnodes);
    m.nnodes = nnodes;
    m.cpus = cpus;
    m.mem_mb = 4096 * (1 + rng() % 8);
    m.gpus = 0;
    m.ntasks = cpus * nnodes;
    m.interval = 10;
    return m;
}

json summary_of(double start, double elapsed, unsigned cpus, std::mt19937& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    double eff = u(rng);
    return {{"samples", 100},
            {"intervals", 99},
            {"first_time", start},
            {"last_time", start + elapsed},
            {"allocated_cpus", cpus},
            {"idle_threshold_percent", 5.0},
            {"cpu_seconds", cpus * elapsed * eff},
            {"cpu_usage_mean_percent", eff * cpus * 100},
            {"efficiency_percent", eff * 100},
            {"idle_fraction", u(rng) < 0.1 ? 0.95 : 0.05},
            {"memory_peak_bytes", static_cast<std::uint64_t>(u(rng) * 8e9)},
            {"oom_kills", u(rng) < 0.02 ? 1 : 0},
            {"limit_hits", 0},
            {"io_read_bytes", static_cast<std::uint64_t>(u(rng) * 1e10)},
            {"io_write_bytes", static_cast<std::uint64_t>(u(rng) * 1e9)}};
}

void bench_classify(const std::string& path, std::size_t jobs) {
    std::filesystem::remove(path);
    SqliteJobStore reg(path);
    std::mt19937 rng(42);
    std::size_t events = 0;

    // lmaster records each event in its own transaction: time a sample of that first.
    auto t0 = Clock::now();
    const std::size_t single = std::min<std::size_t>(jobs, 2000);
    auto record = [&](std::uint64_t id) {
        unsigned nnodes = 1 + static_cast<unsigned>(rng() % 4);
        unsigned cpus = 1u << (rng() % 6);
        double start = kNow - 86400.0 * 30 * (static_cast<double>(rng()) / rng.max());
        double elapsed = 30 + static_cast<double>(rng() % 86400);
        JobMeta m = meta_of(id, nnodes, cpus, rng);
        for (unsigned n = 1; n <= nnodes; ++n) {
            std::string host = fmt::format("n{}", n);
            reg.record_step_start(id, host, "0", m, start);
            reg.record_job_end(id, host, id % 50 == 0 ? 1 : 0, summary_of(start, elapsed, cpus, rng), m,
                               start + elapsed, "last step ended");
            events += 2;
        }
    };
    for (std::uint64_t id = 1; id <= single; ++id) record(id);
    double single_s = seconds_since(t0);
    std::cout << fmt::format("writer API, one transaction per event: {} events in {:.2f} s = {:.0f} events/s\n",
                             events, single_s, static_cast<double>(events) / single_s);

    t0 = Clock::now();
    std::size_t before = events;
    for (std::uint64_t id = single + 1; id <= jobs;) {
        reg.in_transaction([&] {
            for (std::size_t k = 0; k < 1000 && id <= jobs; ++k, ++id) record(id);
        });
    }
    double batched_s = seconds_since(t0);
    if (jobs > single)
        std::cout << fmt::format("writer API, 1000 jobs per transaction: {} events in {:.2f} s = {:.0f} events/s\n",
                                 events - before, batched_s, static_cast<double>(events - before) / batched_s);

    Thresholds t;
    t0 = Clock::now();
    double cpu0 = cpu_seconds();
    std::size_t classified = 0;
    for (;;) {
        std::size_t n = classify_pending(reg, t, 500, kNow);
        classified += n;
        if (n < 500) break;
    }
    double cls_s = seconds_since(t0);
    std::cout << fmt::format(
        "classify: {} finished jobs in {:.2f} s = {:.0f} jobs/s, {:.2f} s of CPU (target: 100,000 in < 10 s)\n",
        classified, cls_s, static_cast<double>(classified) / cls_s, cpu_seconds() - cpu0);
    // Where the time goes: reading and judging alone, without storing.
    t0 = Clock::now();
    std::size_t judged = 0;
    for (std::uint64_t id = 1; id <= jobs; ++id)
        if (auto job = reg.load_job(id, false)) judged += !classify_job(*job, t, kNow).job_class.empty();
    double read_s = seconds_since(t0);
    std::cout << fmt::format("  of which reading + judging alone: {} jobs in {:.2f} s = {:.0f} jobs/s\n", judged,
                             read_s, static_cast<double>(judged) / read_s);
    auto by_class = reg.summarize(JobFilter{}, "class");
    std::cout << "  classes:";
    for (const auto& r : by_class) std::cout << " " << r.key << "=" << r.jobs;
    std::cout << "\n";
}

void bulk_load(const std::string& path, std::size_t jobs) {
    std::filesystem::remove(path);
    SqliteJobStore reg(path);
    sqlite3* db = reg.handle();
    const char* classes[] = {"efficient", "underutilized-cpu", "idle", "failed", "too-short", "memory-pressure",
                             "imbalanced", "io-bound"};
    const char* flags[] = {"", "", "memory-overrequested", "walltime-overrequested", "serial-on-many-cores",
                           "memory-overrequested,walltime-overrequested"};
    std::mt19937 rng(7);
    sqlite3_stmt *job = nullptr, *cls = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO jobs(job_id, user, uid, account, partition, job_name, nodelist, nnodes, ntasks,"
                       " total_cpus, mem_mb, start_time, end_time, first_end_time, status, exit_status, finished_at,"
                       " job_class, allocated_core_s, used_core_s)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, 'bench', 'n[1-2]', 2, ?6, ?6, 8192, ?7, ?8, ?8, 'finished', 0, ?8,"
                       " ?9, ?10, ?11)",
                       -1, &job, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO classifications(job_id, class, flags, classified_at, thresholds_hash)"
                       " VALUES(?1, ?2, ?3, ?4, 'bench')",
                       -1, &cls, nullptr);
    auto t0 = Clock::now();
    reg.in_transaction([&] {
        for (std::size_t i = 1; i <= jobs; ++i) {
            double end = kNow - 86400.0 * 365 * (static_cast<double>(rng()) / rng.max());
            double elapsed = 60 + static_cast<double>(rng() % 86400);
            int cpus = 1 << (rng() % 7);
            std::string user = fmt::format("user{}", rng() % 2000), account = fmt::format("acct{}", rng() % 200);
            sqlite3_bind_int64(job, 1, static_cast<sqlite3_int64>(i));
            sqlite3_bind_text(job, 2, user.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(job, 3, 1000 + static_cast<int>(rng() % 2000));
            sqlite3_bind_text(job, 4, account.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(job, 5, rng() % 4 ? "batch" : "gpu", -1, SQLITE_STATIC);
            sqlite3_bind_int(job, 6, cpus);
            sqlite3_bind_double(job, 7, end - elapsed);
            sqlite3_bind_double(job, 8, end);
            const char* job_class = classes[rng() % 8];
            double alloc = cpus * elapsed, used = alloc * (static_cast<double>(rng()) / rng.max());
            sqlite3_bind_text(job, 9, job_class, -1, SQLITE_STATIC);
            sqlite3_bind_double(job, 10, alloc);
            sqlite3_bind_double(job, 11, used);
            sqlite3_step(job);
            sqlite3_reset(job);
            sqlite3_bind_int64(cls, 1, static_cast<sqlite3_int64>(i));
            sqlite3_bind_text(cls, 2, job_class, -1, SQLITE_STATIC);
            sqlite3_bind_text(cls, 3, flags[rng() % 6], -1, SQLITE_STATIC);
            sqlite3_bind_double(cls, 4, end);
            sqlite3_step(cls);
            sqlite3_reset(cls);
        }
    });
    sqlite3_finalize(job);
    sqlite3_finalize(cls);
    sqlite3_exec(db, "ANALYZE", nullptr, nullptr, nullptr);
    std::cout << fmt::format("bulk-loaded {} classified jobs in {:.1f} s ({:.0f} MB)\n", jobs, seconds_since(t0),
                             static_cast<double>(std::filesystem::file_size(path)) / 1e6);
}

void bench_queries(const std::string& path) {
    const std::vector<std::vector<std::string>> commands{
        {"list"},
        {"list", "--user", "user17"},
        {"list", "--user", "user17", "--limit", "0"},
        {"list", "--account", "acct3", "--since", "30d"},
        {"list", "--class", "idle"},
        {"list", "--class", "idle", "--since", "7d", "--limit", "0"},
        {"list", "--flag", "serial-on-many-cores"},
        {"list", "--partition", "gpu", "--since", "1d", "--format", "json"},
        {"list", "--since", "2023-11-01", "--until", "2023-11-02", "--format", "csv", "--limit", "0"},
        {"summary", "--by", "user"},
        {"summary", "--by", "account"},
        {"summary", "--by", "partition"},
        {"summary", "--by", "class"},
        {"summary", "--by", "user", "--since", "30d"},
        {"summary", "--by", "class", "--user", "user17"},
    };
    for (auto args : commands) {
        args.push_back("--registry");
        args.push_back(path);
        std::ostringstream out, err;
        auto t0 = Clock::now();
        int rc = run_cli(args, out, err, kNow);
        double s = seconds_since(t0);
        std::string shown;
        for (std::size_t i = 0; i + 2 < args.size(); ++i) shown += args[i] + " ";
        const std::string text = out.str();
        auto lines = std::count(text.begin(), text.end(), '\n');
        std::cout << fmt::format("  perad {:<62} {:7.1f} ms  rc {}  {} lines{}\n", shown, s * 1000, rc, lines,
                                 err.str().empty() ? "" : "  " + err.str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t jobs = 100000, big = 1000000;
    std::string dir;
    const char* usage =
        "Usage: bench_perad [--jobs N] [--big N] [--dir DIR]\n"
        "Times the registry writer, perad's classification of N finished jobs (100000) and the\n"
        "admin commands over a registry of --big jobs (1000000), in DIR (default: a new temporary\n"
        "folder, removed at the end). Prints figures; asserts nothing.\n";
    for (int i = 1; i < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        }
        bool known = a == "--jobs" || a == "--big" || a == "--dir";
        if (!known || i + 1 >= argc) {
            std::cerr << "bench_perad: " << (known ? "missing value for " : "unknown option ") << a << "\n" << usage;
            return 2;
        }
        try {
            if (a == "--jobs") jobs = std::stoul(argv[i + 1]);
            else if (a == "--big") big = std::stoul(argv[i + 1]);
            else dir = argv[i + 1];
        } catch (const std::exception&) {
            std::cerr << "bench_perad: " << a << " needs a number, not '" << argv[i + 1] << "'\n";
            return 2;
        }
    }
    bool own_dir = dir.empty();
    if (own_dir) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "bench-perad-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) return 1;
        dir = tmpl;
    }
    setenv("TZ", "UTC", 1);
    tzset();
    std::cout << fmt::format("bench_perad: {} jobs to classify, {} jobs to query, in {}\n", jobs, big, dir);
    if (jobs) bench_classify(dir + "/classify.db", jobs);
    if (big) {
        bulk_load(dir + "/big.db", big);
        std::cout << fmt::format("queries over {} jobs (whole command through run_cli, output formatted):\n", big);
        bench_queries(dir + "/big.db");
    }
    if (own_dir) std::filesystem::remove_all(dir);
    return 0;
}
