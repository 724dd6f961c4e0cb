#include "net/http_client.h"

#include "core/strings.h"

namespace net {

std::string HttpResponse::header(std::string_view name) const {
    const std::string want = core::to_lower_ascii(name);
    for (const auto& [k, v] : headers) {
        if (core::to_lower_ascii(k) == want) return v;
    }
    return {};
}

}  // namespace net
