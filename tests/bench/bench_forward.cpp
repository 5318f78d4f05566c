/// The two ends of tests/bench/bench_forward.py, lmaster's forwarding benchmark:
///
///   bench_forward sink --port P --expect N [--idle S]
///       A counting carbon plaintext receiver on 127.0.0.1:P. Checks every line
///       ("a<agent>.Bench.s<series> <value> <timestamp>", the host
///       tree of agent "a<agent>"), counts each (agent, value)
///       once, and prints one JSON line when it has N distinct points or when nothing
///       came for S seconds (default 20): lines, distinct, duplicates, bad lines, the
///       time of the first and the last line.
///
///   bench_forward agents --port P --agents A --points N [--batch B] [--series S]
///                        [--protocol wire|plaintext] [--window W]
///       A agents sending N points in all (each agent N/A) as fast as the peer takes
///       them: over FrUCToSA's wire protocol to lmaster (Hello, then Batch frames of B
///       points, at most W unacknowledged per agent, as lagent), or as plaintext lines
///       to a relay. Every point's value is its number within its agent, so the sink
///       can tell losses and duplicates apart. Prints one JSON line when everything is
///       written (wire: acknowledged).
///
///   bench_forward storm --port P --agents A [--batch B]
///       A agents that connect, say Hello and have one batch of B points acked, then
///       print {"event": "up", ...}; when lmaster goes away (the driver restarts it)
///       each one reconnects as lagent does (0.2 s doubling to 30 s, no jitter; back
///       to 0.2 s once a batch is acked) and sends a batch again, and once every agent
///       has lost its connection and had a batch acked after it, prints
///       {"event": "back", "t": ..., attempts, refusals, ...}. Raises its own
///       RLIMIT_NOFILE to the hard limit (10,000 agents are 10,000 descriptors).
///
/// All run in one thread over poll(): a thousand agents are a thousand sockets, not
/// a thousand threads.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/wire.h"

namespace {

using namespace fructosa;

double now_s() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "bench_forward: %s\n", why.c_str());
    std::exit(2);
}

struct Args {
    std::vector<std::string> v;
    std::string get(const std::string& key, const std::string& def) const {
        for (std::size_t i = 0; i + 1 < v.size(); ++i)
            if (v[i] == key) return v[i + 1];
        return def;
    }
    long num(const std::string& key, long def) const {
        std::string s = get(key, "");
        if (s.empty()) return def;
        char* end = nullptr;
        long n = std::strtol(s.c_str(), &end, 10);
        if (*end || n < 0) die(fmt::format("{}: '{}' is not a number", key, s));
        return n;
    }
};

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// ---------------------------------------------------------------- sink

struct SinkState {
    std::vector<std::vector<bool>> seen;  // per agent: values received
    unsigned long long lines = 0, distinct = 0, duplicates = 0, bad = 0;
    double first = 0, last = 0;
};

/// One line "a<agent>.Bench.s<series> <value> <timestamp>".
void count_line(std::string_view line, SinkState& st) {
    ++st.lines;
    auto sp1 = line.find(' ');
    auto sp2 = line.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.substr(0, 1) != "a") {
        ++st.bad;
        return;
    }
    std::string_view path = line.substr(0, sp1);
    auto dot = path.find('.');
    if (dot == std::string_view::npos || path.substr(dot, 8) != ".Bench.s") {
        ++st.bad;
        return;
    }
    char* end = nullptr;
    std::string agent_text(path.substr(1, dot - 1));
    unsigned long agent = std::strtoul(agent_text.c_str(), &end, 10);
    std::string value_text(line.substr(sp1 + 1, sp2 - sp1 - 1));
    double value = std::strtod(value_text.c_str(), &end);
    if (*end || value < 0 || agent > 100000) {
        ++st.bad;
        return;
    }
    auto v = static_cast<std::size_t>(value);
    if (st.seen.size() <= agent) st.seen.resize(agent + 1);
    auto& bits = st.seen[agent];
    if (bits.size() <= v) bits.resize(std::max(v + 1, bits.size() * 2));
    if (bits[v]) {
        ++st.duplicates;
    } else {
        bits[v] = true;
        ++st.distinct;
    }
}

