#pragma once
/// Carbon's consistent-hash ring (`carbon_ch`, carbon/hashing.py), so that lmaster puts
/// every series on the carbon-cache that carbon-relay, carbon-c-relay's `carbon_ch`
/// cluster and graphite-web's CARBONLINK_HOSTS would pick for it: graphite-web then
/// finds every series, and lmaster can replace a carbon-relay tier.
///
/// The ring, as carbon builds it: each destination (server, instance) gets 100 replica
/// points at md5("('server', 'instance'):i")[first 16 bits], a position already taken
/// moves up by one; a metric goes to the first replica at or after md5(metric)[16 bits],
/// wrapping around, and its further copies (REPLICATION_FACTOR > 1) to the next distinct
/// destinations along the ring.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

/// One carbon-cache as carbon's DESTINATIONS names it: server:port:instance. The
/// instance may be empty (Python's None). The port does not enter the hash.
struct CarbonDestination {
    std::string server;
    int port = 0;
    std::string instance;
    bool operator==(const CarbonDestination&) const = default;
};

/// Parses "server:port[:instance]" (carbon's DESTINATIONS syntax); throws
/// std::invalid_argument with a one-line reason.
CarbonDestination parse_carbon_destination(std::string_view text);

/// "server:port:instance" (or "server:port").
std::string to_string(const CarbonDestination& d);

class CarbonHashRing {
public:
    /// Throws std::invalid_argument for no destinations or two with the same
    /// (server, instance), as carbon does.
    explicit CarbonHashRing(std::vector<CarbonDestination> destinations, unsigned replica_count = 100);

    /// carbon's ring position of `key`: the first 16 bits of its md5.
    static std::uint32_t position(std::string_view key);

    /// Indexes into destinations() of the first `count` distinct destinations for
    /// `metric`, in carbon's order, written to `out` (cleared first).
    void destinations_for(std::string_view metric, std::size_t count, std::vector<std::size_t>& out) const;

    const std::vector<CarbonDestination>& destinations() const { return destinations_; }

private:
    struct Entry {
        std::uint32_t position;
        std::size_t destination;
    };
    std::vector<Entry>::iterator first_at_or_after(std::uint32_t pos);

    std::vector<CarbonDestination> destinations_;
    std::vector<Entry> ring_;  ///< sorted by position; positions are unique
};

}  // namespace fructosa
