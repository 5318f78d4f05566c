#include "collector/sensors/kept_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

namespace {

/// Reads from offset 0 to EOF; false on an error (EINVAL from an attribute the driver
/// cannot show counts as unreadable, as in HostSystemReader).
bool pread_all(int fd, std::string& out, bool one_piece) {
    out.clear();
    char buf[16384];
    off_t offset = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return true;
        out.append(buf, static_cast<std::size_t>(n));
        if (one_piece && static_cast<std::size_t>(n) < sizeof buf) return true;
        offset += n;
    }
}

}  // namespace

KeptFiles::~KeptFiles() {
    for (auto& [path, k] : files_) ::close(k.fd);
}

bool KeptFiles::read(const SystemReader& sys, const std::string& path, std::string& out) {
    auto host = sys.host_path(path);
    if (!host) return sys.read_file_into(path, out);
    auto it = files_.find(*host);
    if (it != files_.end()) {
        it->second.used = true;
        if (pread_all(it->second.fd, out, one_piece_)) return true;
        ::close(it->second.fd);
        files_.erase(it);
    }
    int fd = ::open(host->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = pread_all(fd, out, one_piece_);
    if (ok && files_.size() < capacity_)
        files_[*host] = Kept{fd, true};
    else
        ::close(fd);
    return ok;
}

void KeptFiles::sweep() {
    for (auto it = files_.begin(); it != files_.end();) {
        if (!it->second.used) {
            ::close(it->second.fd);
            it = files_.erase(it);
        } else {
            it->second.used = false;
            ++it;
        }
    }
}

std::optional<std::string> read_kept_trimmed(KeptFiles& files, const SystemReader& sys,
                                             const std::string& path) {
    std::string text;
    if (!files.read(sys, path, text)) return std::nullopt;
    return std::string(trim(text));
}

}  // namespace fructosa::sensors