int run_sink(const Args& a) {
    int port = static_cast<int>(a.num("--port", 0));
    unsigned long long expect = static_cast<unsigned long long>(a.num("--expect", 0));
    double idle = static_cast<double>(a.num("--idle", 20));
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 1024) != 0)
        die(fmt::format("cannot listen on 127.0.0.1:{}: {}", port, std::strerror(errno)));
    set_nonblocking(lfd);
    std::printf("{\"listening\": %d}\n", port);
    std::fflush(stdout);
    SinkState st;
    std::vector<pollfd> fds{{lfd, POLLIN, 0}};
    std::vector<std::string> partial{""};
    std::vector<char> buf(1 << 20);
    double last_data = now_s();
    while (!(expect && st.distinct >= expect) && now_s() - last_data < idle) {
        if (poll(fds.data(), fds.size(), 200) <= 0) continue;
        if (fds[0].revents & POLLIN) {
            int c;
            while ((c = accept(lfd, nullptr, nullptr)) >= 0) {
                set_nonblocking(c);
                fds.push_back({c, POLLIN, 0});
                partial.emplace_back();
            }
        }
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf.data(), buf.size());
            if (n <= 0) {
                if (n < 0 && errno == EAGAIN) continue;
                close(fds[i].fd);
                fds[i].fd = -fds[i].fd - 1;  // poll ignores negative fds
                continue;
            }
            double t = now_s();
            if (st.first == 0) st.first = t;
            st.last = last_data = t;
            std::string& rest = partial[i];
            rest.append(buf.data(), static_cast<std::size_t>(n));
            std::size_t start = 0, nl;
            while ((nl = rest.find('\n', start)) != std::string::npos) {
                count_line(std::string_view(rest).substr(start, nl - start), st);
                start = nl + 1;
            }
            rest.erase(0, start);
        }
    }
    std::printf("{\"lines\": %llu, \"distinct\": %llu, \"duplicates\": %llu, \"bad\": %llu, \"first\": %.6f, "
                "\"last\": %.6f}\n",
                st.lines, st.distinct, st.duplicates, st.bad, st.first, st.last);
    return 0;
}

// ---------------------------------------------------------------- agents

struct Agent {
    int fd = -1;
    unsigned index = 0;
    std::size_t next_point = 0, points = 0;
    std::uint64_t seq = 0, acked = 0;
    std::vector<std::uint8_t> out;  // bytes still to write
    std::size_t out_at = 0;
    wire::FrameDecoder acks;        // what lmaster sends back
    bool done_writing() const { return next_point >= points && out_at >= out.size(); }
};

void fill(Agent& ag, bool wire, std::size_t batch, std::size_t series, std::size_t window, double ts) {
    if (ag.out_at < ag.out.size()) return;
    ag.out.clear();
    ag.out_at = 0;
    if (ag.next_point >= ag.points) return;
    if (wire && ag.seq - ag.acked >= window) return;
    std::size_t n = std::min(batch, ag.points - ag.next_point);
    if (wire) {
        wire::Batch b{++ag.seq, {}};
        b.points.reserve(n);
        for (std::size_t i = 0; i < n; ++i, ++ag.next_point)
            b.points.push_back({fmt::format("a{}.Bench.s{}", ag.index, ag.next_point % series), ts,
                                static_cast<double>(ag.next_point)});
        ag.out = wire::encode_batch(b);
    } else {
        std::string text;
        for (std::size_t i = 0; i < n; ++i, ++ag.next_point)
            fmt::format_to(std::back_inserter(text), "a{}.Bench.s{} {} {}\n", ag.index, ag.next_point % series,
                           ag.next_point, static_cast<long long>(ts));
        ag.out.assign(text.begin(), text.end());
    }
}

