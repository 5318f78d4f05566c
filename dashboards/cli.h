#pragma once
/// make-fructosa-dashboard's command line: 0.3.2's `HOSTS [-s SECTION]` plus --kind,
/// --out, --prefix, --datasource and --upload. main() only calls run_cli().

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace fructosa {

/// A command-line mistake; main prints it with a hint to --help and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CliOptions {
    std::string hosts_file;             ///< HOSTS (optional): one node dashboard per host listed
    std::string section = "hosts";      ///< -s/--section
    std::string kind = "all";           ///< --kind node|cluster|job|all
    std::string out_dir;                ///< --out (default "." unless uploading)
    bool out_given = false;
    std::string prefix;                 ///< --prefix: lmaster's [Graphite] prefix
    std::string datasource = "Graphite";///< --datasource: default of the datasource variable
    std::string upload_url;             ///< --upload URL
    std::string token_file;             ///< --token-file FILE (else $GRAFANA_TOKEN)
    std::string folder_uid;             ///< --folder-uid UID for the upload
    bool help = false;
    bool version = false;
};

/// Parses the arguments after the program name. Throws UsageError.
CliOptions parse_command_line(const std::vector<std::string>& args);

/// The dashboards `options` asks for, as (file name, dashboard) in writing order:
/// fructosa-node.json and <host>.json per host (kind node), fructosa-cluster.json,
/// fructosa-job.json.
std::vector<std::pair<std::string, nlohmann::json>> build_dashboards(const CliOptions& options,
                                                                     const std::vector<std::string>& hosts);

/// The usage text of --help.
std::string usage_text();

/// Everything main does; returns the exit status (0 ok, 1 failure, 2 usage error).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fructosa
