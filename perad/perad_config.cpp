#include "perad/perad_config.h"

#include <fmt/format.h>

#include "common/config.h"
#include "perad/graphite_render.h"

namespace fructosa {

PeradConfig read_perad_config(const IniFile& file) {
    static const char* const known[] = {"registry", "perad", "grafana", "graphite", "rules", "logging"};
    for (const auto& s : file.sections()) {
        bool ok = false;
        for (const char* k : known) ok = ok || s.name == k;
        if (!ok)
            throw ConfigError(fmt::format("{}: unknown section (known sections: registry, perad, grafana, graphite, rules, logging)",
                                          file.where(s, nullptr)));
    }
    PeradConfig c;
    c.registry = read_registry_settings(file);
    SectionReader perad(file, "perad");
    c.poll_interval_s = perad.get_double("poll interval", c.poll_interval_s, 0.05, 86400);
    c.batch_size = static_cast<std::size_t>(perad.get_int("batch size", static_cast<long long>(c.batch_size), 1, 1000000));
    c.status_file = perad.get_string("status file", "");
    if (!c.status_file.empty() && c.status_file[0] != '/') perad.fail("status file", "needs an absolute path");
    perad.reject_unknown();
    SectionReader grafana(file, "grafana");
    c.grafana_url = grafana.get_string("url", "");
    while (!c.grafana_url.empty() && c.grafana_url.back() == '/') c.grafana_url.pop_back();
    if (!c.grafana_url.empty() && c.grafana_url.rfind("http://", 0) != 0 && c.grafana_url.rfind("https://", 0) != 0)
        grafana.fail("url", fmt::format("'{}' is not an http:// or https:// address", c.grafana_url));
    grafana.reject_unknown();
    SectionReader graphite(file, "graphite");
    c.graphite.host = graphite.get_string("host", "");
    c.graphite.plaintext_port =
        static_cast<int>(graphite.get_int("carbon receiver plaintext port", c.graphite.plaintext_port, 1, 65535));
    c.graphite.prefix = graphite.get_string("prefix", "");
    c.graphite_web_url = graphite.get_string("web url", "");
    while (!c.graphite_web_url.empty() && c.graphite_web_url.back() == '/') c.graphite_web_url.pop_back();
    if (!c.graphite_web_url.empty()) {
        try {
            parse_web_url(c.graphite_web_url);
        } catch (const RenderError& e) {
            graphite.fail("web url", e.what());
        }
    }
    graphite.reject_unknown();
    c.thresholds = read_thresholds(file);
    c.logging = read_log_settings(file, kPeradDefaultLog);
    return c;
}

PeradConfig load_perad_config(const std::string& path) { return read_perad_config(IniFile::load(path)); }

std::string job_dashboard_url(const std::string& grafana_url, std::uint64_t job_id, std::optional<double> start,
                              std::optional<double> end) {
    if (grafana_url.empty()) return "";
    std::string url = fmt::format("{}/d/fructosa-job/fructosa-job?var-jobid={}", grafana_url, job_id);
    if (start) url += fmt::format("&from={}", static_cast<long long>((*start - 60) * 1000));
    if (start) url += end ? fmt::format("&to={}", static_cast<long long>((*end + 60) * 1000)) : "&to=now";
    return url;
}

}  // namespace fructosa
