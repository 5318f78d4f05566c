#include "common/status_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace fructosa {

std::string status_file_text(const Points& points, double now) {
    std::string out = fmt::format("updated {:.0f}\n", now);
    for (const auto& p : points) {
        auto dot = p.path.rfind('.');
        out += fmt::format("{} {}\n", dot == std::string::npos ? p.path : p.path.substr(dot + 1), p.value);
    }
    return out;
}

void StatusFile::write(const Points& points, double now) {
    if (path_.empty()) return;
    std::string tmp = path_ + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << status_file_text(points, now);
        out.flush();
        if (!out) {
            complaint_.complain(fmt::format("cannot write status file {}: {}", tmp, std::strerror(errno)));
            return;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path_, ec);
    if (ec) {
        complaint_.complain(fmt::format("cannot write status file {}: {}", path_, ec.message()));
        return;
    }
    complaint_.release(fmt::format("status file {} written again", path_));
}

}  // namespace fructosa
