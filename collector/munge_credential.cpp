#include "collector/munge_credential.h"

#include <cstdlib>
#include <memory>
#include <type_traits>

#include <munge.h>

#include "common/logging.h"

namespace fructosa {

MungeCredential munge_credential(const std::string& payload, const std::string& socket_path) {
    MungeCredential out;
    munge_ctx_t ctx = munge_ctx_create();
    if (ctx == nullptr) {
        out.error = "cannot create a MUNGE context (out of memory)";
        return out;
    }
    std::unique_ptr<std::remove_pointer_t<munge_ctx_t>, void (*)(munge_ctx_t)> guard(ctx, munge_ctx_destroy);
    if (!socket_path.empty()) {
        munge_err_t e = munge_ctx_set(ctx, MUNGE_OPT_SOCKET, socket_path.c_str());
        if (e != EMUNGE_SUCCESS) {
            out.error = fmt::format("MUNGE socket {}: {}", socket_path, munge_ctx_strerror(ctx));
            return out;
        }
    }
    char* cred = nullptr;
    munge_err_t e = munge_encode(&cred, ctx, payload.data(), static_cast<int>(payload.size()));
    if (e != EMUNGE_SUCCESS) {
        const char* why = munge_ctx_strerror(ctx);
        std::string text = why ? why : munge_strerror(e);
        if (e == EMUNGE_SOCKET)
            out.error = fmt::format("cannot reach munged (is it running?): {}", text);
        else
            out.error = fmt::format("munge_encode failed: {}", text);
        std::free(cred);
        return out;
    }
    out.ok = true;
    out.credential = cred;
    std::free(cred);
    return out;
}

CredentialProvider make_credential_provider(const std::string& auth_method, const std::string& host) {
    if (auth_method == "none") return [] { return std::pair<std::string, std::string>{"none", ""}; };
    // Shared by the copies std::function makes; the shipper calls it on one thread.
    auto complaint = std::make_shared<Complaint>();
    return [host, complaint] {
        MungeCredential c = munge_credential(host);
        if (!c.ok) {
            complaint->complain("no MUNGE credential for lmaster: " + c.error);
            return std::pair<std::string, std::string>{"munge", ""};
        }
        complaint->release("MUNGE credentials are available again");
        return std::pair<std::string, std::string>{"munge", std::move(c.credential)};
    };
}

}  // namespace fructosa
