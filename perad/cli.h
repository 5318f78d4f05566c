#pragma once
/// The admin commands perad runs itself, before daemon_main sees the command line:
///   perad show JOBID | list [filters] | summary --by KEY [filters] | reclassify [--since --until]
/// Exit status: 0 done, 1 the registry failed or the job is unknown, 2 a bad command line.
/// Every failure is one line on `err` starting with "perad: ".

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

/// True for show, list, summary and reclassify.
bool is_cli_command(std::string_view arg);

/// Runs one admin command; `args` starts with the command word. `now` anchors relative
/// times (2h, 3d) and stamps verdicts.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, double now);

/// The lines `perad --help` adds about these commands.
std::string cli_help();

}  // namespace fructosa
