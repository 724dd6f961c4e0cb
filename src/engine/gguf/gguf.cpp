// GgufFile: opening (mmap or caller's bytes) and the typed metadata accessors. The parser itself
// is in parse.cpp.
#include "engine/gguf/gguf.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

namespace engine::gguf {

using core::ErrorCode;

struct GgufFile::Mapping {
    void* addr = nullptr;
    size_t size = 0;
    std::vector<std::byte> owned;  // open_owned
    ~Mapping() {
        if (addr != nullptr && addr != MAP_FAILED) munmap(addr, size);
    }
};

GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

core::Result<GgufFile> GgufFile::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        return core::fail(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                          fmt::format("gguf: cannot open {}: {}", path, std::strerror(err)));
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return core::fail(ErrorCode::Io, fmt::format("gguf: {} is not a regular file", path));
    }
    GgufFile f;
    f.path_ = path;
    f.mapping_ = std::make_unique<Mapping>();
    f.mapping_->size = static_cast<size_t>(st.st_size);
    if (st.st_size > 0) {
        f.mapping_->addr = mmap(nullptr, f.mapping_->size, PROT_READ, MAP_SHARED, fd, 0);
        if (f.mapping_->addr == MAP_FAILED) {
            int err = errno;
            ::close(fd);
            return core::fail(ErrorCode::Io, fmt::format("gguf: cannot map {}: {}", path, std::strerror(err)));
        }
        f.bytes_ = {static_cast<const std::byte*>(f.mapping_->addr), f.mapping_->size};
    }
    ::close(fd);  // the mapping stays valid
    auto st2 = f.parse();
    if (!st2) {
        core::Error e = std::move(st2).error();
        e.message += fmt::format(" (in {})", path);
        return core::fail(std::move(e));
    }
    return f;
}

core::Result<GgufFile> GgufFile::open_memory(std::span<const std::byte> bytes) {
    GgufFile f;
    f.bytes_ = bytes;
    LG_TRY(f.parse());
    return f;
}

core::Result<GgufFile> GgufFile::open_owned(std::vector<std::byte> bytes) {
    GgufFile f;
    f.mapping_ = std::make_unique<Mapping>();
    f.mapping_->owned = std::move(bytes);
    f.bytes_ = f.mapping_->owned;
    LG_TRY(f.parse());
    return f;
}

// --- metadata access -------------------------------------------------------------------------

namespace {

bool is_signed(ValueType t) {
    return t == ValueType::Int8 || t == ValueType::Int16 || t == ValueType::Int32 || t == ValueType::Int64;
}

core::Unexpected not_found(std::string_view key) {
    return core::fail(ErrorCode::NotFound, fmt::format("gguf: metadata key '{}' is missing", key));
}

core::Unexpected wrong_type(std::string_view key, const Value& v, std::string_view expected) {
    std::string_view got = value_type_name(v.type);
    std::string arr = v.type == ValueType::Array ? fmt::format(" of {}", value_type_name(v.elem_type)) : "";
    return core::fail(ErrorCode::Parse,
                      fmt::format("gguf: metadata key '{}' has type {}{}: expected {}", key, got, arr, expected));
}

}  // namespace

bool Value::is_integer() const {
    switch (type) {
        case ValueType::UInt8: case ValueType::Int8: case ValueType::UInt16: case ValueType::Int16:
        case ValueType::UInt32: case ValueType::Int32: case ValueType::UInt64: case ValueType::Int64:
            return true;
        default:
            return false;
    }
}

std::string_view value_type_name(ValueType t) {
    static constexpr std::string_view kNames[] = {"UINT8", "INT8",   "UINT16", "INT16", "UINT32",
                                                  "INT32", "FLOAT32", "BOOL",  "STRING", "ARRAY",
                                                  "UINT64", "INT64", "FLOAT64"};
    auto i = static_cast<uint32_t>(t);
    return i < kValueTypeCount ? kNames[i] : "unknown";
}

size_t value_type_size(ValueType t) {
    switch (t) {
        case ValueType::UInt8: case ValueType::Int8: case ValueType::Bool: return 1;
        case ValueType::UInt16: case ValueType::Int16: return 2;
        case ValueType::UInt32: case ValueType::Int32: case ValueType::Float32: return 4;
        case ValueType::UInt64: case ValueType::Int64: case ValueType::Float64: return 8;
        case ValueType::String: case ValueType::Array: return 0;
    }
    return 0;
}

namespace {
// Float to int64 without undefined behaviour: NaN gives 0, out-of-range values saturate.
int64_t saturate_to_int64(double d) {
    if (std::isnan(d)) return 0;
    if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
    if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(d);
}
}  // namespace

int64_t array_int_at(const Value& v, uint64_t i) {
    const std::byte* p = v.raw.data() + i * value_type_size(v.elem_type);
    auto load = [p]<class T>(T) { T x; std::memcpy(&x, p, sizeof x); return static_cast<int64_t>(x); };
    switch (v.elem_type) {
        case ValueType::UInt8: case ValueType::Bool: return load(uint8_t{});
        case ValueType::Int8: return load(int8_t{});
        case ValueType::UInt16: return load(uint16_t{});
        case ValueType::Int16: return load(int16_t{});
        case ValueType::UInt32: return load(uint32_t{});
        case ValueType::Int32: return load(int32_t{});
        case ValueType::UInt64: return load(uint64_t{});
        case ValueType::Int64: return load(int64_t{});
        case ValueType::Float32: { float f; std::memcpy(&f, p, 4); return saturate_to_int64(f); }
        case ValueType::Float64: { double d; std::memcpy(&d, p, 8); return saturate_to_int64(d); }
        default: return 0;
    }
}

