#include "perad/cli.h"

#include <charconv>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "common/config.h"
#include "common/registry/job_store_factory.h"
#include "common/registry/registry_url.h"
#include "perad/classifier.h"
#include "perad/cli_output.h"
#include "perad/perad_config.h"
#include "perad/time_arg.h"
#include "perad/timeline.h"

namespace fructosa {

namespace {

/// A command-line mistake: exit status 2.
struct UsageError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};
/// A job id the registry does not know: exit status 1.
struct NotFound : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* const kCommon =
    "  -c, --config FILE   perad.conf to read [registry] path and [rules] from\n"
    "                      (default /etc/fructosa/perad.conf; built-in defaults when it does not exist)\n"
    "      --registry FILE the registry file (or postgresql:// URL), overriding the configuration\n";
const char* const kFilters =
    "      --since TIME    jobs that ended at or after TIME (YYYY-MM-DD[THH:MM] or an age: 30m, 2h, 3d, 1w)\n"
    "      --until TIME    jobs that ended at or before TIME\n"
    "      --user NAME, --account NAME, --partition NAME\n"
    "      --class CLASS   one of the classes (or 'unclassified')\n"
    "      --flag FLAG     jobs carrying this flag\n"
    "      --status S      running, finished or partial\n"
    "      --format F      table (default), json or csv\n";

const std::map<std::string, std::string>& command_help() {
    static const std::map<std::string, std::string> help{
        {"show", fmt::format("Usage: perad show JOBID [options]\n"
                             "Metadata, per-node table, features, class, flags, evidence and advice of one job.\n\n"
                             "{}      --format F      table (default) or json\n"
                             "      --no-plot       no timelines (otherwise read from [graphite] web url, at most 2 s)\n",
                             kCommon)},
        {"list", fmt::format("Usage: perad list [filters] [options]\n"
                             "Jobs, latest end first.\n\n{}{}      --limit N       at most N jobs (default 100; 0: all)\n",
                             kCommon, kFilters)},
        {"summary", fmt::format("Usage: perad summary --by user|account|partition|class [filters] [options]\n"
                                "Job counts per class and core-hours allocated, used and wasted (allocated minus "
                                "used), largest waste first.\n\n{}{}",
                                kCommon, kFilters)},
        {"reclassify", fmt::format("Usage: perad reclassify [--since TIME] [--until TIME] [options]\n"
                                   "Runs the rules again over finished jobs (all, or those ending in the range),\n"
                                   "for example after changing [rules] thresholds, and sends the classes to the\n"
                                   "[graphite] host of the configuration (a changed class's old series gets a 0).\n\n{}",
                                   kCommon)},
    };
    return help;
}

struct Args {
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;  ///< "--since" -> value; a flag such as "--no-plot" -> ""
    bool help = false;
};

/// Options that take no value.
const std::vector<std::string> kFlagOptions{"--no-plot"};

Args parse(const std::vector<std::string>& argv, const std::vector<std::string>& allowed) {
    Args a;
    a.command = argv.at(0);
    for (std::size_t i = 1; i < argv.size(); ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            a.help = true;
            continue;
        }
        if (arg == "-c") arg = "--config";
        if (arg.rfind("--", 0) != 0) {
            a.positional.push_back(arg);
            continue;
        }
        std::string value;
        bool has_value = false;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_value = true;
        }
        if (std::find(allowed.begin(), allowed.end(), arg) == allowed.end())
            throw UsageError(fmt::format("{}: unknown option '{}'", a.command, arg));
        if (std::find(kFlagOptions.begin(), kFlagOptions.end(), arg) != kFlagOptions.end()) {
            if (has_value) throw UsageError(fmt::format("{}: {} takes no value", a.command, arg));
            a.options[arg] = "";
            continue;
        }
        if (!has_value) {
            if (i + 1 >= argv.size()) throw UsageError(fmt::format("{}: {} needs a value", a.command, arg));
            value = argv[++i];
        }
        a.options[arg] = value;
    }
    return a;
}

std::optional<std::string> opt(const Args& a, const std::string& key) {
    auto it = a.options.find(key);
    if (it == a.options.end()) return std::nullopt;
    return it->second;
}

OutputFormat format_of(const Args& a, bool csv_allowed) {
    std::string f = opt(a, "--format").value_or("table");
    if (f == "table") return OutputFormat::Table;
    if (f == "json") return OutputFormat::Json;
    if (f == "csv" && csv_allowed) return OutputFormat::Csv;
    throw UsageError(fmt::format("--format: '{}' is not one of table, json{}", f, csv_allowed ? ", csv" : ""));
}

