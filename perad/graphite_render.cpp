#include "perad/graphite_render.h"

#include <cctype>
#include <cmath>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fructosa {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

std::string url_encode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::string seconds_text(std::chrono::milliseconds t) { return fmt::format("{:g} s", t.count() / 1000.0); }

/// A render answer's body beyond this is refused (a wide job at 500 points a series is
/// a few MB; Beast's default for a response is 8 MB).
constexpr std::uint64_t kMaxBody = 64ull << 20;

}  // namespace

WebAddress parse_web_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) throw RenderError(fmt::format("'{}' is not an http:// address", url));
    std::string rest = url.substr(scheme.size());
    WebAddress out;
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    if (slash != std::string::npos) out.base_path = rest.substr(slash);
    while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
    if (authority.find('@') != std::string::npos)
        throw RenderError(fmt::format("'{}': user names and passwords in the address are not supported", url));
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
        const auto close = authority.find(']');
        if (close == std::string::npos) throw RenderError(fmt::format("'{}': unterminated [IPv6 address]", url));
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') throw RenderError(fmt::format("'{}': bad port", url));
            out.port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.find(':');
        out.host = authority.substr(0, colon);
        if (colon != std::string::npos) out.port = authority.substr(colon + 1);
    }
    if (out.host.empty()) throw RenderError(fmt::format("'{}': no host", url));
    if (out.port.empty() || out.port.size() > 5 || out.port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(out.port) < 1 || std::stoi(out.port) > 65535)
        throw RenderError(fmt::format("'{}': bad port", url));
    return out;
}

std::string render_request_target(const WebAddress& at, const std::vector<std::string>& targets, double from,
                                  double until, int max_points) {
    std::string q = at.base_path + "/render?";
    for (const auto& t : targets) q += "target=" + url_encode(t) + "&";
    q += fmt::format("from={}&until={}&format=json&maxDataPoints={}", static_cast<long long>(std::floor(from)),
                     static_cast<long long>(std::ceil(until)), max_points);
    return q;
}

std::vector<RenderSeries> parse_render_json(std::string_view body) {
    using json = nlohmann::json;
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded()) {
        std::string start(body.substr(0, 80));
        for (char& c : start)
            if (c == '\n' || c == '\r') c = ' ';
        throw RenderError(fmt::format("not JSON: '{}{}'", start, body.size() > 80 ? "..." : ""));
    }
    if (!doc.is_array()) throw RenderError("not a list of series");
    std::vector<RenderSeries> out;
    for (std::size_t i = 0; i < doc.size(); ++i) {
        const json& s = doc[i];
        if (!s.is_object() || !s.contains("target") || !s["target"].is_string() || !s.contains("datapoints") ||
            !s["datapoints"].is_array())
            throw RenderError(fmt::format("series {} is not an object with \"target\" and \"datapoints\"", i));
        RenderSeries series;
        series.target = s["target"].get<std::string>();
        for (const json& p : s["datapoints"]) {
            // [value, time]: graphite-web's order; value null where nothing was stored.
            if (!p.is_array() || p.size() != 2 || !p[1].is_number() || !(p[0].is_number() || p[0].is_null()))
                throw RenderError(fmt::format("a point of {} is not [number or null, time]: {}", series.target,
                                              p.dump()));
            RenderPoint point{p[1].get<double>(), std::nullopt};
            if (p[0].is_number()) point.value = p[0].get<double>();
            series.points.push_back(point);
        }
        out.push_back(std::move(series));
    }
    return out;
}

std::vector<RenderSeries> fetch_render(const std::string& web_url, const std::vector<std::string>& targets,
                                       double from, double until, int max_points,
                                       std::chrono::milliseconds timeout) {
    const WebAddress at = parse_web_url(web_url);
    const std::string where = "graphite-web at " + web_url;

    // Every step is asynchronous and the io_context runs for `timeout` at most: one
    // deadline for the whole exchange (Beast's stream timeouts only govern async calls).
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    http::request<http::empty_body> req{http::verb::get, render_request_target(at, targets, from, until, max_points),
                                        11};
    req.set(http::field::host, at.host);
    req.set(http::field::user_agent, "perad/" FRUCTOSA_VERSION);
    req.set(http::field::accept, "application/json");
    req.set(http::field::connection, "close");
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);

    bool done = false;
    std::string error;
    auto fail = [&](const char* what, const beast::error_code& ec) {
        error = fmt::format("{}: {} ({})", where, ec.message(), what);
        done = true;
    };
    resolver.async_resolve(at.host, at.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return fail("resolving its host", ec);
        stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
            if (ec) return fail("connecting", ec);
            http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
                if (ec) return fail("sending the request", ec);
                http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
                    if (ec) return fail("reading the answer", ec);
                    done = true;
                });
            });
        });
    });
    io.run_for(timeout);
    if (!done) throw RenderError(fmt::format("{} did not answer within {}", where, seconds_text(timeout)));
    if (!error.empty()) throw RenderError(error);
    const auto& res = parser.get();
    if (res.result_int() != 200)
        throw RenderError(fmt::format("{} answered {} {}", where, res.result_int(), std::string(res.reason())));
    try {
        return parse_render_json(res.body());
    } catch (const RenderError& e) {
        throw RenderError(fmt::format("{} answered something else than render JSON: {}", where, e.what()));
    }
}

}  // namespace fructosa