double array_float_at(const Value& v, uint64_t i) {
    const std::byte* p = v.raw.data() + i * value_type_size(v.elem_type);
    if (v.elem_type == ValueType::Float32) { float f; std::memcpy(&f, p, 4); return f; }
    if (v.elem_type == ValueType::Float64) { double d; std::memcpy(&d, p, 8); return d; }
    if (v.elem_type == ValueType::UInt64) { uint64_t u; std::memcpy(&u, p, 8); return static_cast<double>(u); }
    return static_cast<double>(array_int_at(v, i));
}

const Value* GgufFile::find(std::string_view key) const {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kv_[it->second].value;
}

std::string_view GgufFile::architecture() const {
    const Value* v = find("general.architecture");
    return v != nullptr && v->type == ValueType::String ? v->str : std::string_view();
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

core::Result<std::string_view> GgufFile::get_string(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (v->type != ValueType::String) return wrong_type(key, *v, "STRING");
    return v->str;
}

core::Result<uint64_t> GgufFile::get_uint(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (!v->is_integer()) return wrong_type(key, *v, "an unsigned integer");
    if (is_signed(v->type) && v->i64 < 0)
        return core::fail(ErrorCode::Parse, fmt::format("gguf: metadata key '{}' is negative ({})", key, v->i64));
    return v->u64;
}

core::Result<uint32_t> GgufFile::get_u32(std::string_view key) const {
    auto u = get_uint(key);
    if (!u) return core::fail(std::move(u).error());
    if (*u > std::numeric_limits<uint32_t>::max())
        return core::fail(ErrorCode::Parse, fmt::format("gguf: metadata key '{}' = {} does not fit 32 bits", key, *u));
    return static_cast<uint32_t>(*u);
}

core::Result<int64_t> GgufFile::get_int(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (!v->is_integer()) return wrong_type(key, *v, "an integer");
    if (!is_signed(v->type) && v->u64 > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return core::fail(ErrorCode::Parse, fmt::format("gguf: metadata key '{}' = {} does not fit INT64", key, v->u64));
    return v->i64;
}

core::Result<double> GgufFile::get_float(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (v->is_float()) return v->f64;
    if (v->is_integer()) return is_signed(v->type) ? static_cast<double>(v->i64) : static_cast<double>(v->u64);
    return wrong_type(key, *v, "FLOAT32");
}

core::Result<bool> GgufFile::get_bool(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (v->type != ValueType::Bool) return wrong_type(key, *v, "BOOL");
    return v->b;
}

core::Result<std::span<const std::string_view>> GgufFile::get_string_array(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (v->type != ValueType::Array || v->elem_type != ValueType::String)
        return wrong_type(key, *v, "ARRAY of STRING");
    return std::span<const std::string_view>(v->strings);
}

core::Result<std::vector<float>> GgufFile::get_f32_array(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (v->type != ValueType::Array || (v->elem_type != ValueType::Float32 && v->elem_type != ValueType::Float64))
        return wrong_type(key, *v, "ARRAY of FLOAT32");
    std::vector<float> out(static_cast<size_t>(v->count));
    if (v->elem_type == ValueType::Float32) {
        if (!out.empty()) std::memcpy(out.data(), v->raw.data(), out.size() * sizeof(float));
    } else {
        for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(array_float_at(*v, i));
    }
    return out;
}

core::Result<std::vector<int32_t>> GgufFile::get_i32_array(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (v->type != ValueType::Array || value_type_size(v->elem_type) == 0 || v->elem_type == ValueType::Float32 ||
        v->elem_type == ValueType::Float64 || v->elem_type == ValueType::Bool)
        return wrong_type(key, *v, "ARRAY of INT32");
    std::vector<int32_t> out(static_cast<size_t>(v->count));
    for (size_t i = 0; i < out.size(); ++i) {
        int64_t x = array_int_at(*v, i);
        bool big_unsigned = v->elem_type == ValueType::UInt64 && x < 0;
        if (big_unsigned || x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())
            return core::fail(ErrorCode::Parse,
                              fmt::format("gguf: metadata key '{}' item {} does not fit INT32", key, i));
        out[i] = static_cast<int32_t>(x);
    }
    return out;
}

core::Result<uint64_t> GgufFile::get_array_size(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return not_found(key);
    if (v->type != ValueType::Array) return wrong_type(key, *v, "ARRAY");
    return v->count;
}

core::Result<uint64_t> GgufFile::get_uint_or(std::string_view key, uint64_t fallback) const {
    return has(key) ? get_uint(key) : core::Result<uint64_t>(fallback);
}

core::Result<double> GgufFile::get_float_or(std::string_view key, double fallback) const {
    return has(key) ? get_float(key) : core::Result<double>(fallback);
}

}  // namespace engine::gguf
