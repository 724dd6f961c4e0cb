// Bounds-checked little-endian reader over untrusted bytes, used by the GGUF parser. Every read
// checks the remaining length first and fails with the field name and the byte offset.
//   Cursor c(bytes); auto n = c.u64("header n_tensors"); if (!n) return core::fail(n.error());
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "core/result.h"

namespace engine::gguf::detail {

class Cursor {
public:
    explicit Cursor(std::span<const std::byte> bytes) : bytes_(bytes) {}

    uint64_t pos() const { return pos_; }
    uint64_t size() const { return bytes_.size(); }
    uint64_t remaining() const { return bytes_.size() - pos_; }
    const std::byte* at(uint64_t off) const { return bytes_.data() + off; }

    // Fails unless `n` more bytes exist after pos().
    core::Status need(uint64_t n, std::string_view what) const {
        if (n > remaining())
            return core::fail(core::ErrorCode::Parse,
                              fmt::format("gguf: {} at byte {} needs {} bytes, past the end of the file "
                                          "({} bytes): the file is truncated",
                                          what, pos_, n, size()));
        return core::ok();
    }

    template <class T>
    core::Result<T> read(std::string_view what) {
        LG_TRY(need(sizeof(T), what));
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));  // unaligned-safe; host is little-endian
        pos_ += sizeof(T);
        return v;
    }
    core::Result<uint32_t> u32(std::string_view what) { return read<uint32_t>(what); }
    core::Result<uint64_t> u64(std::string_view what) { return read<uint64_t>(what); }

    // A GGUF string: u64 length then bytes. The view points into the buffer.
    core::Result<std::string_view> str(std::string_view what) {
        uint64_t start = pos_;
        auto len = u64(what);
        if (!len) return core::fail(std::move(len).error());
        if (*len > remaining())
            return core::fail(core::ErrorCode::Parse,
                              fmt::format("gguf: {} at byte {} has length {}, past the end of the file "
                                          "({} bytes): the file is truncated or corrupt",
                                          what, start, *len, size()));
        std::string_view s(reinterpret_cast<const char*>(bytes_.data() + pos_), static_cast<size_t>(*len));
        pos_ += *len;
        return s;
    }

    core::Status skip(uint64_t n, std::string_view what) {
        LG_TRY(need(n, what));
        pos_ += n;
        return core::ok();
    }

private:
    std::span<const std::byte> bytes_;
    uint64_t pos_ = 0;
};

}  // namespace engine::gguf::detail
