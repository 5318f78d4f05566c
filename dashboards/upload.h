#pragma once
/// Uploading dashboards to Grafana's HTTP API: POST <url>/api/dashboards/db with
/// {"dashboard": ..., "overwrite": true, "folderUid": ...} and a Bearer token
/// (a service account token). Plain http:// only for now; https:// is refused with a
/// clear message (put Grafana behind a local http address, or upload the files).

#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace fructosa {

/// An upload failure: bad URL, no connection, or Grafana's answer (status and body).
class UploadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The parts of an http://host[:port][/base] address.
struct HttpUrl {
    std::string host;
    std::string port = "80";
    std::string base_path;  ///< "" or "/grafana" (no trailing '/'), for Grafana under a sub-path
};

/// Parses `url`; throws UploadError for https:// (not supported yet) and malformed addresses.
HttpUrl parse_http_url(const std::string& url);

/// The request body Grafana's /api/dashboards/db takes.
nlohmann::json upload_body(const nlohmann::json& dashboard, const std::string& folder_uid);

/// Posts one dashboard; returns Grafana's answer (JSON with "url", "uid", "status").
/// Throws UploadError on connection errors, timeouts and non-2xx answers.
nlohmann::json upload_dashboard(const HttpUrl& url, const std::string& token, const nlohmann::json& dashboard,
                                const std::string& folder_uid,
                                std::chrono::seconds timeout = std::chrono::seconds(30));

/// The token: the first line of `token_file` when given, else $GRAFANA_TOKEN.
/// Throws UploadError when neither gives a non-empty token.
std::string read_token(const std::string& token_file);

}  // namespace fructosa
