#include "collector/shipper.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

using namespace fructosa;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

/// A minimal in-test lmaster: accepts one connection at a time, decodes frames, acks batches
/// (unless told not to) and remembers every point it saw.
struct FakeMaster {
    asio::io_context& io;
    tcp::acceptor acceptor;
    std::vector<Point> points;
    std::vector<std::string> hosts;
    std::vector<std::uint64_t> seqs;
    bool ack = true;
    std::shared_ptr<tcp::socket> current;

    explicit FakeMaster(asio::io_context& io_, unsigned short port = 0)
        : io(io_), acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
        accept();
    }
    ~FakeMaster() {
        boost::system::error_code ec;
        if (current) current->close(ec);  // lmaster going away closes its connections
    }
    unsigned short port() const { return acceptor.local_endpoint().port(); }
    void accept() {
        auto sock = std::make_shared<tcp::socket>(io);
        acceptor.async_accept(*sock, [this, sock](const boost::system::error_code& ec) {
            if (ec) return;
            current = sock;
            serve(sock, std::make_shared<wire::FrameDecoder>(), std::make_shared<std::array<std::uint8_t, 4096>>());
            accept();
        });
    }
    void serve(std::shared_ptr<tcp::socket> s, std::shared_ptr<wire::FrameDecoder> d,
               std::shared_ptr<std::array<std::uint8_t, 4096>> buf) {
        s->async_read_some(asio::buffer(*buf), [this, s, d, buf](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return;
            d->feed(buf->data(), n);
            wire::Frame f;
            while (d->next(f) == wire::FrameDecoder::Result::Frame) {
                if (f.type == wire::FrameType::Hello) hosts.push_back(wire::decode_hello(f.payload).host);
                if (f.type == wire::FrameType::Batch) {
                    auto b = wire::decode_batch(f.payload);
                    seqs.push_back(b.seq);
                    points.insert(points.end(), b.points.begin(), b.points.end());
                    if (ack) asio::write(*s, asio::buffer(wire::encode_ack(b.seq)));
                }
            }
            serve(s, d, buf);
        });
    }
};

void run_until(asio::io_context& io, const std::function<bool()>& done, double seconds = 5) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.run_for(std::chrono::milliseconds(10));
        io.restart();
    }
}

ShipperConfig config_for(unsigned short port, std::size_t max_points = 1000) {
    ShipperConfig c;
    c.masters = {{"127.0.0.1", port}};
    c.agent_host = "node7";
    c.batch_interval_s = 0.05;
    c.max_queued_points = max_points;
    return c;
}

}  // namespace

TEST(Shipper, DeliversBatchesAndCountsAcks) {
    asio::io_context io;
    FakeMaster master(io);
    Shipper shipper(io, config_for(master.port()));
    shipper.start();
    shipper.add({{"node7.A.x", 1, 1}, {"node7.A.y", 1, 2}});
    run_until(io, [&] { return shipper.stats().points_sent == 2; });
    EXPECT_EQ(master.hosts, std::vector<std::string>{"node7"});
    EXPECT_EQ(master.points.size(), 2u);
    EXPECT_EQ(shipper.stats().points_queued, 0u);
    shipper.stop();
}

TEST(Shipper, UnacknowledgedBatchesAreReplayedAfterReconnect) {
    asio::io_context io;
    auto master = std::make_unique<FakeMaster>(io);
    unsigned short port = master->port();
    master->ack = false;
    Shipper shipper(io, config_for(port));
    shipper.start();
    shipper.add({{"node7.A.x", 1, 1}});
    run_until(io, [&] { return master->points.size() == 1; });
    ASSERT_EQ(master->points.size(), 1u);
    EXPECT_EQ(shipper.stats().points_queued, 1u);
    master.reset();  // lmaster goes away without acknowledging
    run_until(io, [] { return false; }, 0.3);
    master = std::make_unique<FakeMaster>(io, port);
    run_until(io, [&] { return shipper.stats().points_sent == 1; }, 10);
    EXPECT_EQ(shipper.stats().points_sent, 1u);
    ASSERT_EQ(master->points.size(), 1u);
    EXPECT_EQ(master->points[0].path, "node7.A.x");
    shipper.stop();
}

TEST(Shipper, FailsOverToTheNextLmasterInOrder) {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    unsigned short dead = probe.local_endpoint().port();
    probe.close();  // the first lmaster of the list is down
    FakeMaster second(io);
    ShipperConfig c = config_for(dead);
    c.masters.emplace_back("127.0.0.1", second.port());
    Shipper shipper(io, c);
    shipper.start();
    shipper.add({{"node7.A.x", 1, 1}});
    run_until(io, [&] { return shipper.stats().points_sent == 1; });
    EXPECT_EQ(second.points.size(), 1u);
    shipper.stop();
}

TEST(Shipper, GoesBackToTheFirstLmasterOnceItAnswersAgain) {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    unsigned short first_port = probe.local_endpoint().port();
    probe.close();  // the first lmaster of the list is down
    FakeMaster second(io);
    ShipperConfig c = config_for(first_port);
    c.masters.emplace_back("127.0.0.1", second.port());
    c.failback_s = 0.05;
    Shipper shipper(io, c);
    shipper.start();
    shipper.add({{"node7.A.x", 1, 1}});
    run_until(io, [&] { return shipper.stats().points_sent == 1; });
    EXPECT_EQ(second.points.size(), 1u);
    FakeMaster first(io, first_port);  // back
    run_until(io, [&] { return !first.hosts.empty(); });
    shipper.add({{"node7.A.x", 2, 2}});
    run_until(io, [&] { return shipper.stats().points_sent == 2; });
    ASSERT_EQ(first.points.size(), 1u);
    EXPECT_EQ(first.points[0].timestamp, 2);
    EXPECT_EQ(second.points.size(), 1u);
    shipper.stop();
}

