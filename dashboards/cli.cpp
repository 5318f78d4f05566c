#include "dashboards/cli.h"

#include <filesystem>
#include <fstream>
#include <ostream>

#include <fmt/format.h>

#include "dashboards/dashboards.h"
#include "dashboards/hosts_file.h"
#include "dashboards/upload.h"

namespace fructosa {

namespace fs = std::filesystem;

std::string usage_text() {
    return R"(usage: make-fructosa-dashboard [HOSTS] [-s SECTION] [--kind KIND] [--out DIR]
                               [--prefix PREFIX] [--datasource NAME]
                               [--upload URL [--token-file FILE] [--folder-uid UID]]

Writes Grafana dashboards (JSON) for data FrUCToSA sends to Graphite.

  HOSTS                 INI file whose section lists one host per line (Slurm host
                        lists such as node[001-016] allowed); a node dashboard
                        <host>.json is written for each host, names as written
  -s, --section SECTION section of HOSTS to read (default: hosts)
  --kind KIND           node, cluster, job or all (default: all):
                          node     fructosa-node.json (uid fructosa-node; pick hosts
                                   in its Host variable) and <host>.json per HOSTS entry
                          cluster  fructosa-cluster.json (uid fructosa-cluster)
                          job      fructosa-job.json (uid fructosa-job; the dashboard
                                   `perad show JOBID` links to)
  --out DIR             where to write the files (default: the current directory;
                        created if missing; with --upload only when given)
  --prefix PREFIX       the [Graphite] prefix of lmaster.conf, if one is set
  --datasource NAME     Graphite datasource selected by default (default: Graphite);
                        every dashboard has a datasource variable to switch it
  --upload URL          also POST each dashboard to Grafana at URL (http:// only),
                        e.g. http://localhost:3000, overwriting earlier versions
  --token-file FILE     file holding a Grafana service account token (first line);
                        default: the GRAFANA_TOKEN environment variable
  --folder-uid UID      Grafana folder to upload into (default: General)
  -h, --help            this help
  --version             the version

Exit status: 0 done, 1 a file or upload failed, 2 bad command line.
)";
}

CliOptions parse_command_line(const std::vector<std::string>& args) {
    CliOptions o;
    std::vector<std::string> positional;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string name = a, inline_value;
        bool has_inline = false;
        if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
            name = a.substr(0, a.find('='));
            inline_value = a.substr(a.find('=') + 1);
            has_inline = true;
        }
        auto value = [&]() -> std::string {
            if (has_inline) return inline_value;
            if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
            return args[++i];
        };
        if (name == "-h" || name == "--help") o.help = true;
        else if (name == "--version") o.version = true;
        else if (name == "-s" || name == "--section") o.section = value();
        else if (name == "--kind") o.kind = value();
        else if (name == "--out") o.out_dir = value(), o.out_given = true;
        else if (name == "--prefix") o.prefix = value();
        else if (name == "--datasource") o.datasource = value();
        else if (name == "--upload") o.upload_url = value();
        else if (name == "--token-file") o.token_file = value();
        else if (name == "--folder-uid") o.folder_uid = value();
        else if (a == "--") {
            positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        } else if (a.size() > 1 && a[0] == '-') throw UsageError("unknown option " + a);
        else positional.push_back(a);
    }
    if (o.help || o.version) return o;
    if (positional.size() > 1) throw UsageError("one HOSTS file at most (got '" + positional[1] + "' too)");
    if (!positional.empty()) o.hosts_file = positional.front();
    if (o.kind != "node" && o.kind != "cluster" && o.kind != "job" && o.kind != "all")
        throw UsageError("--kind '" + o.kind + "': use node, cluster, job or all");
    if (o.section.empty()) throw UsageError("--section needs a name");
    if (o.datasource.empty()) throw UsageError("--datasource needs a name");
    if (o.upload_url.empty() && (!o.token_file.empty() || !o.folder_uid.empty()))
        throw UsageError("--token-file and --folder-uid go with --upload");
    if (!o.out_given) o.out_dir.assign(1, '.');  // assign(1, c): GCC 12 warns falsely (-Wrestrict) on = "."
    if (o.out_given && o.out_dir.empty()) throw UsageError("--out needs a directory");
    return o;
}

std::vector<std::pair<std::string, nlohmann::json>> build_dashboards(const CliOptions& o,
                                                                     const std::vector<std::string>& hosts) {
    DashboardOptions d{o.prefix, o.datasource};
    std::vector<std::pair<std::string, nlohmann::json>> out;
    if (o.kind == "node" || o.kind == "all") {
        out.emplace_back(std::string(kNodeDashboardUid) + ".json", node_dashboard(d));
        for (const auto& h : hosts) out.emplace_back(h + ".json", host_dashboard(d, h));
    }
    if (o.kind == "cluster" || o.kind == "all")
        out.emplace_back(std::string(kClusterDashboardUid) + ".json", cluster_dashboard(d));
    if (o.kind == "job" || o.kind == "all") out.emplace_back(std::string(kJobDashboardUid) + ".json", job_dashboard(d));
    return out;
}

namespace {

void write_file(const fs::path& path, const nlohmann::json& dashboard) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error(fmt::format("{}: cannot write", tmp.string()));
        f << dashboard.dump(2) << "\n";
        if (!f.flush()) throw std::runtime_error(fmt::format("{}: write failed", tmp.string()));
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw std::runtime_error(fmt::format("{}: {}", path.string(), ec.message()));
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    CliOptions o;
    try {
        o = parse_command_line(args);
    } catch (const UsageError& e) {
        err << "make-fructosa-dashboard: " << e.what() << "\n(see make-fructosa-dashboard --help)\n";
        return 2;
    }
    if (o.help) {
        out << usage_text();
        return 0;
    }
    if (o.version) {
        out << "make-fructosa-dashboard " FRUCTOSA_VERSION "\n";
        return 0;
    }
    try {
        std::vector<std::string> hosts;
        if (!o.hosts_file.empty()) hosts = read_hosts_file(o.hosts_file, o.section);
        if (!hosts.empty() && o.kind != "node" && o.kind != "all")
            err << "make-fructosa-dashboard: note: HOSTS is only used for node dashboards (--kind " << o.kind << ")\n";
        HttpUrl url;
        std::string token;
        if (!o.upload_url.empty()) {
            url = parse_http_url(o.upload_url);
            token = read_token(o.token_file);
        }
        auto dashboards = build_dashboards(o, hosts);
        const bool write = o.upload_url.empty() || o.out_given;
        if (write) {
            std::error_code ec;
            fs::create_directories(o.out_dir, ec);
            if (ec) throw std::runtime_error(fmt::format("{}: {}", o.out_dir, ec.message()));
        }
        for (const auto& [file, dashboard] : dashboards) {
            if (write) {
                const fs::path path = fs::path(o.out_dir) / file;
                write_file(path, dashboard);
                out << "wrote " << path.string() << "\n";
            }
            if (!o.upload_url.empty()) {
                auto answer = upload_dashboard(url, token, dashboard, o.folder_uid);
                out << "uploaded " << dashboard.value("uid", "") << " to " << o.upload_url
                    << answer.value("url", std::string()) << "\n";
            }
        }
        return 0;
    } catch (const std::exception& e) {
        err << "make-fructosa-dashboard: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace fructosa
