#include "perad/perad_daemon.h"

#include <chrono>
#include <iostream>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.h"
#include "common/logging.h"
#include "common/registry/job_store_factory.h"
#include "perad/classifier.h"

namespace fructosa {

namespace asio = boost::asio;

namespace {

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

RunFn make_perad_run(const PeradConfig& config, const std::string& config_path) {
    std::shared_ptr<JobStoreReader> registry = open_existing_job_store(config.registry, JobStoreMode::ReadWrite);
    return [config, config_path, registry](const ReadyFn& ready) -> int {
        asio::io_context io;
        Thresholds thresholds = config.thresholds;
        Complaint complaint;
        ClassPublisher publisher(config.graphite);
        asio::steady_timer timer(io);
        auto period = std::chrono::duration_cast<asio::steady_timer::duration>(
            std::chrono::duration<double>(config.poll_interval_s));

        std::function<void()> poll = [&]() {
            try {
                std::size_t total = 0;
                for (;;) {
                    std::vector<ClassPoint> verdicts;
                    std::size_t n = classify_pending(*registry, thresholds, config.batch_size, wall_now(), &verdicts);
                    publisher.publish(verdicts);
                    total += n;
                    if (n < config.batch_size) break;
                }
                if (total) log_info("classified {} job{}", total, total == 1 ? "" : "s");
                complaint.release("job registry readable again");
            } catch (const std::exception& e) {
                complaint.complain(fmt::format("classifying failed: {}", e.what()));
            }
            timer.expires_after(period);
            timer.async_wait([&](const boost::system::error_code& ec) {
                if (!ec) poll();
            });
        };

        asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
        std::function<void()> wait_signal = [&]() {
            signals.async_wait([&](const boost::system::error_code& ec, int sig) {
                if (ec) return;
                if (sig == SIGHUP) {
                    reopen_log_on_hangup();
                    try {
                        thresholds = load_perad_config(config_path).thresholds;
                        log_info("SIGHUP: rules re-read (thresholds {})", thresholds.hash());
                    } catch (const std::exception& e) {
                        log_error("SIGHUP: keeping the old rules: {}", e.what());
                    }
                    wait_signal();
                    return;
                }
                log_info("signal {}: stopping", sig);
                timer.cancel();
                signals.cancel();
            });
        };
        wait_signal();
        log_info("perad started: registry {}, poll every {} s, thresholds {}", config.registry.path,
                 config.poll_interval_s, thresholds.hash());
        ready();
        asio::post(io, poll);
        io.run();
        return 0;
    };
}

int check_perad_config(const std::string& path) {
    load_perad_config(path);
    std::cout << path << ": OK\n";
    return 0;
}

}  // namespace fructosa
