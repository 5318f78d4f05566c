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
#include "common/status_file.h"
#include "common/registry/job_store_factory.h"
#include "perad/classifier.h"

namespace fructosa {

namespace asio = boost::asio;

namespace {

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

bool perad_applies_on_hangup(const ConfigChange& c) {
    if (iequals(c.section, "rules")) return true;
    if (iequals(c.section, "perad")) return c.key == "poll interval" || c.key == "batch size";
    return iequals(c.section, "logging") && c.key == "level";
}

RunFn make_perad_run(const PeradConfig& started_config, const std::string& config_path) {
    std::shared_ptr<JobStoreReader> registry = open_existing_job_store(started_config.registry, JobStoreMode::ReadWrite);
    std::shared_ptr<IniFile> started_file;
    if (!config_path.empty()) started_file = std::make_shared<IniFile>(IniFile::load(config_path));
    return [started_config, config_path, registry, started_file](const ReadyFn& ready) -> int {
        asio::io_context io;
        PeradConfig config = started_config;  // SIGHUP changes what it applies
        Thresholds& thresholds = config.thresholds;
        StatusFile status(config.status_file);
        std::uint64_t classified = 0;
        Complaint complaint;
        ClassPublisher publisher(config.graphite);
        asio::steady_timer timer(io);
        auto period_of = [](double s) {
            return std::chrono::duration_cast<asio::steady_timer::duration>(std::chrono::duration<double>(s));
        };

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
                classified += total;
                status.write({{"jobs_classified", 0, double(classified)}}, wall_now());
                complaint.release("job registry readable again");
            } catch (const std::exception& e) {
                complaint.complain(fmt::format("classifying failed: {}", e.what()));
            }
            timer.expires_after(period_of(config.poll_interval_s));
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
                        IniFile fresh = IniFile::load(config_path);
                        PeradConfig c = read_perad_config(fresh);
                        if (started_file)
                            log_changes_needing_restart(config_changes(*started_file, fresh), perad_applies_on_hangup,
                                                        "perad");
                        thresholds = c.thresholds;
                        config.poll_interval_s = c.poll_interval_s;  // from the next poll on
                        config.batch_size = c.batch_size;
                        if (c.logging.level != Log::level()) Log::set_level(c.logging.level);
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
        log_info("perad started: registry {}, poll every {} s, thresholds {}", config.registry.where(),
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
