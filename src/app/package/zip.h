// Writing a Bundle (bundle.h) as a zip archive for AWS Lambda: every file with its unix mode
// (Lambda keeps the executable bit of `bootstrap` only through it), deflated, fixed timestamps so
// the same inputs make the same zip. Uses libarchive.
//   auto written = app::package::write_zip(bundle, "function.zip");  // ZipStats or an Error
#pragma once

#include <cstdint>
#include <string>

#include "app/package/bundle.h"
#include "core/result.h"

namespace app::package {

struct ZipStats {
    uint64_t files = 0;
    uint64_t unzipped_bytes = 0;  // the sum of the files' sizes
    uint64_t zip_bytes = 0;       // the archive's size on disk
};

// The size of a bundle once unpacked (files read from disk are stat'ed).
core::Result<uint64_t> unpacked_size(const Bundle& bundle);

// Writes the archive to `path` (replacing it; a partial file is removed on failure).
core::Result<ZipStats> write_zip(const Bundle& bundle, const std::string& path);

// Lambda's limit on a function's unpacked deployment package (zip and layers): 250 MB.
inline constexpr uint64_t kLambdaUnzippedLimit = 262'144'000;

}  // namespace app::package
