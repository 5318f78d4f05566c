#include "master/carbon_sink.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include <boost/asio/ip/tcp.hpp>

using namespace fructosa;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

/// Runs `io` until `done()` or `limit`; true when done.
template <typename Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 2000ms) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(5ms);
    }
    return done();
}

int free_port() {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

/// A stand-in for carbon's receiver: accepts connections one after another and keeps
/// every byte it receives.
class FakeCarbon {
public:
    FakeCarbon(asio::io_context& io, int port)
        : acceptor_(io), socket_(io) {
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
        acceptor_.open(ep.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        accept();
    }
    /// Closes the current connection, as a restarting carbon would.
    void drop_connection() {
        boost::system::error_code ec;
        socket_.close(ec);
    }
    std::string data;
    int connections = 0;

private:
    void accept() {
        acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
            if (ec) return;
            ++connections;
            socket_ = std::move(s);
            read();
            accept();
        });
    }
    void read() {
        socket_.async_read_some(asio::buffer(buf_), [this](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return;
            data.append(buf_.data(), n);
            read();
        });
    }
    tcp::acceptor acceptor_;
    tcp::socket socket_;
    std::array<char, 4096> buf_{};
};

CarbonSinkSettings plaintext_settings(int port, std::size_t max_queued) {
    CarbonSinkSettings s;
    s.host = "127.0.0.1";
    s.port = port;
    s.protocol = CarbonProtocol::Plaintext;
    s.max_queued_points = max_queued;
    s.min_backoff = 10ms;
    s.max_backoff = 40ms;
    return s;
}

Points points(int from, int to) {
    Points out;
    for (int i = from; i <= to; ++i) out.push_back({"a." + std::to_string(i), double(1000 + i), double(i)});
    return out;
}

}  // namespace

TEST(CarbonSink, DropsTheOldestPointsWhenTheQueueIsFull) {
    asio::io_context io;
    int port = free_port();  // nobody listens here yet
    CarbonSink sink(io, plaintext_settings(port, 3));
    sink.start();
    sink.offer(points(1, 2));
    sink.offer(points(3, 5));
    run_until(io, [] { return false; }, 60ms);  // a few failed connection attempts
    auto s = sink.stats();
    EXPECT_EQ(s.points_in, 5u);
    EXPECT_EQ(s.points_dropped, 2u);
    EXPECT_EQ(s.points_queued, 3u);
    EXPECT_EQ(s.points_out, 0u);
    EXPECT_FALSE(s.connected);

    // Carbon comes up: the sink reconnects on its own and sends the three newest.
    FakeCarbon carbon(io, port);
    ASSERT_TRUE(run_until(io, [&] { return carbon.data.size() >= 30; }));
    EXPECT_EQ(carbon.data, "a.3 3 1003\na.4 4 1004\na.5 5 1005\n");
    s = sink.stats();
    EXPECT_EQ(s.points_out, 3u);
    EXPECT_EQ(s.points_queued, 0u);
    EXPECT_EQ(s.points_dropped, 2u);
    EXPECT_TRUE(s.connected);

    bool stopped = false;
    sink.stop(2000ms, [&] { stopped = true; });
    EXPECT_TRUE(run_until(io, [&] { return stopped; }));
    EXPECT_FALSE(sink.stats().connected);
}

TEST(CarbonSink, SendsPickleWithPrefixAndCountsInvalidPoints) {
    asio::io_context io;
    int port = free_port();
    FakeCarbon carbon(io, port);
    auto settings = plaintext_settings(port, 100);
    settings.protocol = CarbonProtocol::Pickle;
    settings.prefix = "pre";
    CarbonSink sink(io, settings);
    sink.start();
    sink.offer(Points{{"x.y", 7, 2.5}, {"x.nan", 7, std::numeric_limits<double>::quiet_NaN()}, {"bad path", 7, 1}});
    Points expected_points = {{"x.y", 7, 2.5}};
    std::string expected = format_pickle(expected_points, "pre").messages.at(0);
    ASSERT_TRUE(run_until(io, [&] { return carbon.data.size() >= expected.size(); }));
    EXPECT_EQ(carbon.data, expected);
    auto s = sink.stats();
    EXPECT_EQ(s.points_in, 3u);
    EXPECT_EQ(s.points_out, 1u);
    EXPECT_EQ(s.points_invalid, 2u);
    EXPECT_EQ(s.points_dropped, 0u);
}

TEST(CarbonSink, ReconnectsWhenCarbonClosesTheConnection) {
    asio::io_context io;
    int port = free_port();
    FakeCarbon carbon(io, port);
    CarbonSink sink(io, plaintext_settings(port, 100));
    sink.start();
    sink.offer(points(1, 1));
    ASSERT_TRUE(run_until(io, [&] { return carbon.data == "a.1 1 1001\n"; }));
    carbon.drop_connection();
    ASSERT_TRUE(run_until(io, [&] { return !sink.stats().connected; }));
    sink.offer(points(2, 2));
    ASSERT_TRUE(run_until(io, [&] { return carbon.data == "a.1 1 1001\na.2 2 1002\n"; }));
    EXPECT_EQ(carbon.connections, 2);
    EXPECT_EQ(sink.stats().points_out, 2u);
}

TEST(CarbonSink, StopWithoutCarbonCountsTheQueueAsDropped) {
    asio::io_context io;
    CarbonSink sink(io, plaintext_settings(free_port(), 100));
    sink.start();
    sink.offer(points(1, 4));
    bool stopped = false;
    sink.stop(2000ms, [&] { stopped = true; });
    ASSERT_TRUE(run_until(io, [&] { return stopped; }, 500ms));
    auto s = sink.stats();
    EXPECT_EQ(s.points_dropped, 4u);
    EXPECT_EQ(s.points_queued, 0u);
    sink.offer(points(5, 5));
    EXPECT_EQ(sink.stats().points_dropped, 5u);
}
