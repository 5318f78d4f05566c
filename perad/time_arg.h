#pragma once
/// Times on perad's command line: absolute local dates (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS],
/// a space also allowed for the T) or ages before now (30m, 2h, 3d, 1w; s for seconds).

#include <string>
#include <string_view>

namespace fructosa {

/// Epoch seconds for `text`; `now` anchors the relative forms. Throws
/// std::invalid_argument with a message that shows the accepted forms.
double parse_time_arg(std::string_view text, double now);

/// "YYYY-MM-DD HH:MM:SS" in local time, for tables.
std::string format_local_time(double epoch_s);

}  // namespace fructosa
