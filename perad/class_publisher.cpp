#include "perad/class_publisher.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/metric.h"
#include "common/metric_path.h"

namespace fructosa {

namespace {

constexpr int kTimeoutMs = 1000;

/// Connects and writes everything within the timeout; "" on success, else why not.
std::string send_all(const GraphiteTarget& t, const std::string& text) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(t.host.c_str(), std::to_string(t.plaintext_port).c_str(), &hints, &res);
    if (rc != 0) return gai_strerror(rc);
    std::string error = "no address";
    for (addrinfo* a = res; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        bool ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS;
        if (!ok) error = std::strerror(errno);  // refused at once: say so, not "no address"
        std::size_t done = 0;
        while (ok && done < text.size()) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, kTimeoutMs) != 1) {
                ok = false;
                error = "timed out";
                break;
            }
            ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN) {
                ok = false;
                error = std::strerror(errno);
            }
            if (n > 0) done += static_cast<std::size_t>(n);
        }
        ::close(fd);
        if (ok && done == text.size()) {
            error.clear();
            break;
        }
    }
    ::freeaddrinfo(res);
    return error;
}

}  // namespace

std::string class_lines(const std::vector<ClassPoint>& points, const std::string& prefix) {
    std::string out;
    auto line = [&](std::uint64_t job_id, const std::string& job_class, int value, double end) {
        std::string path = perad_class_path(job_id, sanitize_component(job_class));
        if (!prefix.empty()) path = prefix + "." + path;
        out += fmt::format("{} {} {}\n", path, value, static_cast<long long>(end));
    };
    for (const auto& p : points) {
        line(p.verdict.job_id, p.verdict.job_class, 1, p.end_time);
        if (!p.replaced_class.empty() && p.replaced_class != p.verdict.job_class)
            line(p.verdict.job_id, p.replaced_class, 0, p.end_time);
    }
    return out;
}

std::string dropped_line(const std::string& host, std::uint64_t dropped, double time, const std::string& prefix) {
    std::string path = child_path(child_path("fructosa.perad", sanitize_component(host)), "class_points_dropped");
    if (!prefix.empty()) path = prefix + "." + path;
    return fmt::format("{} {} {}\n", path, dropped, static_cast<long long>(time));
}

double ClassPublisher::wall_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ClassPublisher::ClassPublisher(GraphiteTarget target, std::string self_host, std::function<double()> clock)
    : target_(std::move(target)), self_host_(std::move(self_host)), clock_(std::move(clock)) {}

void ClassPublisher::publish(const std::vector<ClassPoint>& verdicts) {
    if (target_.host.empty() || verdicts.empty()) return;
    std::string lines = class_lines(verdicts, target_.prefix);
    std::uint64_t points = static_cast<std::uint64_t>(std::count(lines.begin(), lines.end(), '\n'));
    // Once anything was lost, the count travels with every later send (a counter series).
    std::string text = dropped_ > 0 ? dropped_line(self_host_, dropped_, clock_(), target_.prefix) + lines : lines;
    std::string error = send_all(target_, text);
    if (error.empty()) {
        complaint_.release(fmt::format("Graphite at {}:{} takes job classes again", target_.host, target_.plaintext_port));
        return;
    }
    dropped_ += points;
    complaint_.complain(fmt::format("cannot send {} job classes to Graphite at {}:{}: {} ({} class points dropped so "
                                    "far; the verdicts stay in the registry)",
                                    verdicts.size(), target_.host, target_.plaintext_port, error, dropped_));
}

}  // namespace fructosa
