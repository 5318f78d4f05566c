#include "master/munge_auth.h"

#include <sys/types.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <type_traits>

#include <fmt/format.h>
#include <munge.h>

namespace fructosa {

namespace {

/// A MUNGE credential is a few hundred bytes of base64 ("MUNGE:...:"); anything far
/// longer is refused before munged is asked.
constexpr std::size_t kMaxCredential = 4096;

/// `text` from the network made safe for a message: printable ASCII, bounded.
std::string printable(std::string_view text, std::size_t max = 64) {
    std::string out;
    for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > max) out += "...";
    return out;
}

std::string why_refused(munge_err_t e, const char* detail) {
    std::string d = detail ? detail : munge_strerror(e);
    switch (e) {
        case EMUNGE_CRED_REPLAYED: return "MUNGE credential replayed (each credential opens one connection only)";
        case EMUNGE_CRED_EXPIRED: return "MUNGE credential expired (check the clocks of agent and lmaster)";
        case EMUNGE_CRED_REWOUND: return "MUNGE credential from the future (check the clocks of agent and lmaster)";
        case EMUNGE_SOCKET: return fmt::format("lmaster cannot reach munged to check the credential: {}", d);
        case EMUNGE_BAD_CRED:
        case EMUNGE_BAD_VERSION:
        case EMUNGE_BAD_CIPHER:
        case EMUNGE_BAD_MAC:
        case EMUNGE_BAD_ZIP:
        case EMUNGE_BAD_REALM:
        case EMUNGE_CRED_INVALID:
            return fmt::format("MUNGE credential invalid (garbage, or made with another key): {}", d);
        default: return fmt::format("MUNGE credential refused: {}", d);
    }
}

}  // namespace

MungeAuth::MungeAuth(std::vector<unsigned> allowed_uids, std::string socket_path)
    : allowed_uids_(std::move(allowed_uids)), socket_path_(std::move(socket_path)) {}

bool MungeAuth::uid_allowed(unsigned uid) const {
    return uid == 0 || std::find(allowed_uids_.begin(), allowed_uids_.end(), uid) != allowed_uids_.end();
}

AuthResult MungeAuth::verify(const wire::Hello& hello) {
    if (hello.auth_method != "munge")
        return {false, fmt::format("auth_method '{}' is not accepted by this lmaster (it accepts: munge)",
                                   printable(hello.auth_method))};
    if (hello.credential.empty()) return {false, "MUNGE credential missing (is munged running on the agent's host?)"};
    if (hello.credential.size() > kMaxCredential)
        return {false, fmt::format("MUNGE credential invalid: {} bytes, longer than any credential",
                                   hello.credential.size())};
    if (hello.credential.find('\0') != std::string::npos) return {false, "MUNGE credential invalid: contains a NUL byte"};

    munge_ctx_t ctx = munge_ctx_create();
    if (ctx == nullptr) return {false, "lmaster cannot check the credential: out of memory"};
    std::unique_ptr<std::remove_pointer_t<munge_ctx_t>, void (*)(munge_ctx_t)> guard(ctx, munge_ctx_destroy);
    if (!socket_path_.empty() && munge_ctx_set(ctx, MUNGE_OPT_SOCKET, socket_path_.c_str()) != EMUNGE_SUCCESS)
        return {false, fmt::format("lmaster cannot use MUNGE socket {}", socket_path_)};

    void* payload = nullptr;
    int length = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    munge_err_t e = munge_decode(hello.credential.c_str(), ctx, &payload, &length, &uid, &gid);
    // munge_decode allocates the payload also for some errors (expired, replayed...).
    std::string body = payload && length > 0 ? std::string(static_cast<const char*>(payload), length) : std::string();
    std::free(payload);
    if (e != EMUNGE_SUCCESS) return {false, why_refused(e, munge_ctx_strerror(ctx))};
    if (!uid_allowed(uid))
        return {false, fmt::format("MUNGE credential made by uid {}, which is neither root nor in allowed uids", uid)};
    if (body != hello.host)
        return {false, fmt::format("MUNGE credential names host '{}', but the agent claims '{}'", printable(body),
                                   printable(hello.host))};
    return {true, {}};
}

}  // namespace fructosa
