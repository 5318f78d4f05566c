#include "common/job_event.h"

#include <algorithm>
#include <limits>

namespace fructosa {

using json = nlohmann::json;

namespace {

std::string string_field(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

/// A count: absent, not a number or negative reads as 0; a fraction is cut; at most T's maximum.
template <typename T>
T count_field(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return 0;
    constexpr auto max = std::numeric_limits<T>::max();
    if (it->is_number_unsigned()) return static_cast<T>(std::min<std::uint64_t>(it->get<std::uint64_t>(), max));
    double v = it->get<double>();
    if (!(v > 0)) return 0;
    return v >= static_cast<double>(max) ? max : static_cast<T>(v);
}

double real_field(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return 0;
    return it->get<double>();
}

/// A string as itself, anything else as its JSON text, absent as "".
std::string text_field(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

int int_field(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

json object_field(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_object() ? *it : json();
}

}  // namespace

std::optional<std::uint32_t> JobMeta::known_uid() const {
    if (user.empty() && uid == 0) return std::nullopt;
    return uid;
}

json JobMeta::to_json() const {
    return json{{"uid", uid},           {"user", user},         {"account", account},
                {"partition", partition}, {"job_name", job_name}, {"nodelist", nodelist},
                {"nnodes", nnodes},     {"cpus", cpus},         {"mem_mb", mem_mb},
                {"gpus", gpus},         {"ntasks", ntasks},     {"interval", interval}};
}

JobMeta job_meta_from_json(const json& meta) {
    JobMeta m;
    if (!meta.is_object()) return m;
    m.uid = count_field<std::uint32_t>(meta, "uid");
    m.user = string_field(meta, "user");
    m.account = string_field(meta, "account");
    m.partition = string_field(meta, "partition");
    m.job_name = string_field(meta, "job_name");
    m.nodelist = string_field(meta, "nodelist");
    m.nnodes = count_field<std::uint32_t>(meta, "nnodes");
    m.cpus = count_field<std::uint32_t>(meta, "cpus");
    m.gpus = count_field<std::uint32_t>(meta, "gpus");
    m.ntasks = count_field<std::uint32_t>(meta, "ntasks");
    m.mem_mb = count_field<std::uint64_t>(meta, "mem_mb");
    m.interval = real_field(meta, "interval");
    return m;
}

const char* to_string(JobEvent::Kind kind) {
    switch (kind) {
        case JobEvent::Kind::StepStart: return "step_start";
        case JobEvent::Kind::StepEnd: return "step_end";
        case JobEvent::Kind::JobEnd: return "job_end";
    }
    return "?";
}

json JobEvent::to_json() const {
    json j{{"type", to_string(kind)}, {"job_id", job_id}, {"host", host}, {"time", time}};
    switch (kind) {
        case Kind::StepStart:
            j["step_id"] = step_id;
            j["meta"] = meta.to_json();
            break;
        case Kind::StepEnd:
            j["step_id"] = step_id;
            j["exit_status"] = exit_status;
            if (!summary.is_null()) j["summary"] = summary;
            break;
        case Kind::JobEnd:
            j["reason"] = reason;
            j["exit_status"] = exit_status;
            j["reattached"] = reattached;
            if (!summary.is_null()) j["summary"] = summary;
            j["meta"] = meta.to_json();
            break;
    }
    return j;
}

JobEvent job_event_from_json(const json& e) {
    if (!e.is_object()) throw JobEventError("job event is not a JSON object");
    auto type = e.find("type");
    if (type == e.end() || !type->is_string()) throw JobEventError("job event without a \"type\"");
    auto id = e.find("job_id");
    if (id == e.end() || !id->is_number_integer() || id->get<std::int64_t>() < 0)
        throw JobEventError("job event without a numeric \"job_id\"");
    auto host = e.find("host");
    if (host == e.end() || !host->is_string() || host->get<std::string>().empty())
        throw JobEventError("job event without a \"host\"");
    auto time = e.find("time");
    if (time == e.end() || !time->is_number()) throw JobEventError("job event without a numeric \"time\"");

    JobEvent ev;
    ev.job_id = id->get<std::uint64_t>();
    ev.host = host->get<std::string>();
    ev.time = time->get<double>();
    const std::string& kind = type->get_ref<const std::string&>();
    if (kind == "step_start" || kind == "step_end") {
        if (!e.contains("step_id")) throw JobEventError("job event " + kind + " without a \"step_id\"");
        ev.step_id = text_field(e, "step_id");
        if (kind == "step_start") {
            ev.kind = JobEvent::Kind::StepStart;
            ev.meta = job_meta_from_json(object_field(e, "meta"));
        } else {
            ev.kind = JobEvent::Kind::StepEnd;
            ev.exit_status = int_field(e, "exit_status");
            ev.summary = object_field(e, "summary");
        }
    } else if (kind == "job_end") {
        ev.kind = JobEvent::Kind::JobEnd;
        ev.exit_status = int_field(e, "exit_status");
        ev.summary = object_field(e, "summary");
        ev.meta = job_meta_from_json(object_field(e, "meta"));
        ev.reason = text_field(e, "reason");
        auto re = e.find("reattached");
        ev.reattached = re != e.end() && re->is_boolean() && re->get<bool>();
    } else {
        throw JobEventError("unknown job event type '" + kind + "'");
    }
    return ev;
}

}  // namespace fructosa
