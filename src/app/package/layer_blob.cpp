// Layer blobs: tar (libarchive) -> SHA-256 (diff_id) -> gzip (zlib) -> SHA-256 (digest) -> file.
#include "app/package/layer_blob.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "core/check.h"

namespace app::package {

namespace fs = std::filesystem;

// ---- SHA-256 ----

struct Sha256::Impl {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
    LG_CHECK(impl_->ctx != nullptr && EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) == 1,
             "sha256: OpenSSL could not start a digest");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
    if (size > 0) EVP_DigestUpdate(impl_->ctx, data, size);
}

std::string Sha256::finish() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(impl_->ctx, md, &n);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "sha256:";
    for (unsigned int i = 0; i < n; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 15];
    }
    return out;
}

std::string sha256_digest(std::string_view data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.finish();
}

namespace {

constexpr size_t kBufferBytes = 1 << 20;

std::string errno_text() { return std::strerror(errno); }

// A temporary file in the blobs directory that becomes blobs/sha256/<hex> on commit, or is
// removed when the blob is abandoned.
class BlobFile {
public:
    ~BlobFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!path_.empty()) ::unlink(path_.c_str());
    }

    core::Status open(const std::string& dir, const std::string& label) {
        static std::atomic<int> counter{0};
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec)
            return core::fail(core::ErrorCode::Io,
                              "oci: cannot create " + dir + ": " + ec.message());
        dir_ = dir;
        path_ = dir + "/.tmp-" + label + "-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++);
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            std::string why = errno_text();
            path_.clear();
            return core::fail(core::ErrorCode::Io,
                              "oci: cannot create a blob in " + dir + ": " + why);
        }
        return core::ok();
    }

    core::Status write(const void* data, size_t size) {
        digest_.update(data, size);
        size_ += size;
        const char* p = static_cast<const char*>(data);
        while (size > 0) {
            ssize_t n = ::write(fd_, p, size);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                return core::fail(core::ErrorCode::Io, "oci: cannot write " + path_ + ": " +
                                                           errno_text() + " (is the disk full?)");
            }
            p += n;
            size -= static_cast<size_t>(n);
        }
        return core::ok();
    }

    uint64_t size() const { return size_; }

    // Closes the file and moves it to its digest's name; returns the digest. `reused` is set when
    // an identical blob was already there.
    core::Result<std::string> commit(bool* reused) {
        if (::close(fd_) != 0) {
            fd_ = -1;
            return core::fail(core::ErrorCode::Io,
                              "oci: cannot write " + path_ + ": " + errno_text());
        }
        fd_ = -1;
        std::string digest = digest_.finish();
        std::string final_path = dir_ + "/" + digest.substr(7);
        struct stat st {};
        *reused =
            ::stat(final_path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) == size_;
        if (*reused) return digest;  // the destructor removes the temporary copy
        if (::rename(path_.c_str(), final_path.c_str()) != 0) {
            return core::fail(core::ErrorCode::Io, "oci: cannot rename " + path_ + " to " +
                                                       final_path + ": " + errno_text());
        }
        path_.clear();
        return digest;
    }

private:
    std::string dir_;
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    Sha256 digest_;
};

