#pragma once
/// `[registry] url`: which URLs select the PostgreSQL store, and how one is shown in
/// messages (never with its password).

#include <string>

namespace fructosa {

/// True for postgresql://... and postgres://... (libpq's two URI schemes).
bool is_postgresql_url(const std::string& url);

/// `url` with any password replaced by "***": the user-info password
/// (postgresql://u:secret@h/db) and a password= query parameter alike. Logs and errors
/// print this, never the URL as written.
std::string redact_url(const std::string& url);

}  // namespace fructosa
