#include "dashboards/upload.h"

#include <cstdlib>
#include <fstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>


namespace fructosa {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

HttpUrl parse_http_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind("https://", 0) == 0)
        throw UploadError("'" + url + "': https is not supported yet; use Grafana's http address (e.g. on "
                          "localhost) or provision the written files");
    if (url.rfind(scheme, 0) != 0) throw UploadError("'" + url + "' is not an http:// address");
    std::string rest = url.substr(scheme.size());
    HttpUrl out;
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    if (slash != std::string::npos) out.base_path = rest.substr(slash);
    while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
    if (authority.empty()) throw UploadError("'" + url + "': no host");
    if (authority.find('@') != std::string::npos)
        throw UploadError("'" + url + "': put credentials in the token, not in the address");
    if (authority.front() == '[') {  // [IPv6]:port
        const auto close = authority.find(']');
        if (close == std::string::npos) throw UploadError("'" + url + "': unterminated [IPv6 address]");
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') throw UploadError("'" + url + "': bad port");
            out.port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.find(':');
        out.host = authority.substr(0, colon);
        if (colon != std::string::npos) out.port = authority.substr(colon + 1);
    }
    if (out.host.empty() || out.port.empty() ||
        out.port.find_first_not_of("0123456789") != std::string::npos || std::stol(out.port) < 1 ||
        std::stol(out.port) > 65535)
        throw UploadError("'" + url + "': bad host or port");
    return out;
}

nlohmann::json upload_body(const nlohmann::json& dashboard, const std::string& folder_uid) {
    nlohmann::json body = {{"dashboard", dashboard}, {"overwrite", true}, {"message", "make-fructosa-dashboard"}};
    if (!folder_uid.empty()) body["folderUid"] = folder_uid;
    return body;
}

nlohmann::json upload_dashboard(const HttpUrl& url, const std::string& token, const nlohmann::json& dashboard,
                                const std::string& folder_uid, std::chrono::seconds timeout) {
    const std::string where = fmt::format("http://{}:{}{}/api/dashboards/db", url.host, url.port, url.base_path);
    try {
        boost::asio::io_context io;
        tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        stream.expires_after(timeout);
        stream.connect(resolver.resolve(url.host, url.port));

        http::request<http::string_body> req{http::verb::post, url.base_path + "/api/dashboards/db", 11};
        req.set(http::field::host, url.host);
        req.set(http::field::user_agent, "make-fructosa-dashboard/" FRUCTOSA_VERSION);
        req.set(http::field::content_type, "application/json");
        req.set(http::field::accept, "application/json");
        req.set(http::field::authorization, "Bearer " + token);
        req.body() = upload_body(dashboard, folder_uid).dump();
        req.prepare_payload();
        stream.expires_after(timeout);
        http::write(stream, req);

        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        stream.expires_after(timeout);
        http::read(stream, buffer, res);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

        const unsigned status = res.result_int();
        if (status < 200 || status >= 300)
            throw UploadError(fmt::format("{}: Grafana answered {} {}: {}", where, status,
                                          std::string(res.reason()), res.body().substr(0, 500)));
        auto answer = nlohmann::json::parse(res.body(), nullptr, false);
        return answer.is_discarded() ? nlohmann::json{{"body", res.body()}} : answer;
    } catch (const boost::system::system_error& e) {
        throw UploadError(fmt::format("{}: {}", where, e.code().message()));
    }
}

std::string read_token(const std::string& token_file) {
    std::string token;
    if (!token_file.empty()) {
        std::ifstream in(token_file);
        if (!in) throw UploadError("cannot read the token file " + token_file);
        std::getline(in, token);
        while (!token.empty() && (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) token.pop_back();
        if (token.empty()) throw UploadError("the token file " + token_file + " starts with an empty line");
        return token;
    }
    if (const char* env = std::getenv("GRAFANA_TOKEN")) token = env;
    if (token.empty())
        throw UploadError("--upload needs a Grafana API token: --token-file FILE or the GRAFANA_TOKEN environment variable");
    return token;
}

}  // namespace fructosa
