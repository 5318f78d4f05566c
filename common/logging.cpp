#include "common/logging.h"

#include <atomic>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/time.h>

#include "common/config.h"
#include "common/directories.h"

namespace fructosa {

namespace {

struct LogState {
    std::mutex mutex;
    LogSettings settings{"-", 0, 0, LogLevel::Info};
    std::string program = "fructosa";
    std::FILE* file = nullptr;  // nullptr: standard error only
    std::uint64_t size = 0;
    bool to_stderr = false;
    /// The threshold enabled() reads without the lock (threads log; SIGHUP changes it).
    std::atomic<int> level{static_cast<int>(LogLevel::Info)};
};

LogState& state() {
    static LogState s;
    return s;
}

const char* level_name(LogLevel l) {
    switch (l) {
        case LogLevel::Debug: return "DEBUG";
        case LogLevel::Info: return "INFO";
        case LogLevel::Warning: return "WARNING";
        case LogLevel::Error: return "ERROR";
        case LogLevel::Critical: return "CRITICAL";
    }
    return "?";
}

std::FILE* open_append(const std::string& path, std::uint64_t& size) {
    std::FILE* f = std::fopen(path.c_str(), "ae");
    if (!f) return nullptr;
    struct stat st {};
    size = (::fstat(fileno(f), &st) == 0) ? static_cast<std::uint64_t>(st.st_size) : 0;
    return f;
}

/// file -> file.1 -> ... -> file.N (the oldest falls off), as Python's RotatingFileHandler.
void rotate(LogState& s) {
    if (!s.file) return;
    std::fclose(s.file);
    s.file = nullptr;
    const std::string& base = s.settings.filename;
    if (s.settings.backup_count > 0) {
        for (int i = s.settings.backup_count - 1; i >= 1; --i) {
            std::string from = fmt::format("{}.{}", base, i), to = fmt::format("{}.{}", base, i + 1);
            std::rename(from.c_str(), to.c_str());
        }
        std::rename(base.c_str(), (base + ".1").c_str());
    } else {
        std::FILE* t = std::fopen(base.c_str(), "we");  // no backups: start the file afresh
        if (t) std::fclose(t);
    }
    s.file = open_append(base, s.size);
}

}  // namespace

bool parse_log_level(std::string_view text, LogLevel& out) {
    for (LogLevel l : {LogLevel::Debug, LogLevel::Info, LogLevel::Warning, LogLevel::Error,
                       LogLevel::Critical}) {
        if (iequals(text, level_name(l))) {
            out = l;
            return true;
        }
    }
    if (iequals(text, "WARN")) { out = LogLevel::Warning; return true; }
    return false;
}

LogSettings read_log_settings(const IniFile& file, const std::string& default_filename) {
    SectionReader r(file, "logging");
    LogSettings s;
    s.filename = r.get_string("filename", default_filename);
    s.max_bytes = static_cast<std::uint64_t>(r.get_int("maxBytes", static_cast<long long>(s.max_bytes), 0, 1ll << 50));
    s.backup_count = static_cast<int>(r.get_int("backupCount", s.backup_count, 0, 1000));
    std::string level = r.get_string("level", "INFO");
    if (!parse_log_level(level, s.level))
        r.fail("level", fmt::format("'{}' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL", level));
    r.reject_unknown();
    return s;
}

void Log::configure(const LogSettings& settings, std::string program) {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    if (s.file) std::fclose(s.file);
    s.file = nullptr;
    s.settings = settings;
    s.level = static_cast<int>(settings.level);
    s.program = std::move(program);
    if (settings.filename != "-") {
        ensure_parent_directory(settings.filename, "the log file");
        s.file = open_append(settings.filename, s.size);
        if (!s.file)
            throw std::runtime_error(fmt::format("cannot open log file {}: {}", settings.filename,
                                                 std::strerror(errno)));
    }
}

std::string Log::reopen() {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.file) return "";
    const std::string& path = s.settings.filename;
    std::uint64_t size = 0;
    std::FILE* f = nullptr;
    try {
        ensure_parent_directory(path, "the log file");
        f = open_append(path, size);
    } catch (const std::exception& e) {
        return e.what();
    }
    // Until a new file opens, lines keep going to the old one: better renamed than lost.
    if (!f) return fmt::format("cannot reopen log file {}: {}", path, std::strerror(errno));
    std::fclose(s.file);
    s.file = f;
    s.size = size;
    return "";
}

void reopen_log_on_hangup() {
    std::string error = Log::reopen();
    if (error.empty())
        log_info("SIGHUP: log file reopened");
    else
        log_error("SIGHUP: {}; still writing to the old file", error);
}

void Log::also_to_stderr(bool on) {
    std::lock_guard lock(state().mutex);
    state().to_stderr = on;
}

bool Log::enabled(LogLevel level) { return static_cast<int>(level) >= state().level.load(std::memory_order_relaxed); }

void Log::set_level(LogLevel level) {
    std::lock_guard lock(state().mutex);
    state().settings.level = level;
    state().level = static_cast<int>(level);
}

LogLevel Log::level() { return static_cast<LogLevel>(state().level.load()); }

void Log::write(LogLevel level, std::string_view message) {
    LogState& s = state();
    struct timeval tv {};
    ::gettimeofday(&tv, nullptr);
    struct tm tm {};
    ::localtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    std::string line = fmt::format("{},{:03d} {}[{}] {}: {}\n", stamp, static_cast<int>(tv.tv_usec / 1000),
                                   s.program, ::getpid(), level_name(level), message);
    std::lock_guard lock(s.mutex);
    if (s.file) {
        if (s.settings.max_bytes > 0 && s.size + line.size() > s.settings.max_bytes && s.size > 0) rotate(s);
        if (s.file) {
            std::fwrite(line.data(), 1, line.size(), s.file);
            std::fflush(s.file);
            s.size += line.size();
        }
    }
    if (!s.file || s.to_stderr) std::fwrite(line.data(), 1, line.size(), stderr);
}

bool Complaint::complain(const std::string& message) {
    auto now = std::chrono::steady_clock::now();
    if (active_ && now - last_ < period_) {
        ++suppressed_;
        return false;
    }
    if (active_ && suppressed_ > 0)
        log_warning("{} (repeated {} more times since last report)", message, suppressed_);
    else
        log_warning("{}", message);
    active_ = true;
    last_ = now;
    suppressed_ = 0;
    return true;
}

void Complaint::release(const std::string& message) {
    if (!active_) return;
    active_ = false;
    suppressed_ = 0;
    log_info("{}", message);
}

}  // namespace fructosa
