// The content-addressed blobs of an OCI image layout: a layer is a reproducible tar (libarchive,
// pax, mtime 0, owner 0:0, sorted, parents first) streamed through SHA-256 (its diff_id), zlib's
// gzip (fixed header, no name or time) and SHA-256 again (its digest) into blobs/sha256/<hex>.
// Nothing is held in memory but a buffer, so a 10 GB model costs 10 GB of disk and no RAM.
//   auto blob = app::package::write_layer_blob("image/blobs/sha256", layer);
//   // blob->digest == "sha256:" + `sha256sum image/blobs/sha256/<hex>`
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "app/package/oci.h"
#include "core/result.h"

namespace app::package {

// SHA-256 over data fed in pieces (OpenSSL's EVP).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t size);
    // "sha256:<64 lowercase hex>"; the object is spent afterwards.
    std::string finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "sha256:<hex>" of `data`.
std::string sha256_digest(std::string_view data);

// Writes `layer` as a gzip'd tar blob into `blobs_dir` (created if missing) and returns its
// digests and sizes. A blob already present under the same digest is kept (reused = true).
core::Result<OciLayerInfo> write_layer_blob(const std::string& blobs_dir, const OciLayer& layer);

// Writes `data` as a blob into `blobs_dir`; returns its digest.
core::Result<std::string> write_bytes_blob(const std::string& blobs_dir, std::string_view data);

}  // namespace app::package
