#include "master/job_event_handler.h"

#include <algorithm>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "common/job_event.h"
#include "common/registry/apply_job_event.h"
#include "common/registry/job_store_factory.h"

namespace fructosa {

namespace {
double now_s() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

JobEventHandler::JobEventHandler(boost::asio::io_context& io, const RegistrySettings& registry,
                                 const SlurmSettings& slurm)
    : JobEventHandler(io, open_job_store(registry, JobStoreMode::ReadWrite), registry, slurm) {}

JobEventHandler::JobEventHandler(boost::asio::io_context& io, std::unique_ptr<JobEventRecorder> recorder,
                                 const RegistrySettings& registry, const SlurmSettings& slurm)
    : io_(io),
      settings_(registry),
      slurm_(slurm),
      recorder_(std::move(recorder)),
      timer_(io),
      worker_(io, "registry", kQueueCapacity) {
    if (slurm_.enrich) {
        // libslurm exits the whole process when it finds no slurm.conf: look first.
        const char* env = std::getenv("SLURM_CONF");
        std::string conf = !slurm_.conf.empty() ? slurm_.conf : env && *env ? env : "/etc/slurm/slurm.conf";
        if (::access(conf.c_str(), R_OK) != 0) {
            log_warning("no readable slurm.conf at {}: job records are not enriched from slurmctld "
                        "(set [slurm] conf, or enrich = no to silence this)", conf);
            slurm_.enrich = false;
        }
    }
    if (slurm_.enrich)
        enricher_ = std::make_unique<SlurmEnricher>(io_, slurm_.conf,
                                                    [this](const SlurmJobInfo& info) { post_slurm_answer(info); });
    recorder_->set_lifecycle_policy(
        LifecyclePolicy{enricher_ != nullptr, settings_.partial_after_s, settings_.running_timeout_s});
}

void JobEventHandler::on_slurm_answer(const SlurmJobInfo& info) {
    using Answer = SlurmJobFacts::Answer;
    try {
        recorder_->set_slurm_info(info.job_id, info.facts);
        if (info.facts.answer == Answer::Over)
            log_info("job {}: Slurm says {} (exit code {})", info.job_id, info.facts.state,
                     info.facts.exit_code.value_or(-1));
        else if (info.facts.answer == Answer::Forgotten)
            log_info("job {}: slurmctld no longer knows the job: it is over", info.job_id);
    } catch (const JobRegistryError& e) {
        store_failed_.complain(std::string(e.what()));
    }
}

void JobEventHandler::post_slurm_answer(SlurmJobInfo info) {
    bool posted = worker_.try_post(
        [this, info]() {
            on_slurm_answer(info);
            return true;
        },
        [](bool) {});
    if (!posted) worker_.when_room([this, info = std::move(info)]() { post_slurm_answer(info); });
}

JobEventHandler::~JobEventHandler() { stop(); }

void JobEventHandler::start() {
    log_info("job registry at {}{}", settings_.where(), slurm_.enrich ? ", enriched from slurmctld" : "");
    schedule_timeouts();
}

void JobEventHandler::stop() {
    timer_.cancel();
    if (enricher_) enricher_->stop();
    worker_.stop();
}

void JobEventHandler::on_event(const std::string& host, const std::string& json_text) {
    nlohmann::json event = nlohmann::json::parse(json_text, nullptr, false);
    std::string error;
    try {
        if (event.is_discarded()) {
            error = "not valid JSON";
        } else if (JobEvent parsed = job_event_from_json(event); parsed.host != host) {
            error = fmt::format("names host '{}' but came from agent '{}'", parsed.host, host);
        } else {
            apply_job_event(*recorder_, parsed);
            log_debug("job event from {}: {}", host, json_text.substr(0, 300));
            if (enricher_ && parsed.kind == JobEvent::Kind::JobEnd) enricher_->enqueue(parsed.job_id);
            return;
        }
    } catch (const JobEventError& e) {
        error = e.what();
    } catch (const JobRegistryError& e) {
        // The agent gets its Ack either way (it would resend forever): count the loss.
        ++stats_.events_lost;
        store_failed_.complain(
            fmt::format("{} (event from {} lost; {} lost so far)", e.what(), host, stats_.events_lost.load()));
        return;
    }
    ++stats_.events_refused;
    bad_event_.complain(fmt::format("job event from {} refused: {}", host, error));
}

void JobEventHandler::schedule_timeouts() {
    timer_.expires_after(std::chrono::milliseconds(
        static_cast<long>(1000 * std::clamp(settings_.partial_after_s / 10, 1.0, 30.0))));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        // On the store's thread; with the queue full of job events this tick is skipped:
        // the next one does the same work.
        worker_.try_post(
            [this]() {
                check();
                return true;
            },
            [](bool) {});
        schedule_timeouts();
    });
}

void JobEventHandler::check() {
    try {
        double now = now_s();
        for (const auto& t : recorder_->check_timeouts(now)) {
            log_warning("job {}: recorded as partial: {}", t.job_id, t.reason);
            if (enricher_) enricher_->enqueue(t.job_id);
        }
        // A job whose node died sends no job_end: ask slurmctld about jobs that went quiet.
        if (enricher_)
            for (auto id : recorder_->jobs_to_ask_slurm(now, settings_.partial_after_s, kAsksPerCheck))
                enricher_->ask(id);
    } catch (const JobRegistryError& e) {
        store_failed_.complain(std::string(e.what()));
    }
}

}  // namespace fructosa