// Gzip (RFC 1952) into a BlobFile. zlib's own header has no name and mtime 0, so equal input
// gives equal bytes.
class GzipSink {
public:
    GzipSink(BlobFile& out, int level) : out_(out), buffer_(kBufferBytes / 4) {
        z_.zalloc = Z_NULL;
        z_.zfree = Z_NULL;
        z_.opaque = Z_NULL;
        ok_ = deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~GzipSink() {
        if (ok_) deflateEnd(&z_);
    }
    GzipSink(const GzipSink&) = delete;
    GzipSink& operator=(const GzipSink&) = delete;

    core::Status write(const void* data, size_t size) {
        return deflate_all(data, size, Z_NO_FLUSH);
    }
    core::Status finish() { return deflate_all(nullptr, 0, Z_FINISH); }

private:
    core::Status deflate_all(const void* data, size_t size, int flush) {
        if (!ok_) return core::fail(core::ErrorCode::Internal, "oci: zlib could not start deflate");
        z_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
        z_.avail_in = static_cast<uInt>(size);  // callers pass at most kBufferBytes
        for (;;) {
            z_.next_out = buffer_.data();
            z_.avail_out = static_cast<uInt>(buffer_.size());
            int rc = deflate(&z_, flush);
            if (rc == Z_STREAM_ERROR) {
                return core::fail(core::ErrorCode::Internal, "oci: zlib deflate failed");
            }
            size_t produced = buffer_.size() - z_.avail_out;
            LG_TRY(out_.write(buffer_.data(), produced));
            bool done = flush == Z_FINISH ? rc == Z_STREAM_END : z_.avail_out != 0;
            if (done) return core::ok();
        }
    }

    BlobFile& out_;
    std::vector<Bytef> buffer_;
    z_stream z_{};
    bool ok_ = false;
};

// What libarchive's tar bytes go through: the diff_id hash, then gzip.
struct TarSink {
    GzipSink* gzip = nullptr;
    Sha256 diff_id;
    uint64_t size = 0;
    core::Status status;
};

la_ssize_t tar_write(struct archive* a, void* client, const void* data, size_t size) {
    auto* sink = static_cast<TarSink*>(client);
    sink->diff_id.update(data, size);
    sink->size += size;
    sink->status = sink->gzip->write(data, size);
    if (!sink->status) {
        archive_set_error(a, EIO, "%s", sink->status.error().message.c_str());
        return -1;
    }
    return static_cast<la_ssize_t>(size);
}

// A path inside the image: relative, '/'-separated, no empty, "." or ".." component.
bool valid_relative_path(std::string_view p) {
    if (p.empty() || p.front() == '/' || p.back() == '/') return false;
    size_t start = 0;
    while (start <= p.size()) {
        size_t end = p.find('/', start);
        if (end == std::string_view::npos) end = p.size();
        std::string_view part = p.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

// The tar's entries: directories end in '/' (mapped to nullptr), files map to their BundleFile.
using EntryMap = std::map<std::string, const BundleFile*>;

core::Result<EntryMap> layer_entry_map(const OciLayer& layer) {
    if (!layer.prefix.empty() && !valid_relative_path(layer.prefix)) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "oci: layer " + layer.name + ": prefix '" + layer.prefix +
                              "' must be a relative path such as var/task");
    }
    std::string base = layer.prefix.empty() ? "" : layer.prefix + "/";
    EntryMap entries;
    for (const BundleFile& f : layer.bundle.files) {
        if (!valid_relative_path(f.path)) {
            return core::fail(core::ErrorCode::InvalidArgument,
                              "oci: layer " + layer.name + ": file path '" + f.path +
                                  "' must be relative, without '.' or '..' parts");
        }
        std::string full = base + f.path;
        if (!entries.emplace(full, &f).second) {
            return core::fail(core::ErrorCode::InvalidArgument,
                              "oci: layer " + layer.name + ": " + full + " appears twice");
        }
        for (size_t slash = full.find('/'); slash != std::string::npos;
             slash = full.find('/', slash + 1)) {
            entries.emplace(full.substr(0, slash + 1), nullptr);
        }
    }
    for (const auto& [path, file] : entries) {
        if (file == nullptr && entries.count(path.substr(0, path.size() - 1)) > 0) {
            return core::fail(core::ErrorCode::InvalidArgument,
                              "oci: layer " + layer.name + ": " + path.substr(0, path.size() - 1) +
                                  " is both a file and a directory");
        }
    }
    return entries;
}

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;

core::Status archive_failed(struct archive* a, TarSink& sink, const std::string& what) {
    if (!sink.status) return sink.status;
    const char* why = archive_error_string(a);
    return core::fail(core::ErrorCode::Io,
                      "oci: " + what + ": " + (why ? why : "libarchive error"));
}

// Streams a file on this machine into the current entry; `size` is what the header announced.
core::Status copy_file_data(struct archive* a, TarSink& sink, const std::string& source,
                            uint64_t size, std::vector<char>& buffer) {
    int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return core::fail(core::ErrorCode::Io, "oci: cannot read " + source + ": " + errno_text());
    uint64_t done = 0;
    core::Status status;
    while (status && done < size) {
        ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            status = core::fail(core::ErrorCode::Io,
                                "oci: " + source + " shrank or failed while " +
                                    "being read: " + (n < 0 ? errno_text() : "end of file"));
            break;
        }
        size_t take =
            static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(n), size - done));
        if (archive_write_data(a, buffer.data(), take) < 0) {
            status = archive_failed(a, sink, "cannot add " + source);
            break;
        }
        done += take;
    }
    ::close(fd);
    return status;
}

