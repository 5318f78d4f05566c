#include "collector/step_event.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace fructosa {

namespace {

using json = nlohmann::json;

template <typename T>
T number(const json& j, const char* key, bool required) {
    auto it = j.find(key);
    if (it == j.end()) {
        if (required) throw StepEventError(fmt::format("missing field '{}'", key));
        return T{};
    }
    if (!it->is_number()) throw StepEventError(fmt::format("field '{}' is not a number", key));
    if constexpr (std::is_unsigned_v<T>) {
        if (it->is_number_float() || (it->is_number_integer() && !it->is_number_unsigned() && it->get<long long>() < 0))
            throw StepEventError(fmt::format("field '{}' must be a non-negative integer", key));
    }
    if constexpr (std::is_integral_v<T>) {
        // Out of T's range: converting would be undefined (a double) or wrap (an integer).
        using limits = std::numeric_limits<T>;
        bool in_range;
        if (it->is_number_float()) {
            double d = it->get<double>();
            double bound = std::ldexp(1.0, limits::digits);  // 2^digits, exact
            in_range = d >= (limits::is_signed ? -bound : 0.0) && d < bound;
        } else if (it->is_number_unsigned()) {
            in_range = it->get<std::uint64_t>() <= static_cast<std::uint64_t>(limits::max());
        } else {
            auto v = it->get<std::int64_t>();
            in_range = v >= static_cast<std::int64_t>(limits::min()) &&
                       (v < 0 || static_cast<std::uint64_t>(v) <= static_cast<std::uint64_t>(limits::max()));
        }
        if (!in_range) throw StepEventError(fmt::format("field '{}' is out of range", key));
    }
    return it->get<T>();
}

std::string text(const json& j, const char* key, bool required) {
    auto it = j.find(key);
    if (it == j.end()) {
        if (required) throw StepEventError(fmt::format("missing field '{}'", key));
        return {};
    }
    if (!it->is_string()) throw StepEventError(fmt::format("field '{}' is not a string", key));
    return it->get<std::string>();
}

}  // namespace

StepEvent parse_step_event(std::string_view line) {
    json j = json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded()) throw StepEventError("not valid JSON");
    if (!j.is_object()) throw StepEventError("not a JSON object");
    if (number<int>(j, "v", true) != 1) throw StepEventError("unsupported message version (this lagent speaks 1)");
    StepEvent e;
    std::string kind = text(j, "event", true);
    if (kind == "step_start")
        e.kind = StepEvent::Kind::Start;
    else if (kind == "step_end")
        e.kind = StepEvent::Kind::End;
    else
        throw StepEventError(fmt::format("unknown event '{}'", kind.substr(0, 40)));
    e.time = number<double>(j, "time", false);
    e.job_id = number<unsigned long>(j, "job_id", true);
    if (e.job_id == 0) throw StepEventError("job_id 0 is not a job");
    e.step_id = text(j, "step_id", true);
    if (e.step_id.empty() || e.step_id.size() > 32) throw StepEventError("bad step_id");
    e.node = text(j, "node", true);
    if (e.kind == StepEvent::Kind::End) {
        e.exit_status = number<int>(j, "exit_status", false);
        return e;
    }
    e.uid = number<unsigned>(j, "uid", true);
    e.user = text(j, "user", false);
    e.account = text(j, "account", false);
    e.partition = text(j, "partition", false);
    e.job_name = text(j, "job_name", false);
    e.nodelist = text(j, "nodelist", false);
    e.nnodes = number<unsigned>(j, "nnodes", false);
    e.cpus = number<unsigned>(j, "cpus", false);
    e.gpus = number<unsigned>(j, "gpus", false);
    e.gpu_ids = text(j, "gpu_ids", false);  // checked where used (parse_gpu_id_list)
    if (e.gpu_ids.size() > 1024) throw StepEventError("field 'gpu_ids' is too long");
    e.ntasks = number<unsigned>(j, "ntasks", false);
    e.local_tasks = number<unsigned>(j, "local_tasks", false);
    e.mem_mb = number<unsigned long>(j, "mem_mb", false);
    e.interval = number<double>(j, "interval", false);
    if (e.interval < 0 || e.interval > 86400) throw StepEventError("interval out of range");
    if (auto it = j.find("cgroup"); it != j.end()) {
        if (!it->is_object()) throw StepEventError("field 'cgroup' is not an object");
        for (const auto& [ctrl, path] : it->items()) {
            if (!path.is_string()) throw StepEventError(fmt::format("cgroup '{}' is not a string", ctrl));
            e.cgroup[ctrl] = path.get<std::string>();
        }
    }
    return e;
}

}  // namespace fructosa
