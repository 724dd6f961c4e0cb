// The function zip, through libarchive's zip writer (which records "made by unix" and the mode in
// the external attributes, as `zip` does).
#include "app/package/zip.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <vector>

namespace app::package {

namespace {

namespace fs = std::filesystem;

// 2020-01-01T00:00:00Z: every entry gets it, so the zip depends only on the files' contents.
constexpr time_t kFixedTime = 1577836800;

struct ArchiveCloser {
    void operator()(archive* a) const { archive_write_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

core::Unexpected archive_error(archive* a, const std::string& what) {
    const char* msg = archive_error_string(a);
    return core::fail(core::ErrorCode::Io,
                      "zip: " + what + ": " + (msg ? msg : "libarchive failed"));
}

core::Status write_header(archive* a, const std::string& path, uint64_t size, uint32_t mode,
                          bool directory) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                               archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), mode);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), kFixedTime, 0);
    if (archive_write_header(a, e.get()) != ARCHIVE_OK) return archive_error(a, path);
    return core::ok();
}

core::Status write_data(archive* a, const std::string& path, const char* data, size_t n) {
    if (n > 0 && archive_write_data(a, data, n) < 0) return archive_error(a, path);
    return core::ok();
}

core::Status write_file(archive* a, const BundleFile& f) {
    if (f.source.empty()) {
        LG_TRY(write_header(a, f.path, f.content.size(), f.mode, false));
        return write_data(a, f.path, f.content.data(), f.content.size());
    }
    std::error_code ec;
    uint64_t size = fs::file_size(f.source, ec);
    if (ec)
        return core::fail(core::ErrorCode::Io,
                          "zip: cannot read " + f.source + ": " + ec.message());
    std::ifstream in(f.source, std::ios::binary);
    if (!in) return core::fail(core::ErrorCode::Io, "zip: cannot open " + f.source);
    LG_TRY(write_header(a, f.path, size, f.mode, false));
    std::vector<char> buf(1 << 20);
    uint64_t left = size;
    while (left > 0) {
        in.read(buf.data(), static_cast<std::streamsize>(std::min<uint64_t>(buf.size(), left)));
        auto got = static_cast<size_t>(in.gcount());
        if (got == 0)
            return core::fail(core::ErrorCode::Io, "zip: " + f.source + " shrank while read");
        LG_TRY(write_data(a, f.path, buf.data(), got));
        left -= got;
    }
    return core::ok();
}

// The parent directories of the files ("lib/", "model/"), which `unzip` creates anyway but some
// tools list.
std::set<std::string> directories(const Bundle& bundle) {
    std::set<std::string> dirs;
    for (const BundleFile& f : bundle.files) {
        for (size_t slash = f.path.find('/'); slash != std::string::npos;
             slash = f.path.find('/', slash + 1)) {
            dirs.insert(f.path.substr(0, slash + 1));
        }
    }
    return dirs;
}

core::Status write_all(archive* a, const Bundle& bundle, const std::string& path) {
    if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
        archive_write_set_options(a, "zip:compression=deflate") != ARCHIVE_OK ||
        archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
        return archive_error(a, "cannot create " + path);
    }
    for (const std::string& dir : directories(bundle)) LG_TRY(write_header(a, dir, 0, 0755, true));
    for (const BundleFile& f : bundle.files) LG_TRY(write_file(a, f));
    if (archive_write_close(a) != ARCHIVE_OK) return archive_error(a, "cannot finish " + path);
    return core::ok();
}

}  // namespace

core::Result<uint64_t> unpacked_size(const Bundle& bundle) {
    uint64_t total = 0;
    for (const BundleFile& f : bundle.files) {
        if (f.source.empty()) {
            total += f.content.size();
            continue;
        }
        std::error_code ec;
        uint64_t size = fs::file_size(f.source, ec);
        if (ec)
            return core::fail(core::ErrorCode::Io,
                              "package: cannot read " + f.source + ": " + ec.message());
        total += size;
    }
    return total;
}

core::Result<ZipStats> write_zip(const Bundle& bundle, const std::string& path) {
    ArchivePtr a(archive_write_new());
    if (!a) return core::fail(core::ErrorCode::ResourceExhausted, "zip: out of memory");
    core::Status st = write_all(a.get(), bundle, path);
    a.reset();
    std::error_code ec;
    if (!st) {
        fs::remove(path, ec);
        return core::fail(std::move(st).error());
    }
    ZipStats stats;
    stats.files = bundle.files.size();
    auto size = unpacked_size(bundle);
    if (!size) return core::fail(std::move(size).error());
    stats.unzipped_bytes = *size;
    stats.zip_bytes = fs::file_size(path, ec);
    return stats;
}

}  // namespace app::package