// Adds one entry (a directory, or a file with its bytes) with reproducible metadata.
core::Status add_entry(struct archive* a, TarSink& sink, const std::string& path,
                       const BundleFile* file, std::vector<char>& buffer) {
    EntryPtr e(archive_entry_new(), archive_entry_free);
    uint64_t size = 0;
    if (file != nullptr && !file->source.empty()) {
        struct stat st {};
        if (::stat(file->source.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            return core::fail(core::ErrorCode::NotFound, "oci: " + file->source + " (for " + path +
                                                             ") is not a readable file");
        }
        size = static_cast<uint64_t>(st.st_size);
    } else if (file != nullptr) {
        size = file->content.size();
    }
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), file == nullptr ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), file == nullptr ? 0755 : (file->mode & 07777));
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a, e.get()) != ARCHIVE_OK) {
        return archive_failed(a, sink, "cannot add " + path);
    }
    if (file != nullptr && !file->source.empty()) {
        LG_TRY(copy_file_data(a, sink, file->source, size, buffer));
    } else if (file != nullptr && !file->content.empty()) {
        if (archive_write_data(a, file->content.data(), file->content.size()) < 0) {
            return archive_failed(a, sink, "cannot add " + path);
        }
    }
    return core::ok();
}

// Writes every entry of the layer as a pax tar into `sink`.
core::Status write_tar(const EntryMap& entries, TarSink& sink) {
    ArchivePtr a(archive_write_new(), archive_write_free);
    if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
        archive_write_add_filter_none(a.get()) != ARCHIVE_OK ||
        archive_write_open(a.get(), &sink, nullptr, tar_write, nullptr) != ARCHIVE_OK) {
        return archive_failed(a.get(), sink, "cannot start the tar");
    }
    std::vector<char> buffer(kBufferBytes);
    for (const auto& [path, file] : entries) {
        LG_TRY(add_entry(a.get(), sink, path, file, buffer));
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK)
        return archive_failed(a.get(), sink, "cannot end the tar");
    return core::ok();
}

}  // namespace

core::Result<OciLayerInfo> write_layer_blob(const std::string& blobs_dir, const OciLayer& layer) {
    auto entries = layer_entry_map(layer);
    if (!entries) return core::fail(std::move(entries).error());
    BlobFile blob;
    LG_TRY(blob.open(blobs_dir, layer.name.empty() ? "layer" : layer.name));
    OciLayerInfo info;
    info.name = layer.name;
    {
        GzipSink gzip(blob, layer.gzip_level);
        TarSink sink;
        sink.gzip = &gzip;
        LG_TRY(write_tar(*entries, sink));
        LG_TRY(gzip.finish());
        info.diff_id = sink.diff_id.finish();
        info.tar_size = sink.size;
    }
    info.size = blob.size();
    auto digest = blob.commit(&info.reused);
    if (!digest) return core::fail(std::move(digest).error());
    info.digest = *digest;
    return info;
}

core::Result<std::string> write_bytes_blob(const std::string& blobs_dir, std::string_view data) {
    BlobFile blob;
    LG_TRY(blob.open(blobs_dir, "json"));
    LG_TRY(blob.write(data.data(), data.size()));
    bool reused = false;
    return blob.commit(&reused);
}

std::vector<std::string> oci_layer_entries(const OciLayer& layer) {
    std::vector<std::string> out;
    auto entries = layer_entry_map(layer);
    if (!entries) return out;
    for (const auto& entry : *entries) out.push_back(entry.first);
    return out;
}

}  // namespace app::package
