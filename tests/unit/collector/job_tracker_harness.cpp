#include "tests/unit/collector/job_tracker_harness.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "common/wire.h"

namespace fructosa::test {

namespace asio = boost::asio;
using asio::ip::tcp;

bool CgroupOverlay::hidden(const std::string& path) const {
    for (std::size_t at = 0; at != std::string::npos;) {
        std::size_t next = path.find('/', at + 1);
        std::string component =
            path.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
        if (hidden_.count(component)) return true;
        at = next;
    }
    return false;
}

std::optional<std::string> CgroupOverlay::read_file(const std::string& path) const {
    if (hidden(path)) return std::nullopt;
    if (auto it = files_.find(path); it != files_.end()) return it->second;
    return base_.read_file(path);
}

std::vector<std::string> CgroupOverlay::list_dir(const std::string& path) const {
    if (hidden(path)) return {};
    auto names = base_.list_dir(path);
    std::erase_if(names, [&](const std::string& n) { return hidden_.count(n) > 0; });
    return names;
}

bool CgroupOverlay::exists(const std::string& path) const {
    return !hidden(path) && (files_.count(path) > 0 || base_.exists(path));
}

FakeLmaster::FakeLmaster(asio::io_context& io)
    : io_(io), acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
}

FakeLmaster::~FakeLmaster() {
    boost::system::error_code ec;
    if (current_) current_->close(ec);
}

void FakeLmaster::accept() {
    auto sock = std::make_shared<tcp::socket>(io_);
    acceptor_.async_accept(*sock, [this, sock](const boost::system::error_code& ec) {
        if (ec) return;
        current_ = sock;
        serve(sock, std::make_shared<wire::FrameDecoder>(),
              std::make_shared<std::array<std::uint8_t, 4096>>());
        accept();
    });
}

void FakeLmaster::serve(std::shared_ptr<tcp::socket> sock,
                        std::shared_ptr<wire::FrameDecoder> decoder,
                        std::shared_ptr<std::array<std::uint8_t, 4096>> buf) {
    sock->async_read_some(
        asio::buffer(*buf),
        [this, sock, decoder, buf](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return;
            decoder->feed(buf->data(), n);
            wire::Frame f;
            while (decoder->next(f) == wire::FrameDecoder::Result::Frame) {
                std::uint64_t seq = 0;
                if (f.type == wire::FrameType::Batch) {
                    auto b = wire::decode_batch(f.payload);
                    seq = b.seq;
                    frames_.push_back({false, std::move(b.points), {}});
                } else if (f.type == wire::FrameType::JobEvent) {
                    auto e = wire::decode_job_event(f.payload);
                    seq = e.seq;
                    frames_.push_back({true, {}, nlohmann::json::parse(e.json)});
                } else {
                    continue;  // the hello
                }
                asio::write(*sock, asio::buffer(wire::encode_ack(seq)));
            }
            serve(sock, decoder, buf);
        });
}

std::vector<JobEvent> FakeLmaster::events() const {
    std::vector<JobEvent> out;
    for (const auto& f : frames_)
        if (f.is_event) out.push_back(job_event_from_json(f.event));
    return out;
}

std::vector<Point> FakeLmaster::points(const std::string& path) const {
    std::vector<Point> out;
    for (const auto& f : frames_)
        for (const auto& p : f.points)
            if (p.path == path) out.push_back(p);
    return out;
}

std::vector<Point> FakeLmaster::points_under(const std::string& prefix) const {
    std::vector<Point> out;
    for (const auto& f : frames_)
        for (const auto& p : f.points)
            if (p.path.rfind(prefix, 0) == 0) out.push_back(p);
    return out;
}

double FakeClock::read() {
    now += step;
    reads.emplace_back(now, std::chrono::steady_clock::now());
    return now;
}

std::optional<std::chrono::steady_clock::time_point> FakeClock::read_at(double t) const {
    for (const auto& [value, when] : reads)
        if (value == t) return when;
    return std::nullopt;
}

bool send_line(const std::string& path, const std::string& line) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    const std::string text = line + "\n";
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

nlohmann::json step_start_message(std::uint64_t job, const std::string& step, unsigned uid) {
    const std::string step_dir =
        "/slurm_n1/uid_" + std::to_string(uid) + "/job_" + std::to_string(job) + "/step_" + step;
    return {{"v", 1},
            {"event", "step_start"},
            {"time", 1700000000.5},
            {"job_id", job},
            {"step_id", step},
            {"uid", uid},
            {"user", uid == 1000 ? "alice" : "bob"},
            {"account", "physics"},
            {"partition", "cpu"},
            {"job_name", "sim_" + std::to_string(job)},
            {"nodelist", "n[1-2]"},
            {"nnodes", 2},
            {"cpus", 4},
            {"mem_mb", 8192},
            {"gpus", 1},
            {"ntasks", 8},
            {"local_tasks", 4},
            {"node", "n1"},
            {"cgroup",
             {{"cpu,cpuacct", step_dir + "/task_0"},
              {"memory", step_dir + "/task_0"},
              {"freezer", step_dir},
              {"name=systemd", "/system.slice/slurmd.service"}}}};
}

nlohmann::json step_end_message(std::uint64_t job, const std::string& step, int exit_status) {
    return {{"v", 1},          {"event", "step_end"}, {"time", 1700000200.25},     {"job_id", job},
            {"step_id", step}, {"node", "n1"},        {"exit_status", exit_status}};
}

void JobTrackerHarness::SetUp() {
    char tmpl[] = "/tmp/fr-tracker-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    settings_.hostname = "n1";
    settings_.jobs.socket_path = dir_ + "/lagent-%n.sock";
    settings_.jobs.allowed_uids = {static_cast<unsigned>(::getuid())};
    settings_.jobs.default_interval_s = 3600;  // no timer samples unless a test asks for them
    settings_.jobs.min_interval_s = 0.08;
}

void JobTrackerHarness::TearDown() {
    if (tracker_) tracker_->stop();
    if (shipper_) shipper_->stop();
    tracker_.reset();
    std::filesystem::remove_all(dir_);
}

void JobTrackerHarness::start(const std::string& fixture, const std::vector<std::string>& hidden) {
    fixture_ = std::make_unique<FixtureSystemReader>(fixture);
    reader_ = std::make_unique<CgroupOverlay>(*fixture_);
    for (const auto& h : hidden) reader_->hide(h);
    ShipperConfig sc;
    sc.masters = {{"127.0.0.1", lmaster_.port()}};
    sc.agent_host = settings_.hostname;
    sc.batch_interval_s = 0.02;
    shipper_ = std::make_unique<Shipper>(io_, sc);
    shipper_->start();
    tracker_ = std::make_unique<JobTracker>(io_, settings_, *reader_, *shipper_,
                                            [this] { return clock_.read(); }, perf_);
    tracker_->start();
}

void JobTrackerHarness::send(const nlohmann::json& message) {
    ASSERT_TRUE(send_line(socket_path(), message.dump())) << socket_path();
}

void JobTrackerHarness::run_for(int ms) {
    io_.restart();
    io_.run_for(std::chrono::milliseconds(ms));
}

std::string JobTrackerHarness::socket_path() const {
    return dir_ + "/lagent-" + settings_.hostname + ".sock";
}

}  // namespace fructosa::test
