#include "dashboards/dashboard_lint.h"

#include <regex>

#include <fmt/format.h>

#include "dashboards/grafana.h"

namespace fructosa {

using nlohmann::json;

const std::set<std::string>& known_units() {
    static const std::set<std::string> units = {
        "percent", "percentunit", "bytes", "decbytes", "Bps", "binBps", "bps", "Mbits", "pps", "iops",
        "ops",     "cps",         "hertz", "celsius",  "rotrpm", "s",   "ms",     "short", "none",
        "dateTimeFromNow", "dateTimeAsIso", "watt", "joule"};
    return units;
}

const std::set<std::string>& known_transformations() {
    static const std::set<std::string> ids = {"renameByRegex", "reduce",  "extractFields",
                                              "groupingToMatrix", "sortBy", "organize"};
    return ids;
}

std::vector<const json*> all_panels(const json& dashboard) {
    std::vector<const json*> out;
    if (!dashboard.is_object() || !dashboard.contains("panels") || !dashboard["panels"].is_array()) return out;
    for (const auto& p : dashboard["panels"]) {  // pointers into `dashboard`: no copies here
        out.push_back(&p);
        if (p.is_object() && p.contains("panels") && p["panels"].is_array())
            for (const auto& c : p["panels"]) out.push_back(&c);
    }
    return out;
}

std::set<std::string> variables_used(const std::string& text) {
    static const std::regex var(R"(\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\])");
    std::set<std::string> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), var); it != std::sregex_iterator(); ++it) {
        for (int g = 1; g <= 3; ++g)
            if ((*it)[g].matched) {
                std::string name = (*it)[g].str();
                if (name.rfind("__", 0) != 0) out.insert(name);
            }
    }
    return out;
}