int run_agents(const Args& a) {
    int port = static_cast<int>(a.num("--port", 0));
    unsigned agents = static_cast<unsigned>(a.num("--agents", 4));
    std::size_t total = static_cast<std::size_t>(a.num("--points", 1000000));
    std::size_t batch = static_cast<std::size_t>(a.num("--batch", 5000));
    std::size_t series = static_cast<std::size_t>(a.num("--series", 200));
    std::size_t window = static_cast<std::size_t>(a.num("--window", 4));
    bool wire_protocol = a.get("--protocol", "wire") == "wire";
    if (agents == 0 || batch == 0 || series == 0) die("--agents, --batch and --series must be positive");
    double ts = std::floor(now_s());
    std::vector<Agent> ags(agents);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (unsigned i = 0; i < agents; ++i) {
        Agent& ag = ags[i];
        ag.index = i;
        ag.points = total / agents + (i < total % agents ? 1 : 0);
        ag.fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(ag.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            die(fmt::format("agent {}: cannot connect to 127.0.0.1:{}: {}", i, port, std::strerror(errno)));
        int one = 1;
        setsockopt(ag.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        set_nonblocking(ag.fd);
        if (wire_protocol) ag.out = wire::encode_hello({fmt::format("a{}", i), "bench", "none", ""});
    }
    double start = now_s();
    std::vector<pollfd> fds(agents);
    std::vector<std::uint8_t> buf(1 << 16);
    std::size_t finished = 0;
    while (finished < agents) {
        for (unsigned i = 0; i < agents; ++i) {
            Agent& ag = ags[i];
            fill(ag, wire_protocol, batch, series, window, ts);
            bool want_write = ag.out_at < ag.out.size();
            fds[i] = {ag.fd, static_cast<short>((want_write ? POLLOUT : 0) | (wire_protocol ? POLLIN : 0)), 0};
            if (ag.fd < 0) fds[i].fd = -1;
        }
        if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) die("poll failed");
        finished = 0;
        for (unsigned i = 0; i < agents; ++i) {
            Agent& ag = ags[i];
            if (fds[i].revents & POLLOUT) {
                ssize_t n = write(ag.fd, ag.out.data() + ag.out_at, ag.out.size() - ag.out_at);
                if (n < 0 && errno != EAGAIN) die(fmt::format("agent {}: write: {}", i, std::strerror(errno)));
                if (n > 0) ag.out_at += static_cast<std::size_t>(n);
            }
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = read(ag.fd, buf.data(), buf.size());
                if (n == 0) die(fmt::format("agent {}: lmaster closed the connection", i));
                if (n > 0) {
                    ag.acks.feed(buf.data(), static_cast<std::size_t>(n));
                    wire::Frame f;
                    wire::FrameDecoder::Result r;
                    while ((r = ag.acks.next(f)) == wire::FrameDecoder::Result::Frame) {
                        if (f.type == wire::FrameType::Ack) ag.acked = wire::decode_ack(f.payload);
                        if (f.type == wire::FrameType::Error)
                            die(fmt::format("agent {}: lmaster said: {}", i, wire::decode_error(f.payload)));
                    }
                    if (r == wire::FrameDecoder::Result::Bad) die(fmt::format("agent {}: {}", i, ag.acks.error()));
                }
            }
            bool done = ag.done_writing() && (!wire_protocol || ag.acked >= ag.seq);
            if (done) ++finished;
        }
    }
    double end = now_s();
    std::printf("{\"agents\": %u, \"points\": %zu, \"start\": %.6f, \"end\": %.6f}\n", agents, total, start, end);
    for (auto& ag : ags) close(ag.fd);
    return 0;
}

// ---------------------------------------------------------------- storm

/// One agent of the reconnection storm, as lagent behaves towards lmaster.
struct StormAgent {
    enum class State { Waiting, Connecting, Open };
    int fd = -1;
    State state = State::Waiting;
    double retry_at = 0;       // Waiting: when to connect again
    double delay = 0.2;        // the backoff's next delay
    std::uint64_t seq = 0, acked = 0;
    std::vector<std::uint8_t> out;
    std::size_t out_at = 0;
    wire::FrameDecoder in;
    bool lost = false;         // its first connection went away (lmaster restarted)
    bool back = false;         // acked again after that
};

void raise_nofile() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