PeradConfig config_of(const Args& a) {
    PeradConfig c;
    if (auto path = opt(a, "--config")) {
        c = load_perad_config(*path);
    } else {
        std::error_code ec;
        if (std::filesystem::exists(kPeradDefaultConfig, ec)) c = load_perad_config(kPeradDefaultConfig);
    }
    if (auto reg = opt(a, "--registry")) {
        // A file, or a PostgreSQL URL: either replaces what the configuration names.
        bool url = is_postgresql_url(*reg);
        c.registry.url = url ? *reg : "";
        if (!url) c.registry.path = *reg;
    }
    return c;
}

/// Opens the registry; a missing file is an error, never silently created.
std::unique_ptr<JobStore> open_registry(const PeradConfig& c, JobStoreMode mode) {
    return open_existing_job_store(c.registry, mode);
}

bool known_name(const std::vector<std::unique_ptr<Rule>>& rules, const std::string& name) {
    for (const auto& r : rules)
        if (r->name() == name) return true;
    return false;
}

std::string names(const std::vector<std::unique_ptr<Rule>>& rules) {
    std::string s;
    for (const auto& r : rules) s += (s.empty() ? "" : ", ") + std::string(r->name());
    return s;
}

JobFilter filter_of(const Args& a, double now) {
    JobFilter f;
    try {
        if (auto v = opt(a, "--since")) f.since = parse_time_arg(*v, now);
        if (auto v = opt(a, "--until")) f.until = parse_time_arg(*v, now);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (f.since && f.until && *f.since > *f.until) throw UsageError("--since lies after --until");
    f.user = opt(a, "--user");
    f.account = opt(a, "--account");
    f.partition = opt(a, "--partition");
    f.job_class = opt(a, "--class");
    if (f.job_class && *f.job_class != "unclassified" && !known_name(builtin_rules().classes, *f.job_class))
        throw UsageError(fmt::format("--class: '{}' is not a class ({}, unclassified)", *f.job_class,
                                     names(builtin_rules().classes)));
    f.flag = opt(a, "--flag");
    if (f.flag && !known_name(builtin_rules().flags, *f.flag))
        throw UsageError(fmt::format("--flag: '{}' is not a flag ({})", *f.flag, names(builtin_rules().flags)));
    f.status = opt(a, "--status");
    if (f.status && *f.status != "running" && *f.status != "finished" && *f.status != "partial")
        throw UsageError(fmt::format("--status: '{}' is not one of running, finished, partial", *f.status));
    return f;
}

std::uint64_t parse_id(const std::string& s) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        throw UsageError(fmt::format("'{}' is not a job id (a number such as 12345)", s));
    return v;
}

const std::vector<std::string> kCommonOptions{"--config", "--registry"};
std::vector<std::string> with_common(std::vector<std::string> extra) {
    extra.insert(extra.end(), kCommonOptions.begin(), kCommonOptions.end());
    return extra;
}
const std::vector<std::string> kFilterOptions{"--since", "--until",  "--user",   "--account", "--partition",
                                              "--class", "--flag",   "--status", "--format"};

int cmd_show(const Args& a, std::ostream& out, double now) {
    if (a.positional.size() != 1) throw UsageError("show: give exactly one job id");
    std::uint64_t id = parse_id(a.positional[0]);
    OutputFormat format = format_of(a, false);
    PeradConfig c = config_of(a);
    auto reg = open_registry(c, JobStoreMode::ReadOnly);
    auto job = reg->load_job(id);
    if (!job) throw NotFound(fmt::format("job {} is not in the registry {}", id, c.registry.where()));
    JobFeatures f = compute_features(*job);
    std::optional<ClassificationRecord> computed;
    const ClassificationRecord* verdict = job->classification ? &*job->classification : nullptr;
    if (!verdict && job->info.status != "running") {
        computed = classify_job(*job, c.thresholds, now);
        verdict = &*computed;
    }
    // graphite-web gets kTimelineTimeout in all: an absent or hung one delays the verdict by that at most.
    std::optional<TimelineOutcome> timeline;
    if (!opt(a, "--no-plot")) timeline = load_timeline(c.graphite_web_url, c.graphite.prefix, *job, now);
    print_job(out, *job, f, verdict, job->classification.has_value(),
              job_dashboard_url(c.grafana_url, id, job->info.start_time, job->info.end_time), format,
              timeline ? &*timeline : nullptr);
    return 0;
}

