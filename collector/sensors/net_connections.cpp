#include "collector/sensors/net_connections.h"

#include <netinet/in.h>

#include <array>
#include <charconv>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

namespace {

/// include/net/tcp_states.h, in code order from 1.
constexpr std::array<std::string_view, 11> tcp_states = {
    "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
    "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING"};

}  // namespace

std::string tcp_state_name(int code) {
    if (code >= 1 && code <= static_cast<int>(tcp_states.size()))
        return std::string(tcp_states[code - 1]);
    return "UNKNOWN";
}

std::vector<int> parse_inet_socket_states(std::string_view text, std::string_view origin) {
    std::vector<int> out;
    auto lines = split_lines(text);
    for (std::size_t i = 1; i < lines.size(); ++i) {  // line 0 is the header
        auto w = split_words(lines[i]);
        if (w.empty()) continue;
        if (w.size() < 4)
            parse_error(origin, "socket line too short: '" + std::string(lines[i]) + "'");
        int code = 0;
        auto [p, ec] = std::from_chars(w[3].data(), w[3].data() + w[3].size(), code, 16);
        if (ec != std::errc() || p != w[3].data() + w[3].size())
            parse_error(origin, "socket state is not hex: '" + std::string(w[3]) + "'");
        out.push_back(code);
    }
    return out;
}

int count_unix_sockets(std::string_view text) {
    int n = 0;
    auto lines = split_lines(text);
    for (std::size_t i = 1; i < lines.size(); ++i)
        if (!trim(lines[i]).empty()) ++n;
    return n;
}

std::optional<int> parse_sockstat_inuse(std::string_view text, std::string_view proto,
                                        std::string_view origin) {
    for (auto line : split_lines(text)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos || line.substr(0, colon) != proto) continue;
        auto w = split_words(line.substr(colon + 1));
        for (std::size_t i = 0; i + 1 < w.size(); i += 2)
            if (w[i] == "inuse")
                return static_cast<int>(to_u64(w[i + 1], origin, std::string(proto) + " inuse"));
        parse_error(origin, "no inuse count on the " + std::string(proto) + " line");
    }
    return std::nullopt;
}

namespace {

/// UDP sockets, IPv4 and IPv6, from the kernel's per-protocol counters: nullopt
/// without /proc/net/sockstat (the socket lists are counted then). No sockstat6 or no
/// UDP6 line is a kernel without IPv6: none.
std::optional<int> udp_sockets_from_sockstat(const SystemReader& sys) {
    static const std::string v4 = "/proc/net/sockstat", v6 = "/proc/net/sockstat6";
    auto text = sys.read_file(v4);
    if (!text) return std::nullopt;
    auto udp = parse_sockstat_inuse(*text, "UDP", v4);
    if (!udp) return std::nullopt;
    if (auto text6 = sys.read_file(v6)) *udp += parse_sockstat_inuse(*text6, "UDP6", v6).value_or(0);
    return udp;
}

}  // namespace

Readings net_connections_readings(const ConnectionCounts& counts) {
    int tcp_total = 0;
    for (const auto& [state, n] : counts.tcp_by_state) tcp_total += n;
    Readings out;
    add(out, "total", tcp_total + counts.udp + counts.unix_sockets);
    for (auto state : tcp_states) {
        auto it = counts.tcp_by_state.find(std::string(state));
        add(out, "tcp." + std::string(state), it == counts.tcp_by_state.end() ? 0 : it->second);
    }
    if (auto it = counts.tcp_by_state.find("UNKNOWN"); it != counts.tcp_by_state.end())
        add(out, "tcp.UNKNOWN", it->second);
    add(out, "udp", counts.udp);
    add(out, "unix", counts.unix_sockets);
    return out;
}

namespace {

class NetConnectionsSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "NetConnections",
            "sockets by protocol and TCP state",
            {{"total", "sockets (tcp + udp + unix)"},
             {"tcp.<STATE>", "TCP sockets (IPv4 and IPv6) in ESTABLISHED, LISTEN, ..."},
             {"udp", "UDP sockets (IPv4 and IPv6)"},
             {"unix", "unix domain sockets"}},
            {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        ConnectionCounts counts;
        bool any = false;
        if (auto states = sys.inet_socket_states(IPPROTO_TCP)) {
            any = true;
            // Counted by code first: a busy node has tens of thousands of sockets, and a
            // name and a map lookup for each cost more than the kernel's dump of it.
            std::array<int, tcp_states.size() + 1> by_code{};  // [0]: codes out of range
            for (int code : *states)
                ++by_code[code >= 1 && code <= static_cast<int>(tcp_states.size()) ? code : 0];
            for (std::size_t code = 0; code < by_code.size(); ++code)
                if (by_code[code] > 0) counts.tcp_by_state[tcp_state_name(static_cast<int>(code))] += by_code[code];
        } else {
            for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
                auto text = sys.read_file(path);
                if (!text) continue;  // no IPv6 on this kernel
                any = true;
                for (int code : parse_inet_socket_states(*text, path)) ++counts.tcp_by_state[tcp_state_name(code)];
            }
        }
        if (auto udp = udp_sockets_from_sockstat(sys)) {
            any = true;
            counts.udp = *udp;
        } else if (auto states = sys.inet_socket_states(IPPROTO_UDP)) {
            any = true;
            counts.udp = static_cast<int>(states->size());
        } else {
            for (const char* path : {"/proc/net/udp", "/proc/net/udp6"}) {
                auto text = sys.read_file(path);
                if (!text) continue;
                any = true;
                counts.udp += static_cast<int>(parse_inet_socket_states(*text, path).size());
            }
        }
        if (auto text = sys.read_file("/proc/net/unix")) {
            any = true;
            counts.unix_sockets = count_unix_sockets(*text);
        }
        if (!any) return std::nullopt;
        return net_connections_readings(counts);
    }
};

}  // namespace

std::unique_ptr<Sensor> make_net_connections_sensor() {
    return std::make_unique<NetConnectionsSensor>();
}

}  // namespace fructosa::sensors