int run_storm(const Args& a) {
    int port = static_cast<int>(a.num("--port", 0));
    unsigned agents = static_cast<unsigned>(a.num("--agents", 10000));
    std::size_t batch = static_cast<std::size_t>(a.num("--batch", 200));
    if (agents == 0 || batch == 0) die("--agents and --batch must be positive");
    raise_nofile();
    rlimit r{};
    getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < agents + 16)
        die(fmt::format("open file limit {} is below {} agents (raise the hard limit: ulimit -Hn)", r.rlim_cur, agents));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<StormAgent> ags(agents);
    unsigned long long attempts = 0, refused_connects = 0, errors = 0, closed_unacked = 0, points_acked = 0;
    std::string first_error;
    double ts = std::floor(now_s());
    auto open = [&](unsigned i) {
        StormAgent& ag = ags[i];
        ++attempts;
        ag.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (ag.fd < 0) die(fmt::format("socket: {}", std::strerror(errno)));
        int one = 1;
        setsockopt(ag.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ag.in = wire::FrameDecoder{};
        ag.out = wire::encode_hello({fmt::format("a{}", i), "bench", "none", ""});
        wire::Batch b{++ag.seq, {}};
        for (std::size_t k = 0; k < batch; ++k)
            b.points.push_back({fmt::format("a{}.Bench.s{}", i, k), ts, static_cast<double>(ag.seq * batch + k)});
        auto frame = wire::encode_batch(b);
        ag.out.insert(ag.out.end(), frame.begin(), frame.end());
        ag.out_at = 0;
        int rc = connect(ag.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ag.state = rc == 0 || errno == EINPROGRESS ? StormAgent::State::Connecting : StormAgent::State::Waiting;
        if (ag.state == StormAgent::State::Waiting) {
            ++refused_connects;
            close(ag.fd);
            ag.fd = -1;
            ag.retry_at = now_s() + ag.delay;
            ag.delay = std::min(ag.delay * 2, 30.0);
        }
    };
    // The connection went away: wait the backoff's delay, as lagent does.
    auto drop = [&](unsigned i, bool refused) {
        StormAgent& ag = ags[i];
        close(ag.fd);
        ag.fd = -1;
        if (refused) ++refused_connects;
        else if (ag.acked < ag.seq) ++closed_unacked;
        if (ag.acked > 0) ag.lost = true;  // it had been connected and acked
        ag.state = StormAgent::State::Waiting;
        ag.retry_at = now_s() + ag.delay;
        ag.delay = std::min(ag.delay * 2, 30.0);
    };
    for (unsigned i = 0; i < agents; ++i) open(i);
    std::vector<pollfd> fds(agents);
    std::vector<std::uint8_t> buf(1 << 16);
    bool up_printed = false;
    unsigned up = 0, back = 0;
    while (back < agents) {
        double now = now_s();
        for (unsigned i = 0; i < agents; ++i) {
            StormAgent& ag = ags[i];
            if (ag.state == StormAgent::State::Waiting && now >= ag.retry_at) open(i);
            short ev = 0;
            if (ag.state == StormAgent::State::Connecting) ev = POLLOUT;
            if (ag.state == StormAgent::State::Open) ev = static_cast<short>(POLLIN | (ag.out_at < ag.out.size() ? POLLOUT : 0));
            fds[i] = {ev ? ag.fd : -1, ev, 0};
        }
        if (poll(fds.data(), fds.size(), 50) < 0 && errno != EINTR) die("poll failed");
        for (unsigned i = 0; i < agents; ++i) {
            StormAgent& ag = ags[i];
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            if (ag.state == StormAgent::State::Connecting) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(ag.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    drop(i, true);
                    continue;
                }
                ag.state = StormAgent::State::Open;
            }
            if (fds[i].revents & POLLOUT && ag.out_at < ag.out.size()) {
                ssize_t n = write(ag.fd, ag.out.data() + ag.out_at, ag.out.size() - ag.out_at);
                if (n < 0 && errno != EAGAIN) {
                    drop(i, false);
                    continue;
                }
                if (n > 0) ag.out_at += static_cast<std::size_t>(n);
            }
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = read(ag.fd, buf.data(), buf.size());
                if (n == 0 || (n < 0 && errno != EAGAIN)) {
                    drop(i, false);
                    continue;
                }
                if (n < 0) continue;
                ag.in.feed(buf.data(), static_cast<std::size_t>(n));
                wire::Frame f;
                while (ag.in.next(f) == wire::FrameDecoder::Result::Frame) {
                    if (f.type == wire::FrameType::Error) {
                        ++errors;
                        if (first_error.empty()) first_error = wire::decode_error(f.payload);
                    }
                    if (f.type != wire::FrameType::Ack) continue;
                    std::uint64_t acked = wire::decode_ack(f.payload);
                    if (acked < ag.seq || ag.acked >= ag.seq) continue;
                    ag.acked = acked;
                    ag.delay = 0.2;  // lmaster takes data: healthy again
                    points_acked += batch;
                    if (!ag.lost && ++up == agents && !up_printed) {
                        up_printed = true;
                        std::printf("{\"event\": \"up\", \"t\": %.6f, \"attempts\": %llu}\n", now_s(), attempts);
                        std::fflush(stdout);
                    }
                    if (ag.lost && !ag.back) {
                        ag.back = true;
                        ++back;
                    }
                }
            }
        }
    }
    std::string err_json;
    for (char c : first_error.substr(0, 200)) err_json += (c == '"' || c == '\\') ? '?' : c;
    std::printf("{\"event\": \"back\", \"t\": %.6f, \"agents\": %u, \"attempts\": %llu, \"refused_connects\": %llu, "
                "\"closed_unacked\": %llu, \"error_frames\": %llu, \"first_error\": \"%s\", \"points_acked\": %llu}\n",
                now_s(), agents, attempts, refused_connects, closed_unacked, errors, err_json.c_str(), points_acked);
    for (auto& ag : ags)
        if (ag.fd >= 0) close(ag.fd);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args a{std::vector<std::string>(argv + 1, argv + argc)};
    std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "sink") return run_sink(a);
    if (cmd == "agents") return run_agents(a);
    if (cmd == "storm") return run_storm(a);
    std::printf(
        "usage: bench_forward sink --port P --expect N [--idle S]\n"
        "       bench_forward agents --port P --agents A --points N [--batch B] [--series S]\n"
        "                            [--protocol wire|plaintext] [--window W]\n"
        "       bench_forward storm --port P --agents A [--batch B]\n"
        "The two ends of tests/bench/bench_forward.py (lmaster's forwarding benchmark).\n");
    return cmd == "--help" || cmd == "-h" ? 0 : 2;
}