TEST(Shipper, FullQueueDropsTheOldestAndCountsIt) {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    unsigned short port = probe.local_endpoint().port();
    probe.close();  // nobody listens: everything stays queued
    Shipper shipper(io, config_for(port, 100));
    shipper.start();
    for (int i = 0; i < 5; ++i) {
        Points p;
        for (int k = 0; k < 40; ++k) p.push_back({"node7.A." + std::to_string(i), double(i), double(k)});
        shipper.add(std::move(p));
        shipper.flush();
    }
    auto s = shipper.stats();
    EXPECT_LE(s.points_queued, 100u);
    EXPECT_EQ(s.points_queued + s.points_dropped, 200u);
    EXPECT_GT(s.points_dropped, 0u);
    shipper.stop();
}

TEST(Shipper, PointsThatComeWhenABatchIsDueLeaveAtOnceLaterOnesWaitForTheInterval) {
    asio::io_context io;
    FakeMaster master(io);
    auto config = config_for(master.port());
    config.batch_interval_s = 3600;  // the next batch is due in an hour
    Shipper shipper(io, config);
    shipper.add({{"node7.A.x", 1, 1}});  // before start: waits (the spool is not loaded yet)
    shipper.start();                      // due at once: sent with the first connection
    run_until(io, [&] { return shipper.stats().points_sent == 1; });
    EXPECT_EQ(shipper.stats().points_sent, 1u);
    shipper.add({{"node7.A.y", 2, 2}});  // within the interval: waits for its due time
    run_until(io, [] { return false; }, 0.2);
    EXPECT_EQ(master.points.size(), 1u);
    EXPECT_EQ(shipper.stats().points_queued, 1u);
    shipper.flush();  // what lagent does before a job event
    run_until(io, [&] { return shipper.stats().points_sent == 2; });
    ASSERT_EQ(master.points.size(), 2u);
    EXPECT_EQ(master.points[1].path, "node7.A.y");
    shipper.stop();
}

TEST(Shipper, AWaitingPointLeavesWhenItsBatchIsDue) {
    asio::io_context io;
    FakeMaster master(io);
    auto config = config_for(master.port());
    config.batch_interval_s = 0.3;
    Shipper shipper(io, config);
    shipper.start();
    shipper.add({{"node7.A.x", 1, 1}});  // due: at once
    shipper.add({{"node7.A.y", 2, 2}});  // waits on the timer, about 0.3 s
    run_until(io, [&] { return shipper.stats().points_sent == 2; });
    ASSERT_EQ(master.points.size(), 2u);
    EXPECT_EQ(master.seqs.size(), 2u);  // two batches
    shipper.stop();
}

TEST(Shipper, AcksWaitInTheKernelUntilTheNextBatchOrStatsInsteadOfWakingLagent) {
    // lmaster in a thread of its own, so that what runs on lagent's io_context is lagent's.
    asio::io_context master_io;
    FakeMaster master(master_io);
    unsigned short port = master.port();
    auto work = asio::make_work_guard(master_io);
    std::thread master_thread([&] { master_io.run(); });

    asio::io_context io;
    auto config = config_for(port);
    config.batch_interval_s = 3600;  // no batch timer: each batch leaves by flush()
    Shipper shipper(io, config);
    shipper.start();
    shipper.add({{"node7.A.x", 1, 1}});
    run_until(io, [&] { return shipper.stats().points_sent == 1; });
    ASSERT_EQ(shipper.stats().points_sent, 1u);

    // From here lmaster acknowledges only when the test says so, in its own thread.
    auto on_master = [&](std::function<void()> f) {
        std::promise<void> done;
        asio::post(master_io, [&] { f(); done.set_value(); });
        done.get_future().wait();
    };
    on_master([&] { master.ack = false; });
    shipper.add({{"node7.A.y", 2, 2}});
    shipper.flush();
    run_until(io, [] { return false; }, 0.2);  // the batch is written and has arrived
    on_master([&] {
        ASSERT_EQ(master.seqs.size(), 2u);
        asio::write(*master.current, asio::buffer(wire::encode_ack(master.seqs.back())));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the Ack is in lagent's kernel
    std::size_t handlers = io.run_for(std::chrono::milliseconds(300));
    EXPECT_EQ(handlers, 0u);                     // and did not wake lagent
    EXPECT_EQ(shipper.stats().points_sent, 2u);  // it is read when asked

    on_master([&] { master.ack = true; });
    shipper.add({{"node7.A.z", 3, 3}});
    shipper.flush();
    run_until(io, [] { return false; }, 0.1);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    io.restart();
    shipper.stop();  // reads the Ack first: a restart does not resend what lmaster has
    EXPECT_EQ(shipper.stats().points_sent, 3u);
    EXPECT_EQ(shipper.stats().points_queued, 0u);

    work.reset();
    master_io.stop();
    master_thread.join();
}
