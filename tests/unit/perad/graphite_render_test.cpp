// Reading graphite-web's render API: the JSON parser (null points, an empty answer,
// garbage refused with a clear message), the request, the address, and the fetch against
// local sockets: a canned answer, a refused connection, a server that never answers.
#include "perad/graphite_render.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "tests/unit/perad/carbon_listener.h"

namespace fructosa {
namespace {

std::string error_of(std::string_view body) {
    try {
        parse_render_json(body);
    } catch (const RenderError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(ParseRenderJson, NullPointsAreNotMeasured) {
    auto s = parse_render_json(R"([{"target": "jobs.7.n1.cpu.efficiency_percent", "tags": {},
                                    "datapoints": [[99.5, 100], [null, 101], [0, 102]]}])");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].target, "jobs.7.n1.cpu.efficiency_percent");
    EXPECT_EQ(s[0].points, (std::vector<RenderPoint>{{100, 99.5}, {101, std::nullopt}, {102, 0.0}}));
}

TEST(ParseRenderJson, EmptyListIsNoSeries) {
    EXPECT_TRUE(parse_render_json("[]").empty());
    auto s = parse_render_json(R"([{"target": "a", "datapoints": []}])");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_TRUE(s[0].points.empty());
}

TEST(ParseRenderJson, GarbageIsAClearError) {
    EXPECT_EQ(error_of("<html>\n<h1>Server Error</h1>"), "not JSON: '<html> <h1>Server Error</h1>'");
    EXPECT_EQ(error_of(""), "not JSON: ''");
    EXPECT_EQ(error_of(R"({"target": "a"})"), "not a list of series");
    EXPECT_EQ(error_of(R"([{"target": "a"}])"), "series 0 is not an object with \"target\" and \"datapoints\"");
    EXPECT_EQ(error_of(R"([{"target": 3, "datapoints": []}])"),
              "series 0 is not an object with \"target\" and \"datapoints\"");
    EXPECT_EQ(error_of(R"([{"target": "a", "datapoints": [[1, 2, 3]]}])"),
              "a point of a is not [number or null, time]: [1,2,3]");
    EXPECT_EQ(error_of(R"([{"target": "a", "datapoints": [["1", 2]]}])"),
              "a point of a is not [number or null, time]: [\"1\",2]");
    EXPECT_EQ(error_of(R"([{"target": "a", "datapoints": [[1, null]]}])"),
              "a point of a is not [number or null, time]: [1,null]");
    EXPECT_EQ(error_of(std::string(100, 'x')), "not JSON: '" + std::string(80, 'x') + "...'");
}

TEST(ParseWebUrl, HostPortAndBasePath) {
    auto a = parse_web_url("http://127.0.0.1:8080");
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, "8080");
    EXPECT_EQ(a.base_path, "");
    auto b = parse_web_url("http://mon.example.org/graphite/");
    EXPECT_EQ(b.host, "mon.example.org");
    EXPECT_EQ(b.port, "80");
    EXPECT_EQ(b.base_path, "/graphite");
    auto c = parse_web_url("http://[::1]:81");
    EXPECT_EQ(c.host, "::1");
    EXPECT_EQ(c.port, "81");
    for (const char* bad : {"https://x", "x:80", "http://", "http://x:0", "http://x:99999", "http://x:8o",
                            "http://u:p@x", "http://[::1"})
        EXPECT_THROW(parse_web_url(bad), RenderError) << bad;
}

TEST(RenderRequestTarget, EncodesTargetsAndWholeSeconds) {
    EXPECT_EQ(render_request_target(parse_web_url("http://g/graphite"), {"jobs.7.*.cpu.usage_percent", "a b"},
                                    100.7, 200.2, 500),
              "/graphite/render?target=jobs.7.%2A.cpu.usage_percent&target=a%20b&from=100&until=201&format=json"
              "&maxDataPoints=500");
}

/// Listens on 127.0.0.1, accepts one connection, reads the request head, answers
/// `response` and closes.
class OneShotServer {
public:
    explicit OneShotServer(std::string response) : response_(std::move(response)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 1) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            char buf[4096];
            ssize_t n;
            while (request_.find("\r\n\r\n") == std::string::npos && (n = ::recv(c, buf, sizeof buf, 0)) > 0)
                request_.append(buf, static_cast<std::size_t>(n));
            ::send(c, response_.data(), response_.size(), MSG_NOSIGNAL);
            ::close(c);
        });
    }
    ~OneShotServer() {
        ::shutdown(fd_, SHUT_RDWR);  // ends an accept that never got its connection
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    /// What the client sent (after the answer went out).
    const std::string& request() {
        if (thread_.joinable()) thread_.join();
        return request_;
    }

private:
    int fd_ = -1;
    int port_ = 0;
    std::string response_, request_;
    std::thread thread_;
};

TEST(FetchRender, ReadsACannedAnswer) {
    const std::string body = R"([{"target": "jobs.7.n1.cpu.usage_percent", "datapoints": [[null, 10], [50, 11]]}])";
    OneShotServer server("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    auto s = fetch_render(server.url(), {"jobs.7.*.cpu.usage_percent"}, 10, 12, 500, std::chrono::seconds(5));
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].points, (std::vector<RenderPoint>{{10, std::nullopt}, {11, 50.0}}));
    EXPECT_EQ(server.request().rfind("GET /render?target=jobs.7.%2A.cpu.usage_percent&from=10&until=12&format=json"
                                     "&maxDataPoints=500 HTTP/1.1\r\n",
                                     0),
              0u)
        << server.request();
}

TEST(FetchRender, HttpErrorsAndNonJsonNameTheServer) {
    {
        OneShotServer server("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nbad");
        try {
            fetch_render(server.url(), {"a"}, 0, 1, 10, std::chrono::seconds(5));
            FAIL() << "no error";
        } catch (const RenderError& e) {
            EXPECT_EQ(std::string(e.what()), "graphite-web at " + server.url() + " answered 500 Internal Server Error");
        }
    }
    {
        OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnope");
        try {
            fetch_render(server.url(), {"a"}, 0, 1, 10, std::chrono::seconds(5));
            FAIL() << "no error";
        } catch (const RenderError& e) {
            EXPECT_EQ(std::string(e.what()),
                      "graphite-web at " + server.url() + " answered something else than render JSON: not JSON: 'nope'");
        }
    }
}

TEST(FetchRender, RefusedConnectionIsAnError) {
    test::CarbonListener closed(false);  // bound, not listening: connections are refused
    const std::string url = "http://127.0.0.1:" + std::to_string(closed.port());
    try {
        fetch_render(url, {"a"}, 0, 1, 10, std::chrono::seconds(5));
        FAIL() << "no error";
    } catch (const RenderError& e) {
        EXPECT_EQ(std::string(e.what()), "graphite-web at " + url + ": Connection refused (connecting)");
    }
}

TEST(FetchRender, SilentServerEndsAtTheDeadline) {
    test::CarbonListener silent;  // takes the connection into its backlog, never answers
    const std::string url = "http://127.0.0.1:" + std::to_string(silent.port());
    try {
        fetch_render(url, {"a"}, 0, 1, 10, std::chrono::milliseconds(200));
        FAIL() << "no error";
    } catch (const RenderError& e) {
        EXPECT_EQ(std::string(e.what()), "graphite-web at " + url + " did not answer within 0.2 s");
    }
}

}  // namespace
}  // namespace fructosa
