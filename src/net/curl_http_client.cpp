#include "net/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>

#include "core/redact.h"
#include "core/strings.h"

namespace net {
namespace {

// curl_global_init is not thread-safe: run it once, before any handle exists.
void global_init_once() {
    static const bool done = [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return true;
    }();
    (void)done;
}

struct Transfer {
    const HttpRequest* req = nullptr;
    HttpResponse* resp = nullptr;
    bool stopped_by_reader = false;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t len = size * n;
    if (t->req->on_body) {
        if (!t->req->on_body(std::string_view(data, len))) {
            t->stopped_by_reader = true;
            return 0;  // makes curl stop with CURLE_WRITE_ERROR
        }
    } else {
        t->resp->body.append(data, len);
    }
    return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t len = size * n;
    std::string_view line(data, len);
    if (core::starts_with(line, "HTTP/")) {
        // A new status line (after a 100 Continue or a redirect): headers start over.
        t->resp->headers.clear();
        return len;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return len;
    t->resp->headers.emplace_back(std::string(core::trim(line.substr(0, colon))),
                                  std::string(core::trim(line.substr(colon + 1))));
    return len;
}

// Limit for CURLOPT_TIMEOUT_MS: the earlier of the deadline and the request's own timeout;
// 0 means none.
long timeout_ms_for(const HttpRequest& req, core::Deadline deadline) {
    long ms = 0;
    if (!deadline.is_never()) {
        ms = static_cast<long>(std::max<int64_t>(1, deadline.remaining().count()));
    }
    if (req.timeout.count() > 0) {
        long t = static_cast<long>(req.timeout.count());
        ms = ms == 0 ? t : std::min(ms, t);
    }
    return ms;
}

core::Error transport_error(CURLcode code, const HttpRequest& req, const char* detail) {
    core::ErrorCode ec =
        code == CURLE_OPERATION_TIMEDOUT ? core::ErrorCode::Timeout : core::ErrorCode::Network;
    std::string text =
        "http: " + req.method + " " + url_origin(req.url) + " failed: " + curl_easy_strerror(code);
    if (detail != nullptr && detail[0] != '\0') text += std::string(" (") + detail + ")";
    // curl's details name hosts and ports, not paths; but make sure no part of the URL past the
    // origin (where the bot token lives) survives.
    std::string origin = url_origin(req.url);
    std::string rest = req.url.size() > origin.size() ? req.url.substr(origin.size()) : "";
    if (rest.size() > 1) {
        for (size_t p; (p = text.find(rest)) != std::string::npos;)
            text.replace(p, rest.size(), "/...");
    }
    return core::Error(ec, core::redact(text));
}

// The request's headers for curl, plus an empty "Expect:" so curl never waits for a
// 100 Continue before sending a body.
curl_slist* header_list(const HttpRequest& req) {
    curl_slist* headers = nullptr;
    bool has_expect = false;
    for (const auto& [k, v] : req.headers) {
        headers = curl_slist_append(headers, (k + ": " + v).c_str());
        if (core::to_lower_ascii(k) == "expect") has_expect = true;
    }
    if (!has_expect) headers = curl_slist_append(headers, "Expect:");
    return headers;
}

void set_method_and_body(CURL* curl, const HttpRequest& req) {
    if (req.method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (req.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        return;
    }
    if (req.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (req.method == "POST" || !req.body.empty()) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
    }
}

}  // namespace

std::string url_origin(std::string_view url) {
    size_t scheme_end = url.find("://");
    size_t host_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    size_t host_end = url.find_first_of("/?#", host_start);
    if (host_end == std::string_view::npos) host_end = url.size();
    std::string_view authority = url.substr(host_start, host_end - host_start);
    size_t at = authority.rfind('@');  // drop user:password@
    if (at != std::string_view::npos) authority = authority.substr(at + 1);
    return std::string(url.substr(0, host_start)) + std::string(authority);
}

CurlHttpClient::CurlHttpClient() : CurlHttpClient(CurlHttpClientOptions{}) {}

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options) : options_(std::move(options)) {
    global_init_once();
}

CurlHttpClient::~CurlHttpClient() {
    for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlHttpClient::acquire() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!idle_.empty()) {
            void* h = idle_.back();
            idle_.pop_back();
            return h;
        }
    }
    return curl_easy_init();
}

void CurlHttpClient::release(void* handle) {
    auto* curl = static_cast<CURL*>(handle);
    curl_easy_reset(curl);  // keeps the connection cache
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < options_.max_idle_handles) {
        idle_.push_back(handle);
    } else {
        curl_easy_cleanup(curl);
    }
}

core::Result<HttpResponse> CurlHttpClient::send(const HttpRequest& req, core::Deadline deadline) {
    if (deadline.expired()) {
        return core::fail(core::ErrorCode::Timeout,
                          "http: " + req.method + " " + core::redact(url_origin(req.url)) +
                              ": the deadline passed before the request was sent");
    }
    CURL* curl = static_cast<CURL*>(acquire());
    if (curl == nullptr)
        return core::fail(core::ErrorCode::Internal, "http: curl_easy_init failed");

    HttpResponse resp;
    Transfer t{&req, &resp, false};
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = header_list(req);

    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms_for(req, deadline));
    // Compressed replies are welcome, except when streaming: a compressing server holds chunks
    // back.
    if (!req.on_body) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!options_.ca_bundle_path.empty()) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle_path.c_str());
    }
    set_method_and_body(curl, req);

    CURLcode rc = curl_easy_perform(curl);
    long connects = 0;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
    connections_opened_ += static_cast<size_t>(std::max(0L, connects));
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    release(curl);

    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.stopped_by_reader)) {
        return core::fail(transport_error(rc, req, errbuf));
    }
    resp.status = static_cast<int>(status);
    return resp;
}

}  // namespace net
