#include "perad/class_publisher.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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

void ClassPublisher::publish(const std::vector<ClassPoint>& verdicts) {
    if (target_.host.empty() || verdicts.empty()) return;
    std::string error = send_all(target_, class_lines(verdicts, target_.prefix));
    if (error.empty())
        complaint_.release(fmt::format("Graphite at {}:{} takes job classes again", target_.host, target_.plaintext_port));
    else
        complaint_.complain(fmt::format("cannot send {} job classes to Graphite at {}:{}: {} (they stay in the registry)",
                                        verdicts.size(), target_.host, target_.plaintext_port, error));
}

}  // namespace fructosa