int cmd_list(const Args& a, std::ostream& out, double now) {
    if (!a.positional.empty()) throw UsageError(fmt::format("list: unexpected argument '{}'", a.positional[0]));
    JobFilter f = filter_of(a, now);
    f.limit = 100;
    if (auto v = opt(a, "--limit")) {
        std::size_t n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (v->empty() || ec != std::errc() || p != v->data() + v->size())
            throw UsageError(fmt::format("--limit: '{}' is not a whole number", *v));
        f.limit = n;
    }
    OutputFormat format = format_of(a, true);
    PeradConfig c = config_of(a);
    auto reg = open_registry(c, JobStoreMode::ReadOnly);
    print_job_list(out, reg->list_jobs(f), format);
    return 0;
}

int cmd_summary(const Args& a, std::ostream& out, double now) {
    if (!a.positional.empty()) throw UsageError(fmt::format("summary: unexpected argument '{}'", a.positional[0]));
    std::string by = opt(a, "--by").value_or("user");
    if (by != "user" && by != "account" && by != "partition" && by != "class")
        throw UsageError(fmt::format("--by: '{}' is not one of user, account, partition, class", by));
    JobFilter f = filter_of(a, now);
    OutputFormat format = format_of(a, true);
    PeradConfig c = config_of(a);
    auto reg = open_registry(c, JobStoreMode::ReadOnly);
    print_summary(out, reg->summarize(f, by), by, format);
    return 0;
}

int cmd_reclassify(const Args& a, std::ostream& out, double now) {
    if (!a.positional.empty()) throw UsageError(fmt::format("reclassify: unexpected argument '{}'", a.positional[0]));
    JobFilter f = filter_of(a, now);
    PeradConfig c = config_of(a);
    auto reg = open_registry(c, JobStoreMode::ReadWrite);
    // Published as the daemon publishes new verdicts: a changed class's old series gets a 0.
    ClassPublisher publisher(c.graphite);
    std::size_t n = reclassify(*reg, c.thresholds, f.since, f.until, now, c.batch_size,
                               [&](const std::vector<ClassPoint>& points) { publisher.publish(points); });
    out << fmt::format("perad: reclassified {} job{} (thresholds {}){}\n", n, n == 1 ? "" : "s", c.thresholds.hash(),
                       c.graphite.host.empty()
                           ? ""
                           : fmt::format(", classes sent to {}:{}", c.graphite.host, c.graphite.plaintext_port));
    return 0;
}

}  // namespace

bool is_cli_command(std::string_view arg) {
    return arg == "show" || arg == "list" || arg == "summary" || arg == "reclassify";
}

std::string cli_help() {
    return "Admin commands (perad COMMAND --help for their options):\n"
           "  show JOBID           one job: metadata, nodes, features, class, flags, advice\n"
           "  list [filters]       jobs with their class and flags\n"
           "  summary --by KEY     counts per class and wasted core-hours per user|account|partition|class\n"
           "  reclassify [range]   run the rules again over past jobs\n"
           "Exit status: 0 done, 1 registry failed or job unknown, 2 bad command line.";
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, double now) {
    try {
        if (args.empty() || !is_cli_command(args[0])) throw UsageError("no admin command given");
        const std::string& cmd = args[0];
        Args a;
        if (cmd == "show") {
            a = parse(args, with_common({"--format", "--no-plot"}));
        } else if (cmd == "list") {
            auto allowed = with_common(kFilterOptions);
            allowed.push_back("--limit");
            a = parse(args, allowed);
        } else if (cmd == "summary") {
            auto allowed = with_common(kFilterOptions);
            allowed.push_back("--by");
            a = parse(args, allowed);
        } else {
            a = parse(args, with_common({"--since", "--until"}));
        }
        if (a.help) {
            out << command_help().at(cmd);
            return 0;
        }
        if (cmd == "show") return cmd_show(a, out, now);
        if (cmd == "list") return cmd_list(a, out, now);
        if (cmd == "summary") return cmd_summary(a, out, now);
        return cmd_reclassify(a, out, now);
    } catch (const UsageError& e) {
        err << "perad: " << e.what() << " (see perad " << (args.empty() ? "" : args[0] + " ") << "--help)\n";
        return 2;
    } catch (const ConfigError& e) {
        err << "perad: " << e.what() << "\n";
        return 2;
    } catch (const NotFound& e) {
        err << "perad: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        err << "perad: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace fructosa
