#pragma once
/// `perad list` and `perad summary` filters as SQL, for both stores: the WHERE clause of a
/// JobFilter over `jobs` j (and `classifications` c for the flag), and the column a
/// summary groups by.

#include <string>
#include <variant>
#include <vector>

#include "common/registry/job_records.h"

namespace fructosa {

/// SQLite numbers parameters ?, PostgreSQL $1, $2, ...; each has its own substring test.
enum class SqlDialect { Sqlite, PostgreSql };

/// The WHERE clause of a filter ("" or " WHERE ...") and its parameters, in order.
struct FilterSql {
    std::string where;
    std::vector<std::variant<double, std::string>> params;
};

/// `filter` as SQL; PostgreSQL's parameters start at $`first_param`.
FilterSql job_filter_sql(const JobFilter& filter, SqlDialect dialect, int first_param = 1);

/// The column `perad summary --by BY` groups by (j.user, j.account, j.partition,
/// j.job_class); throws std::invalid_argument for another `by`.
std::string summary_group_column(const std::string& by);

}  // namespace fructosa
