#pragma once
/// How `perad show|list|summary` print: aligned tables for people, JSON and CSV for tools.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/registry/job_records.h"
#include "perad/features.h"
#include "perad/timeline.h"

namespace fructosa {

enum class OutputFormat { Table, Json, Csv };

/// Rows of cells printed as columns padded to their widest cell.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);
/// One CSV line (RFC 4180 quoting).
void print_csv_row(std::ostream& out, const std::vector<std::string>& cells);

/// `perad show`: metadata, per-node table, steps, features, class, flags, evidence,
/// recommendations and the dashboard link. `verdict` is the stored one, or one computed
/// now (`stored` false) for a job perad has not classified yet. `timeline`: the job's
/// timelines after the node table, or one line saying why there are none (JSON: "timeline",
/// null with "timeline_unavailable" when none); nullptr (--no-plot) prints nothing of it.
void print_job(std::ostream& out, const JobRecord& job, const JobFeatures& features,
               const ClassificationRecord* verdict, bool stored, const std::string& dashboard_url,
               OutputFormat format, const TimelineOutcome* timeline = nullptr);

/// `perad list`.
void print_job_list(std::ostream& out, const std::vector<JobListRow>& rows, OutputFormat format);

/// `perad summary --by <by>`.
void print_summary(std::ostream& out, const std::vector<SummaryRow>& rows, const std::string& by,
                   OutputFormat format);

/// A JSON object of one list row (used by `list --format json`).
nlohmann::json list_row_json(const JobListRow& row);

}  // namespace fructosa
