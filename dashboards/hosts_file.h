#pragma once
/// The HOSTS file of make-fructosa-dashboard, as FrUCToSA 0.3.2 read it: an INI file
/// whose section (default [hosts]) names one host per line:
///
///     [hosts]
///     node001
///     GPU-Node7
///     node[010-012]          # Slurm host list syntax expands to node010 .. node012
///     login = login1, login2 # key = value: the value is a host list, the key a label
///
/// Host names keep their case (0.3.2 lower-cased them, so capitalised hosts never matched).

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

/// A HOSTS file problem; the message starts with "file:line: " when a line is at fault.
class HostsFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Host names of `section` in the INI text, in file order, without duplicates.
/// `origin` names the text in messages. Throws HostsFileError for a missing or empty
/// section, a bad line or host list, or a name lagent could not have written
/// (a dot or a character outside [A-Za-z0-9_-:+%@]: use the short host name).
std::vector<std::string> parse_hosts(std::string_view text, std::string_view section, const std::string& origin);
/// Reads `path` and parses it as above.
std::vector<std::string> read_hosts_file(const std::string& path, std::string_view section);

}  // namespace fructosa
