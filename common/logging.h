#pragma once
/// Process-wide logging on fmt, configured by the 0.3.2 `[logging]` keys
/// (filename, maxBytes, backupCount, level) with size-based rotation.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace fructosa {

class IniFile;

enum class LogLevel { Debug = 10, Info = 20, Warning = 30, Error = 40, Critical = 50 };

struct LogSettings {
    std::string filename;            ///< "-" means standard error
    std::uint64_t max_bytes = 10ull << 20;  ///< rotate when the file would grow past this; 0 = never
    int backup_count = 5;            ///< keep file.1 .. file.N
    LogLevel level = LogLevel::Info;
};

/// Reads `[logging]`; absent keys take the defaults above, the file defaulting to
/// `default_filename`. Unknown keys and bad values throw ConfigError.
LogSettings read_log_settings(const IniFile& file, const std::string& default_filename);

/// Parses DEBUG/INFO/WARNING/ERROR/CRITICAL (any case); nullopt-like false on failure.
bool parse_log_level(std::string_view text, LogLevel& out);

/// One log for the whole process. Thread-safe; a single handler owns the file, so
/// rotation never races with another writer (a 0.3.2 bug).
class Log {
public:
    /// Opens the log. Throws std::runtime_error when the file cannot be opened.
    static void configure(const LogSettings& settings, std::string program);
    /// Closes the log file and opens the configured path again (SIGHUP): after
    /// logrotate has moved the file away, lines go to a new file at the path. Returns ""
    /// or why the new file could not be opened (lines then keep going to the old one).
    static std::string reopen();
    /// Also copy every line to standard error (foreground runs).
    static void also_to_stderr(bool on);
    static bool enabled(LogLevel level);
    /// Changes the threshold while running (SIGHUP applies `[logging] level`).
    static void set_level(LogLevel level);
    static LogLevel level();
    static void write(LogLevel level, std::string_view message);
};

/// A daemon's answer to SIGHUP: reopens the log file (Log::reopen) and says so in the
/// new file, or logs why it could not.
void reopen_log_on_hangup();

template <typename... Args>
void log_debug(fmt::format_string<Args...> f, Args&&... a) {
    if (Log::enabled(LogLevel::Debug)) Log::write(LogLevel::Debug, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void log_info(fmt::format_string<Args...> f, Args&&... a) {
    if (Log::enabled(LogLevel::Info)) Log::write(LogLevel::Info, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void log_warning(fmt::format_string<Args...> f, Args&&... a) {
    if (Log::enabled(LogLevel::Warning)) Log::write(LogLevel::Warning, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void log_error(fmt::format_string<Args...> f, Args&&... a) {
    if (Log::enabled(LogLevel::Error)) Log::write(LogLevel::Error, fmt::format(f, std::forward<Args>(a)...));
}

/// Rate limiter for a repeated error (collectd's complain/release): the first
/// occurrence is logged, repeats are counted and summarised at most once per
/// `period`, and `release()` logs the recovery once.
class Complaint {
public:
    explicit Complaint(std::chrono::seconds period = std::chrono::seconds(60)) : period_(period) {}
    /// Logs `message` at WARNING if due; returns true when it was written.
    bool complain(const std::string& message);
    /// Logs `message` at INFO if a complaint was active, and resets.
    void release(const std::string& message);
    bool active() const { return active_; }

private:
    std::chrono::seconds period_;
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t suppressed_ = 0;
    bool active_ = false;
};

}  // namespace fructosa
