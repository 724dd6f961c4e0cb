// What goes into a Lambda deployment: the files of a root directory (the zip's root, or an OCI
// image layer), each from a file on this machine or from bytes, with its mode. collect_runtime()
// gathers the `bootstrap` and everything it needs to run on Amazon Linux 2023 (glibc 2.34) from
// this machine (glibc 2.36): the lambdagram binary, the shared libraries it loads, the dynamic
// loader and the CA certificates, so nothing of the host's libc is assumed (docs/deploy.md).
//   auto b = app::package::collect_runtime({.binary = "/proc/self/exe"});
//   for (const auto& f : b->files) write(f.path, f.source.empty() ? f.content : read(f.source));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace app::package {

struct BundleFile {
    std::string path;     // inside the root, relative, '/'-separated: "bootstrap", "lib/libc.so.6"
    std::string source{};   // a file on this machine to copy; empty when `content` holds the bytes
    std::string content{};  // the bytes, when `source` is empty
    uint32_t mode = 0644;  // 0755 for executables
};

struct Bundle {
    std::vector<BundleFile> files{};  // sorted by path, no duplicates
};

struct RuntimeOptions {
    std::string binary;      // the lambdagram executable to ship (default: this process's)
    std::string model_path{};  // optional GGUF file placed at model/<name> (empty: none)
    std::string arch = "x86_64";
};

// The runtime files. Fails with a clear message when a library cannot be resolved, when --arch
// is not this machine's, or when the model is too large for a zip (the caller decides the limit).
core::Result<Bundle> collect_runtime(const RuntimeOptions& options);

}  // namespace app::package
