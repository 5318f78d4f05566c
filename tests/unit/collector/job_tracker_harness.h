#pragma once
/// What JobTracker's unit tests drive it with: its real plugin socket in a private
/// directory, a cgroup fixture tree whose job directories a test can hide, show or
/// rewrite, a fake wall clock, and a real Shipper talking to a fake lmaster on 127.0.0.1
/// that keeps every frame it receives in order.

#include <gtest/gtest.h>

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "collector/job_tracker.h"
#include "collector/shipper.h"
#include "common/job_event.h"
#include "common/wire.h"
#include "tests/unit/collector/fixture_system_reader.h"
#include "tests/unit/collector/sensors/fake_perf.h"
#include "tests/unit/run_until.h"

namespace fructosa::test {

/// A SystemReader over another in which some files read differently and every path with
/// a hidden component ("job_42") does not exist: a job's cgroup appearing, changing and
/// vanishing.
class CgroupOverlay : public SystemReader {
  public:
    explicit CgroupOverlay(const SystemReader& base) : base_(base) {}
    void set_file(const std::string& path, std::string text) { files_[path] = std::move(text); }
    void hide(const std::string& component) { hidden_.insert(component); }
    void show(const std::string& component) { hidden_.erase(component); }

    std::optional<std::string> read_file(const std::string& path) const override;
    std::vector<std::string> list_dir(const std::string& path) const override;
    bool exists(const std::string& path) const override;
    std::optional<FsUsage> fs_usage(const std::string& path) const override {
        return base_.fs_usage(path);
    }
    std::vector<std::pair<std::string, std::string>> interface_addresses() const override {
        return {};
    }
    /// The base's real file, unless hidden or rewritten (then there is none to open).
    std::optional<std::string> host_path(const std::string& path) const override {
        if (hidden(path) || files_.count(path)) return std::nullopt;
        return base_.host_path(path);
    }

  private:
    bool hidden(const std::string& path) const;
    const SystemReader& base_;
    std::map<std::string, std::string> files_;
    std::set<std::string> hidden_;
};

/// One frame lmaster received after the hello: a batch of points or a job event.
struct Received {
    bool is_event = false;
    Points points;         ///< a batch's
    nlohmann::json event;  ///< a job event's JSON
};

/// lmaster as the Shipper sees it: acknowledges every batch and job event, keeps them.
class FakeLmaster {
  public:
    explicit FakeLmaster(boost::asio::io_context& io);
    ~FakeLmaster();
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    const std::vector<Received>& frames() const { return frames_; }
    /// The job events received, decoded, in order.
    std::vector<JobEvent> events() const;
    /// Every point received whose path is `path`, in order.
    std::vector<Point> points(const std::string& path) const;
    /// Every point whose path starts with `prefix`.
    std::vector<Point> points_under(const std::string& prefix) const;

  private:
    void accept();
    void serve(std::shared_ptr<boost::asio::ip::tcp::socket> sock,
               std::shared_ptr<wire::FrameDecoder> decoder,
               std::shared_ptr<std::array<std::uint8_t, 4096>> buf);
    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<boost::asio::ip::tcp::socket> current_;
    std::vector<Received> frames_;
};

/// A wall clock a test sets; it notes when (steady time) each value was read. With a
/// `step`, every read advances it, so each sample gets a time of its own.
struct FakeClock {
    double now = 1700000100.0;
    double step = 0;
    std::vector<std::pair<double, std::chrono::steady_clock::time_point>> reads;
    double read();
    /// When the value `t` was handed out.
    std::optional<std::chrono::steady_clock::time_point> read_at(double t) const;
};

/// Connects to the unix socket at `path`, writes `line` and a newline, closes.
bool send_line(const std::string& path, const std::string& line);

/// A step_start message as spank_fructosa.so writes it, for a job of uid_<uid> on node
/// n1 of the cgroup v1 fixture (its /proc/self/cgroup paths point into step_<step>).
nlohmann::json step_start_message(std::uint64_t job, const std::string& step, unsigned uid);
/// A step_end message for node n1.
nlohmann::json step_end_message(std::uint64_t job, const std::string& step, int exit_status);

/// The pieces around one JobTracker; a test adjusts settings_ and then calls start().
class JobTrackerHarness : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;
    /// Builds the Shipper and the JobTracker over `fixture` (a tests/fixtures tree) in
    /// which the `hidden` components do not exist yet, and starts them.
    void start(const std::string& fixture, const std::vector<std::string>& hidden = {});
    /// Sends `message` (one JSON line) to the tracker's socket.
    void send(const nlohmann::json& message);
    /// Runs the io_context until `done()`, at most 3 s.
    template <typename Pred>
    bool wait_for(Pred done);
    /// Runs the io_context for `ms` milliseconds.
    void run_for(int ms);
    std::string socket_path() const;

    boost::asio::io_context io_;
    std::string dir_;
    FakeLmaster lmaster_{io_};
    FakeClock clock_;
    JobTrackerSettings settings_;
    std::unique_ptr<FixtureSystemReader> fixture_;
    std::unique_ptr<CgroupOverlay> reader_;
    std::unique_ptr<Shipper> shipper_;
    std::unique_ptr<JobTracker> tracker_;
    /// The jobs' hardware counters: no PMU unless a test says otherwise, so no test makes
    /// real perf_event_open calls.
    FakePerf perf_ = [] {
        FakePerf p;
        p.fail_errno = ENOENT;
        return p;
    }();
};

template <typename Pred>
bool JobTrackerHarness::wait_for(Pred done) {
    return run_until(io_, done, std::chrono::milliseconds(3000));
}

}  // namespace fructosa::test
