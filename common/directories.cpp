#include "common/directories.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace fructosa {

namespace fs = std::filesystem;

void ensure_directory(const std::string& dir, std::string_view purpose) {
    auto fail = [&](const std::string& why, const std::string& hint) {
        throw std::runtime_error(fmt::format("cannot create directory {} for {}: {} ({})", dir, purpose, why, hint));
    };
    if (dir.empty()) return;
    // The missing folders, outermost first, so that each is made (and chmod-ed) by us.
    std::vector<fs::path> missing;
    std::error_code ec;
    fs::path p = fs::path(dir).lexically_normal();
    if (p.has_relative_path() && p.filename().empty()) p = p.parent_path();  // "a/b/" is "a/b"
    for (;; p = p.parent_path()) {
        auto st = fs::status(p, ec);
        if (fs::exists(st)) {
            if (!fs::is_directory(st))
                fail(fmt::format("{} exists and is not a directory", p.string()), "move it away or change the path");
            break;
        }
        missing.push_back(p);
        if (!p.has_relative_path() || p.parent_path().empty()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), kCreatedDirMode) != 0) {
            if (errno == EEXIST) continue;  // made meanwhile by another process
            fail(std::strerror(errno), fmt::format("create it: mkdir -p {}", dir));
        }
        ::chmod(it->c_str(), kCreatedDirMode);  // mkdir's mode went through the umask
    }
}

void ensure_parent_directory(const std::string& file, std::string_view purpose) {
    ensure_directory(fs::path(file).parent_path().string(), purpose);
}

}  // namespace fructosa
