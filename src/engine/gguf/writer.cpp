// GgufWriter: header and metadata are encoded in memory (small), tensor data is converted and
// written one row at a time.
#include "engine/gguf/writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "engine/kernels/quantize.h"

namespace engine::gguf {

using core::ErrorCode;

namespace {

// Appends raw bytes. resize + memcpy rather than insert(): g++ 12 at -O3 wrongly reports a
// stringop-overflow for range inserts into an empty vector.
void put_bytes(std::vector<std::byte>& out, const void* p, size_t n) {
    if (n == 0) return;
    size_t at = out.size();
    out.resize(at + n);
    std::memcpy(out.data() + at, p, n);
}

template <class T>
void put(std::vector<std::byte>& out, T v) {
    put_bytes(out, &v, sizeof(T));
}

void put_string(std::vector<std::byte>& out, std::string_view s) {
    put<uint64_t>(out, s.size());
    put_bytes(out, s.data(), s.size());
}

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace

#define LG_GGUF_SCALAR(NAME, CT, VT)                          \
    MetaValue MetaValue::NAME(CT v) {                         \
        MetaValue m;                                          \
        m.type_ = ValueType::VT;                              \
        put<CT>(m.scalar_, v);                                \
        return m;                                             \
    }
LG_GGUF_SCALAR(u8, uint8_t, UInt8)
LG_GGUF_SCALAR(i8, int8_t, Int8)
LG_GGUF_SCALAR(u16, uint16_t, UInt16)
LG_GGUF_SCALAR(i16, int16_t, Int16)
LG_GGUF_SCALAR(u32, uint32_t, UInt32)
LG_GGUF_SCALAR(i32, int32_t, Int32)
LG_GGUF_SCALAR(f32, float, Float32)
LG_GGUF_SCALAR(u64, uint64_t, UInt64)
LG_GGUF_SCALAR(i64, int64_t, Int64)
LG_GGUF_SCALAR(f64, double, Float64)
#undef LG_GGUF_SCALAR

MetaValue MetaValue::boolean(bool v) {
    MetaValue m;
    m.type_ = ValueType::Bool;
    put<uint8_t>(m.scalar_, v ? 1 : 0);
    return m;
}

MetaValue MetaValue::string(std::string v) {
    MetaValue m;
    m.type_ = ValueType::String;
    m.str_ = std::move(v);
    return m;
}

MetaValue MetaValue::array(ValueType elem, std::vector<MetaValue> items) {
    MetaValue m;
    m.type_ = ValueType::Array;
    m.elem_ = elem;
    m.count_ = items.size();
    for (const auto& it : items) LG_CHECK(it.type_ == elem, "MetaValue::array: item of the wrong type");
    if (value_type_size(elem) != 0) {
        for (const auto& it : items) m.scalar_.insert(m.scalar_.end(), it.scalar_.begin(), it.scalar_.end());
    } else {
        m.items_ = std::move(items);
    }
    return m;
}

MetaValue MetaValue::string_array(const std::vector<std::string>& items) {
    std::vector<MetaValue> v;
    v.reserve(items.size());
    for (const auto& s : items) v.push_back(string(s));
    return array(ValueType::String, std::move(v));
}

MetaValue MetaValue::f32_array(const std::vector<float>& items) {
    MetaValue m;
    m.type_ = ValueType::Array;
    m.elem_ = ValueType::Float32;
    m.count_ = items.size();
    for (float f : items) put<float>(m.scalar_, f);
    return m;
}

MetaValue MetaValue::i32_array(const std::vector<int32_t>& items) {
    MetaValue m;
    m.type_ = ValueType::Array;
    m.elem_ = ValueType::Int32;
    m.count_ = items.size();
    for (int32_t x : items) put<int32_t>(m.scalar_, x);
    return m;
}

MetaValue MetaValue::from(const Value& v) {
    MetaValue m;
    m.type_ = v.type;
    switch (v.type) {
        case ValueType::String:
            m.str_ = std::string(v.str);
            return m;
        case ValueType::Array:
            m.elem_ = v.elem_type;
            m.count_ = v.count;
            m.scalar_.assign(v.raw.begin(), v.raw.end());
            for (auto s : v.strings) m.items_.push_back(string(std::string(s)));
            for (const auto& item : v.items) m.items_.push_back(from(item));
            return m;
        case ValueType::Bool:
            put<uint8_t>(m.scalar_, v.b ? 1 : 0);
            return m;
        case ValueType::Float32:
            put<float>(m.scalar_, static_cast<float>(v.f64));
            return m;
        case ValueType::Float64:
            put<double>(m.scalar_, v.f64);
            return m;
        default: {
            // Integers: the low value_type_size bytes of the 64-bit pattern (little-endian).
            uint64_t bits = v.u64;
            const auto* p = reinterpret_cast<const std::byte*>(&bits);
            m.scalar_.assign(p, p + value_type_size(v.type));
            return m;
        }
    }
}

void MetaValue::encode(std::vector<std::byte>& out) const {
    switch (type_) {
        case ValueType::String:
            put_string(out, str_);
            return;
        case ValueType::Array:
            put<uint32_t>(out, static_cast<uint32_t>(elem_));
            put<uint64_t>(out, count_);
            if (value_type_size(elem_) != 0) {
                out.insert(out.end(), scalar_.begin(), scalar_.end());
            } else {
                for (const auto& it : items_) {
                    if (elem_ == ValueType::Array) {
                        it.encode(out);  // nested: element type and count, then items
                    } else {
                        put_string(out, it.str_);
                    }
                }
            }
            return;
        default:
            out.insert(out.end(), scalar_.begin(), scalar_.end());
    }
}

// --- GgufWriter ------------------------------------------------------------------------------

void GgufWriter::set(const std::string& key, MetaValue v) {
    for (auto& [k, old] : kv_) {
        if (k == key) {
            old = std::move(v);
            return;
        }
    }
    kv_.emplace_back(key, std::move(v));
}

void GgufWriter::set_alignment(uint32_t alignment) {
    LG_CHECK(alignment != 0 && (alignment & (alignment - 1)) == 0, "alignment must be a power of two");
    LG_CHECK(tensors_.empty(), "set_alignment() before adding tensors");
    alignment_ = alignment;
    set("general.alignment", MetaValue::u32(alignment));
}

core::Status GgufWriter::check_new_tensor(const std::string& name, const std::vector<uint64_t>& ne, TensorType type,
                                          bool from_f32, uint64_t* n_bytes) const {
    const TensorTypeInfo* info = tensor_type_info(type);
    LG_CHECK(info != nullptr, "unknown tensor type");
    if (name.empty() || ne.empty() || ne.size() > kMaxDims)
        return core::fail(ErrorCode::InvalidArgument,
                          fmt::format("gguf writer: tensor '{}' needs a name and 1..4 dims", name));
    for (const auto& t : tensors_)
        if (t.name == name)
            return core::fail(ErrorCode::InvalidArgument, fmt::format("gguf writer: duplicate tensor '{}'", name));
    if (from_f32 && !writer_can_convert(type))
        return core::fail(ErrorCode::Unsupported,
                          fmt::format("gguf writer: cannot convert F32 to {} in this build", info->name));
    uint64_t n = 1;
    for (uint64_t d : ne)
        if (__builtin_mul_overflow(n, d, &n))
            return core::fail(ErrorCode::InvalidArgument, fmt::format("gguf writer: tensor '{}' is too large", name));
    auto row = row_size(type, ne[0]);
    if (!row)
        return core::fail(ErrorCode::InvalidArgument,
                          fmt::format("gguf writer: tensor '{}' row length {} is not a multiple of the {} block size {}",
                                      name, ne[0], info->name, info->block_size));
    *n_bytes = ne[0] == 0 ? 0 : *row * (n / ne[0]);
    return core::ok();
}

core::Status GgufWriter::add_tensor_f32(const std::string& name, std::vector<uint64_t> ne, TensorType type,
                                        std::vector<float> data) {
    uint64_t n_bytes = 0;
    LG_TRY(check_new_tensor(name, ne, type, true, &n_bytes));
    uint64_t n = 1;
    for (uint64_t d : ne) n *= d;
    if (data.size() != n)
        return core::fail(ErrorCode::InvalidArgument,
                          fmt::format("gguf writer: tensor '{}' has {} values for {} elements", name, data.size(), n));
    Tensor t{name, std::move(ne), type, n_bytes, data_size_, std::move(data), {}, {}};
    data_size_ += align_up(n_bytes, alignment_);
    tensors_.push_back(std::move(t));
    return core::ok();
}

core::Status GgufWriter::add_tensor_raw(const std::string& name, std::vector<uint64_t> ne, TensorType type,
                                        std::vector<std::byte> data) {
    uint64_t n_bytes = 0;
    LG_TRY(check_new_tensor(name, ne, type, false, &n_bytes));
    if (data.size() != n_bytes)
        return core::fail(ErrorCode::InvalidArgument,
                          fmt::format("gguf writer: tensor '{}' has {} bytes, expected {}", name, data.size(), n_bytes));
    Tensor t{name, std::move(ne), type, n_bytes, data_size_, {}, std::move(data), {}};
    data_size_ += align_up(n_bytes, alignment_);
    tensors_.push_back(std::move(t));
    return core::ok();
}

core::Status GgufWriter::add_tensor_rows(const std::string& name, std::vector<uint64_t> ne, TensorType type,
                                         RowFn rows) {
    uint64_t n_bytes = 0;
    LG_TRY(check_new_tensor(name, ne, type, true, &n_bytes));
    Tensor t{name, std::move(ne), type, n_bytes, data_size_, {}, {}, std::move(rows)};
    data_size_ += align_up(n_bytes, alignment_);
    tensors_.push_back(std::move(t));
    return core::ok();
}

std::vector<std::byte> GgufWriter::header() const {
    std::vector<std::byte> out;
    put<uint32_t>(out, kMagic);
    put<uint32_t>(out, version_);
    put<uint64_t>(out, tensors_.size());
    put<uint64_t>(out, kv_.size());
    for (const auto& [key, v] : kv_) {
        put_string(out, key);
        put<uint32_t>(out, static_cast<uint32_t>(v.type()));
        v.encode(out);
    }
    for (const auto& t : tensors_) {
        put_string(out, t.name);
        put<uint32_t>(out, static_cast<uint32_t>(t.ne.size()));
        for (uint64_t d : t.ne) put<uint64_t>(out, d);
        put<uint32_t>(out, static_cast<uint32_t>(t.type));
        put<uint64_t>(out, t.offset);
    }
    out.resize(align_up(out.size(), alignment_), std::byte{0});
    return out;
}

uint64_t GgufWriter::file_size() const { return header().size() + data_size_; }

core::Status GgufWriter::write_tensor(const Tensor& t, const Sink& sink) const {
    if (!t.raw.empty() || t.n_bytes == 0) {
        LG_TRY(sink(t.raw.data(), t.raw.size()));
    } else {
        const uint64_t row_len = t.ne[0];
        const uint64_t n_rows = t.n_bytes / *row_size(t.type, row_len);
        std::vector<float> src(t.rows ? row_len : 0);
        std::vector<std::byte> dst(static_cast<size_t>(*row_size(t.type, row_len)));
        for (uint64_t r = 0; r < n_rows; ++r) {
            const float* row = nullptr;
            if (t.rows) {
                t.rows(r, src.data());
                row = src.data();
            } else {
                row = t.f32.data() + r * row_len;
            }
            if (!kernels::quantize_row(t.type, row, dst.data(), static_cast<int64_t>(row_len)))
                return core::fail(ErrorCode::Unsupported,
                                  fmt::format("gguf writer: cannot convert tensor '{}'", t.name));
            LG_TRY(sink(dst.data(), dst.size()));
        }
    }
    static const std::byte kZeros[256] = {};
    uint64_t pad = align_up(t.n_bytes, alignment_) - t.n_bytes;
    while (pad > 0) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(pad, sizeof kZeros));
        LG_TRY(sink(kZeros, n));
        pad -= n;
    }
    return core::ok();
}

