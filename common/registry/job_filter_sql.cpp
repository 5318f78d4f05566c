#include "common/registry/job_filter_sql.h"

#include <stdexcept>

#include <fmt/format.h>

namespace fructosa {

FilterSql job_filter_sql(const JobFilter& f, SqlDialect dialect, int first_param) {
    FilterSql w;
    int next = first_param;
    auto param = [&] { return dialect == SqlDialect::Sqlite ? std::string("?") : fmt::format("${}", next++); };
    auto cond = [&](const std::string& text) {
        w.where += w.where.empty() ? " WHERE " : " AND ";
        w.where += text;
    };
    auto add = [&](const char* column_op, auto value) {
        cond(std::string(column_op) + param());
        w.params.emplace_back(value);
    };
    if (f.since) add("j.end_time >= ", *f.since);
    if (f.until) add("j.end_time <= ", *f.until);
    if (f.user) add("j.\"user\" = ", *f.user);
    if (f.account) add("j.account = ", *f.account);
    if (f.partition) add("j.partition = ", *f.partition);
    if (f.status) add("j.status = ", *f.status);
    if (f.job_class) {
        if (*f.job_class == "unclassified")
            cond("j.job_class IS NULL");
        else
            add("j.job_class = ", *f.job_class);
    }
    if (f.flag) {
        const char* find = dialect == SqlDialect::Sqlite ? "instr" : "strpos";
        cond(fmt::format("{}(',' || c.flags || ',', ',' || {} || ',') > 0", find, param()));
        w.params.emplace_back(*f.flag);
    }
    return w;
}

std::string summary_group_column(const std::string& by) {
    if (by == "class") return "j.job_class";
    if (by == "user") return "j.\"user\"";
    if (by == "account" || by == "partition") return "j." + by;
    throw std::invalid_argument(fmt::format("cannot summarise by '{}': use user, account, partition or class", by));
}

}  // namespace fructosa
