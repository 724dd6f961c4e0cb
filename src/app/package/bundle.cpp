// collect_runtime(): the files of a Lambda function root. Layout (docs/deploy.md):
//   bootstrap                           the launcher (bootstrap_launcher.c), 0755
//   bin/lambdagram                      the binary, 0755
//   lib/ld-linux-x86-64.so.2            the dynamic loader of this machine, 0755
//   lib/<soname>                        every shared library the binary loads, 0644
//   etc/ssl/certs/ca-certificates.crt   this machine's CA bundle (used when AL2023's is absent)
//   model/<file>.gguf                   with --model
#include "app/package/bundle.h"

#include <algorithm>
#include <filesystem>
#include <string_view>

#include "app/package/elf_deps.h"

namespace app::package {

namespace detail {
std::string_view bootstrap_launcher();  // the launcher's bytes (generated, see CMakeLists.txt)
}  // namespace detail

namespace {

namespace fs = std::filesystem;

// Where Debian, Fedora/Amazon Linux and Alpine keep the PEM bundle of trusted CAs.
constexpr const char* kCaBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
};

core::Result<std::string> resolve_binary(const std::string& binary) {
    std::error_code ec;
    fs::path p = fs::canonical(binary.empty() ? "/proc/self/exe" : binary, ec);
    if (ec) {
        return core::fail(core::ErrorCode::NotFound,
                          "package: the binary " + binary + " cannot be read: " + ec.message());
    }
    // Run through an explicit loader (as the bootstrap does), this process's executable is the
    // loader itself: the binary must then be named.
    if (binary.empty() && p.filename().string().rfind("ld-", 0) == 0) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "package: this process runs through " + p.string() +
                              ": name the lambdagram binary with --binary");
    }
    return p.string();
}

std::string real_path(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::canonical(path, ec);
    return ec ? path : p.string();
}

core::Status check_arch(const ElfInfo& info, const RuntimeOptions& options,
                        const std::string& binary) {
    if (options.arch != "x86_64" && options.arch != "arm64") {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "package: --arch must be x86_64 or arm64, not " + options.arch);
    }
    if (info.arch != options.arch) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "package: " + binary + " is built for " + info.arch + ", not " +
                              options.arch + ": build lambdagram for " + options.arch +
                              " and package it on such a machine");
    }
    if (host_arch() != options.arch) {
        return core::fail(core::ErrorCode::Unsupported,
                          "package: --arch " + options.arch + " must be packaged on an " +
                              options.arch + " machine (its libraries and loader are bundled)");
    }
    if (info.arch != "x86_64") {
        return core::fail(core::ErrorCode::Unsupported,
                          "package: the bootstrap launcher exists for x86_64 only for now");
    }
    return core::ok();
}

BundleFile from_file(std::string path, std::string source, uint32_t mode) {
    BundleFile f;
    f.path = std::move(path);
    f.source = std::move(source);
    f.mode = mode;
    return f;
}

}  // namespace

core::Result<Bundle> collect_runtime(const RuntimeOptions& options) {
    auto binary = resolve_binary(options.binary);
    if (!binary) return core::fail(std::move(binary).error());
    auto info = read_elf_info(*binary);
    if (!info) return core::fail(info.error().code, "package: " + info.error().message);
    LG_TRY(check_arch(*info, options, *binary));
    if (info->interpreter.empty()) {
        return core::fail(core::ErrorCode::Unsupported,
                          "package: " + *binary +
                              " is statically linked; the launcher expects a "
                              "dynamic binary");
    }
    auto libs = list_shared_libraries(*info, *binary);
    if (!libs) return core::fail(core::ErrorCode::NotFound, "package: " + libs.error().message);

    Bundle bundle;
    BundleFile launcher;
    launcher.path = "bootstrap";
    launcher.content = std::string(detail::bootstrap_launcher());
    launcher.mode = 0755;
    bundle.files.push_back(std::move(launcher));
    bundle.files.push_back(from_file("bin/lambdagram", *binary, 0755));
    std::string loader = fs::path(info->interpreter).filename().string();
    bundle.files.push_back(from_file("lib/" + loader, real_path(info->interpreter), 0755));
    for (const SharedLibrary& lib : *libs) {
        bundle.files.push_back(from_file("lib/" + lib.name, real_path(lib.path), 0644));
    }
    for (const char* ca : kCaBundles) {
        if (fs::exists(ca)) {
            bundle.files.push_back(
                from_file("etc/ssl/certs/ca-certificates.crt", real_path(ca), 0644));
            break;
        }
    }
    if (!options.model_path.empty()) {
        std::error_code ec;
        if (!fs::is_regular_file(options.model_path, ec)) {
            return core::fail(core::ErrorCode::NotFound,
                              "package: the model " + options.model_path + " is not a file");
        }
        std::string name = fs::path(options.model_path).filename().string();
        bundle.files.push_back(from_file("model/" + name, real_path(options.model_path), 0644));
    }
    std::sort(bundle.files.begin(), bundle.files.end(),
              [](const BundleFile& a, const BundleFile& b) { return a.path < b.path; });
    auto dup = std::adjacent_find(
        bundle.files.begin(), bundle.files.end(),
        [](const BundleFile& a, const BundleFile& b) { return a.path == b.path; });
    if (dup != bundle.files.end()) {
        return core::fail(core::ErrorCode::Internal, "package: two files named " + dup->path);
    }
    return bundle;
}

}  // namespace app::package
