#include "master/carbon_hash_ring.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace fructosa {

namespace {

/// Python's str() of the tuple (server, instance): the text carbon hashes for a node.
std::string python_tuple_text(const CarbonDestination& d) {
    std::string instance = d.instance.empty() ? "None" : "'" + d.instance + "'";
    return "('" + d.server + "', " + instance + ")";
}

/// What may appear in a server or instance name: anything Python would print between
/// single quotes unchanged (no quotes, backslashes, control characters or colons).
bool plain_name(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return c > ' ' && c < 0x7f && c != '\'' && c != '"' && c != '\\' && c != ':';
    });
}

}  // namespace

CarbonDestination parse_carbon_destination(std::string_view text) {
    CarbonDestination d;
    auto first = text.find(':');
    if (first == std::string_view::npos)
        throw std::invalid_argument(fmt::format("'{}' is not server:port[:instance]", text));
    d.server = std::string(text.substr(0, first));
    std::string_view rest = text.substr(first + 1);
    auto second = rest.find(':');
    std::string_view port = rest.substr(0, second);
    if (second != std::string_view::npos) d.instance = std::string(rest.substr(second + 1));
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), d.port);
    if (ec != std::errc() || end != port.data() + port.size() || d.port < 1 || d.port > 65535)
        throw std::invalid_argument(fmt::format("'{}': '{}' is not a port number", text, port));
    if (d.server.empty() || !plain_name(d.server))
        throw std::invalid_argument(fmt::format("'{}': '{}' is not a server name", text, d.server));
    if (second != std::string_view::npos && (d.instance.empty() || !plain_name(d.instance)))
        throw std::invalid_argument(fmt::format("'{}': '{}' is not an instance name", text, d.instance));
    return d;
}

std::string to_string(const CarbonDestination& d) {
    return d.instance.empty() ? fmt::format("{}:{}", d.server, d.port)
                              : fmt::format("{}:{}:{}", d.server, d.port, d.instance);
}

std::uint32_t CarbonHashRing::position(std::string_view key) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // int(md5(key).hexdigest()[:4], 16): the first two bytes, big-endian.
    EVP_Digest(key.data(), key.size(), md, &len, EVP_md5(), nullptr);
    return (std::uint32_t{md[0]} << 8) | md[1];
}

std::vector<CarbonHashRing::Entry>::iterator CarbonHashRing::first_at_or_after(std::uint32_t pos) {
    return std::lower_bound(ring_.begin(), ring_.end(), pos,
                            [](const Entry& e, std::uint32_t p) { return e.position < p; });
}

CarbonHashRing::CarbonHashRing(std::vector<CarbonDestination> destinations, unsigned replica_count)
    : destinations_(std::move(destinations)) {
    if (destinations_.empty()) throw std::invalid_argument("no carbon destinations");
    for (std::size_t i = 0; i < destinations_.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (destinations_[i].server == destinations_[j].server &&
                destinations_[i].instance == destinations_[j].instance)
                throw std::invalid_argument(fmt::format("{} repeats the server and instance of {} (carbon tells "
                                                        "destinations apart by server and instance, not port)",
                                                        to_string(destinations_[i]), to_string(destinations_[j])));
    // Built in the order carbon adds nodes, so that collisions move the same way.
    for (std::size_t d = 0; d < destinations_.size(); ++d) {
        std::string node = python_tuple_text(destinations_[d]);
        for (unsigned i = 0; i < replica_count; ++i) {
            std::uint32_t pos = position(fmt::format("{}:{}", node, i));
            auto at = first_at_or_after(pos);
            while (at != ring_.end() && at->position == pos) ++pos, ++at;  // taken: carbon moves up by one
            ring_.insert(at, Entry{pos, d});
        }
    }
}

void CarbonHashRing::destinations_for(std::string_view metric, std::size_t count, std::vector<std::size_t>& out) const {
    out.clear();
    count = std::min(count, destinations_.size());
    std::uint32_t pos = position(metric);
    if (destinations_.size() == 1) {
        if (count > 0) out.push_back(0);
        return;
    }
    std::size_t index = static_cast<std::size_t>(
                            std::lower_bound(ring_.begin(), ring_.end(), pos,
                                             [](const Entry& e, std::uint32_t p) { return e.position < p; }) -
                            ring_.begin()) %
                        ring_.size();
    // carbon walks the ring from there up to (not including) the entry before it,
    // yielding each destination the first time it meets it.
    for (std::size_t step = 0; step + 1 < ring_.size() && out.size() < count; ++step) {
        std::size_t d = ring_[(index + step) % ring_.size()].destination;
        if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    }
}

}  // namespace fructosa
