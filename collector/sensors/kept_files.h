#pragma once
/// Files a sensor reads every sample, kept open and re-read with pread(2) from offset 0:
/// sysfs attributes and /proc seq files regenerate their text on every read at offset 0,
/// so one open(2)/close(2) pair per file and sample is saved. Through a SystemReader
/// without real files behind its paths (host_path() nullopt) it reads with
/// read_file_into instead.

#include <string>
#include <unordered_map>

#include "collector/system_reader.h"

namespace fructosa::sensors {

class KeptFiles {
  public:
    /// Keeps at most `capacity` files open; beyond that a file is read and closed.
    /// `one_piece`: the files are ones the kernel writes in one piece (a sysfs attribute,
    /// /proc/<pid>/stat), so a read shorter than the buffer is the whole file and the
    /// read that would return 0 at its end is saved. Not for multi-record seq files
    /// (mountstats), which may return less before their end.
    explicit KeptFiles(std::size_t capacity = 1024, bool one_piece = false)
        : capacity_(capacity), one_piece_(one_piece) {}
    ~KeptFiles();
    KeptFiles(const KeptFiles&) = delete;
    KeptFiles& operator=(const KeptFiles&) = delete;

    /// The whole of `path` into `out`; false when it cannot be opened or read (a kept
    /// descriptor that fails, because the device went away, is closed and the file
    /// opened once more before giving up).
    bool read(const SystemReader& sys, const std::string& path, std::string& out);
    /// Closes every file not read since the previous sweep (ports and mounts that went
    /// away), so the set stays bounded by what the machine has now.
    void sweep();
    std::size_t open_count() const { return files_.size(); }

  private:
    struct Kept {
        int fd = -1;
        bool used = false;
    };
    std::size_t capacity_;
    bool one_piece_;
    std::unordered_map<std::string, Kept> files_;  ///< by host path
};

/// A one-line attribute without surrounding whitespace, or nullopt (see KeptFiles::read).
std::optional<std::string> read_kept_trimmed(KeptFiles& files, const SystemReader& sys,
                                             const std::string& path);

}  // namespace fructosa::sensors