namespace {

struct Rect {
    int x, y, w, h;
    std::string title;
};

bool overlap(const Rect& a, const Rect& b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

std::string name_of(const json& p) {
    return fmt::format("panel {} '{}'", p.contains("id") ? p["id"].dump() : "?", p.value("title", ""));
}

void check_grid(const json& p, std::vector<Rect>& level, std::vector<std::string>& problems) {
    const std::string who = name_of(p);
    if (!p.contains("gridPos") || !p["gridPos"].is_object()) {
        problems.push_back(who + ": no gridPos");
        return;
    }
    const json& g = p["gridPos"];
    for (const char* k : {"x", "y", "w", "h"})
        if (!g.contains(k) || !g[k].is_number_integer()) {
            problems.push_back(fmt::format("{}: gridPos.{} is not an integer", who, k));
            return;
        }
    Rect r{g["x"].get<int>(), g["y"].get<int>(), g["w"].get<int>(), g["h"].get<int>(), who};
    if (r.x < 0 || r.y < 0 || r.w < 1 || r.h < 1 || r.w > 24 || r.x + r.w > 24)
        problems.push_back(fmt::format("{}: gridPos x={} w={} y={} h={} out of the 24-column grid", who, r.x, r.w, r.y, r.h));
    for (const auto& other : level)
        if (overlap(r, other)) problems.push_back(fmt::format("{} overlaps {}", who, other.title));
    level.push_back(r);
}

void check_targets(const json& p, const std::set<std::string>& defined, std::vector<std::string>& problems) {
    const std::string who = name_of(p);
    const std::string ds_uid = "${" + std::string(grafana::kDatasourceVariable) + "}";
    if (p.value("datasource", json::object()).value("uid", "") != ds_uid)
        problems.push_back(who + ": datasource is not " + ds_uid);
    const json targets = p.value("targets", json::array());
    if (targets.empty()) problems.push_back(who + ": no targets");
    std::set<std::string> ref_ids;
    for (const auto& t : targets) {
        std::string ref = t.value("refId", "");
        if (ref.empty() || !ref_ids.insert(ref).second) problems.push_back(who + ": missing or repeated refId " + ref);
        std::string expr = t.value("target", "");
        if (expr.empty()) problems.push_back(who + ": empty target " + ref);
        if (t.value("datasource", json::object()).value("uid", "") != ds_uid)
            problems.push_back(who + ": target " + ref + " datasource is not " + ds_uid);
        for (const auto& v : variables_used(expr))
            if (!defined.count(v)) problems.push_back(fmt::format("{}: target {} uses undefined ${}", who, ref, v));
    }
    const json defaults = p.value("fieldConfig", json::object()).value("defaults", json::object());
    std::string unit = defaults.value("unit", "");
    if (!known_units().count(unit)) problems.push_back(fmt::format("{}: unknown unit '{}'", who, unit));
    for (const auto& o : p.value("fieldConfig", json::object()).value("overrides", json::array()))
        for (const auto& prop : o.value("properties", json::array()))
            if (prop.value("id", "") == "unit" && !known_units().count(prop.value("value", "")))
                problems.push_back(fmt::format("{}: unknown unit '{}' in an override", who, prop.value("value", "")));
    for (const auto& t : p.value("transformations", json::array()))
        if (!known_transformations().count(t.value("id", "")) || !t.contains("options") || !t["options"].is_object())
            problems.push_back(fmt::format("{}: unknown transformation '{}' or no options", who, t.value("id", "")));
}

}  // namespace

std::vector<std::string> lint_dashboard(const json& d) {
    std::vector<std::string> problems;
    if (!d.is_object()) return {"not a JSON object"};
    std::string uid = d.value("uid", "");
    if (uid.empty() || uid.size() > 40 || grafana::make_uid(uid) != uid)
        problems.push_back("uid '" + uid + "' is empty, longer than 40 or not [A-Za-z0-9_-]");
    if (d.value("title", "").empty()) problems.push_back("no title");
    if (!d.contains("schemaVersion") || !d["schemaVersion"].is_number_integer()) problems.push_back("no schemaVersion");

    std::set<std::string> defined;
    bool have_datasource_var = false;
    const json vars = d.value("templating", json::object()).value("list", json::array());
    for (const auto& v : vars) {
        std::string name = v.value("name", "");
        if (name.empty() || !defined.insert(name).second) problems.push_back("variable '" + name + "' empty or repeated");
        if (v.value("type", "") == "datasource" && v.value("query", "") == "graphite" &&
            name == grafana::kDatasourceVariable)
            have_datasource_var = true;
        if (v.value("type", "") == "query") {
            std::string q = v["query"].is_string() ? v["query"].get<std::string>() : v["query"].dump();
            for (const auto& used : variables_used(q))
                if (!defined.count(used)) problems.push_back("variable '" + name + "' uses $" + used + " defined after it or nowhere");
        }
    }
    if (!have_datasource_var) problems.push_back("no datasource variable 'ds' of type graphite");

    std::set<int> ids;
    std::vector<Rect> top;
    for (const auto& p : d.value("panels", json::array())) {
        std::vector<const json*> level{&p};
        for (const json* q : level) {
            if (!q->contains("id") || !(*q)["id"].is_number_integer() || !ids.insert((*q)["id"].get<int>()).second)
                problems.push_back(name_of(*q) + ": id missing, not an integer or repeated");
        }
        check_grid(p, top, problems);
        std::string type = p.value("type", "");
        if (type == "row") {
            std::vector<Rect> inside;
            for (const auto& c : p.value("panels", json::array())) {
                if (!c.contains("id") || !c["id"].is_number_integer() || !ids.insert(c["id"].get<int>()).second)
                    problems.push_back(name_of(c) + ": id missing, not an integer or repeated");
                if (!p.value("collapsed", false)) problems.push_back(name_of(c) + ": inside a row that is not collapsed");
                check_grid(c, inside, problems);
                if (c.value("type", "") != "text") check_targets(c, defined, problems);
            }
        } else if (type != "text") {
            check_targets(p, defined, problems);
        }
    }
    return problems;
}

}  // namespace fructosa
