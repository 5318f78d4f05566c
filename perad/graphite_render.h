#pragma once
/// Reading series back from graphite-web's render API for `perad show`:
///   GET <web url>/render?target=T1&target=T2&from=F&until=U&format=json&maxDataPoints=N
/// answers [{"target": "jobs.7.n1.cpu.efficiency_percent", "datapoints": [[value|null, time], ...]}, ...].
/// One blocking request under one deadline for everything (resolve, connect, send, read):
/// `perad show` must print its verdict even when graphite-web is away or hangs.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

/// Why no series came back: a bad address, no answer in time, an HTTP error, or an answer
/// that is not render JSON. The message says which, for a person.
class RenderError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One point of a series: its time (epoch s) and value, nullopt when graphite-web has none.
struct RenderPoint {
    double time = 0;
    std::optional<double> value;
    bool operator==(const RenderPoint&) const = default;
};

/// One series of a render answer.
struct RenderSeries {
    std::string target;  ///< the path (or graphite's name for a function's result)
    std::vector<RenderPoint> points;
};

/// The parts of an http://host[:port][/base] address.
struct WebAddress {
    std::string host;
    std::string port = "80";
    std::string base_path;  ///< "" or "/graphite", without a trailing '/'
};

/// Parses `url` (http:// only; graphite-web is usually on the monitoring host itself).
/// Throws RenderError naming the address.
WebAddress parse_web_url(const std::string& url);

/// The request target: /render?target=...&from=...&until=...&format=json&maxDataPoints=...
/// (targets and times URL-encoded, times as whole epoch seconds).
std::string render_request_target(const WebAddress& at, const std::vector<std::string>& targets, double from,
                                  double until, int max_points);

/// Parses a render answer. An empty list is no error (no such series). Throws
/// RenderError for anything that is not a list of {"target": string, "datapoints":
/// [[number|null, number], ...]}.
std::vector<RenderSeries> parse_render_json(std::string_view body);

/// Fetches and parses `targets` between `from` and `until` (epoch s); at most
/// `max_points` points per series (graphite-web averages neighbours beyond that).
/// Throws RenderError when graphite-web does not answer within `timeout` in all, answers
/// with a status other than 200, or answers something else than render JSON.
std::vector<RenderSeries> fetch_render(const std::string& web_url, const std::vector<std::string>& targets,
                                       double from, double until, int max_points,
                                       std::chrono::milliseconds timeout);

}  // namespace fructosa