core::Status GgufWriter::write(const Sink& sink) const {
    auto head = header();
    LG_TRY(sink(head.data(), head.size()));
    for (const auto& t : tensors_) LG_TRY(write_tensor(t, sink));
    return core::ok();
}

core::Result<std::vector<std::byte>> GgufWriter::write_memory() const {
    std::vector<std::byte> out;
    out.reserve(static_cast<size_t>(file_size()));
    LG_TRY(write([&out](const std::byte* p, size_t n) {
        out.insert(out.end(), p, p + n);
        return core::ok();
    }));
    return out;
}

core::Status GgufWriter::write_file(const std::string& path) const {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!f)
        return core::fail(ErrorCode::Io, fmt::format("gguf writer: cannot create {}: {}", path, std::strerror(errno)));
    LG_TRY(write([&](const std::byte* p, size_t n) -> core::Status {
        if (n != 0 && std::fwrite(p, 1, n, f.get()) != n)
            return core::fail(ErrorCode::Io, fmt::format("gguf writer: writing {} failed: {}", path, std::strerror(errno)));
        return core::ok();
    }));
    if (std::fclose(f.release()) != 0)
        return core::fail(ErrorCode::Io, fmt::format("gguf writer: closing {} failed: {}", path, std::strerror(errno)));
    return core::ok();
}

bool writer_can_convert(TensorType type) { return kernels::quantize_supported(type); }

}  // namespace engine::gguf
