#pragma once
/// Comma lists as the registry stores them: a job's flags, a partial job's missing nodes.

#include <string>
#include <vector>

namespace fructosa {

/// Splits a comma list, dropping empty parts.
std::vector<std::string> split_comma_list(const std::string& text);

/// Joins `parts` with commas ("" for none).
std::string join_comma_list(const std::vector<std::string>& parts);

}  // namespace fructosa
