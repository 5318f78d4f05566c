#pragma once
/// The folders a daemon's defaults name (/var/log/fructosa, /var/spool/fructosa/...,
/// /var/lib/fructosa, the pid file's) are made at start-up on a fresh machine, so that
/// a newcomer's first `start` works, or the daemon says in one line what to create.

#include <string>
#include <string_view>

namespace fructosa {

/// Mode of every folder a daemon creates: the daemon's user writes, everyone may read
/// (the umask does not narrow it; folders that already exist are left as they are).
inline constexpr unsigned kCreatedDirMode = 0755;

/// Makes `dir` and its missing parents with kCreatedDirMode, owned by the daemon's user.
/// Throws std::runtime_error in one line:
///   "cannot create directory DIR for PURPOSE: REASON (create it: mkdir -p DIR)", or, when a
///   file is in the way, "...: PATH exists and is not a directory (move it away or change the path)".
void ensure_directory(const std::string& dir, std::string_view purpose);

/// ensure_directory for the folder holding `file` (nothing for a bare file name).
void ensure_parent_directory(const std::string& file, std::string_view purpose);

}  // namespace fructosa
