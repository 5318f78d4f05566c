#pragma once
/// Slurm host lists ("n[1-3,7],gpu[01-02]-ib,login") expanded to host names, so the
/// job registry can tell which nodes of a job have reported.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

/// A host list that is not valid Slurm syntax; the message names the offending part.
class HostlistError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Expands `hostlist` in Slurm's syntax: comma-separated items, each with any number of
/// bracketed range lists (`a[1-3]b[1,4]` gives the product). Zero-padded bounds keep
/// their width (`n[08-10]` gives n08, n09, n10). Duplicates are kept in order of
/// appearance only once. Whitespace around items is ignored; an empty list gives none.
/// Throws HostlistError on bad syntax or when the list would exceed `max_hosts`.
std::vector<std::string> expand_hostlist(std::string_view hostlist, std::size_t max_hosts = 1'000'000);

}  // namespace fructosa
