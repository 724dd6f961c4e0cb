// GGUF reader: parses a GGUF v2/v3 file (untrusted input) into metadata and tensor views that
// point into the read-only mapping (no copy). Every count, length and offset is checked first.
//   auto f = engine::gguf::GgufFile::open("model.gguf");
//   if (!f) return core::fail(f.error());
//   auto n_layer = f->get_uint("llama.block_count");  const TensorInfo* t = f->find_tensor("output.weight");
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "engine/tensor_type.h"

namespace engine::gguf {

// File layout (all little-endian; strings are u64 length + bytes, no terminator):
//
//   +0   "GGUF"            magic, 4 bytes (0x46554747 read as u32)
//   +4   u32 version       2 or 3 (1 used 32-bit counts: rejected)
//   +8   u64 n_tensors
//   +16  u64 n_kv
//   +24  n_kv x  { string key | u32 value_type | value }
//        n_tensors x { string name | u32 n_dims | n_dims x u64 ne | u32 type | u64 offset }
//        padding to `general.alignment` (default 32)
//        data section: tensor data at data_offset + offset (each offset aligned)
//
//   value: UINT8..FLOAT64 scalars as themselves, BOOL one byte (0/1), STRING as above,
//   ARRAY = u32 element type | u64 count | count x element (arrays may nest).

inline constexpr uint32_t kMagic = 0x46554747;  // "GGUF"
inline constexpr uint32_t kDefaultAlignment = 32;
inline constexpr uint32_t kMaxDims = 4;
inline constexpr int kMaxArrayDepth = 8;  // nesting beyond this is rejected as hostile

enum class ValueType : uint32_t {
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6,
    Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
};
inline constexpr uint32_t kValueTypeCount = 13;

// "UINT8", "STRING", ...; "unknown" for ids outside 0..12.
std::string_view value_type_name(ValueType t);
// Size in bytes of a fixed-size value type (0 for STRING and ARRAY).
size_t value_type_size(ValueType t);

// One metadata value. Strings are views into the file. Arrays of fixed-size scalars keep their
// raw little-endian bytes (read them with the typed accessors); arrays of strings are a list
// of views; arrays of arrays hold their items.
struct Value {
    ValueType type = ValueType::UInt8;
    // Scalars: integers widened into u64/i64 (whichever matches the sign), floats into f64.
    uint64_t u64 = 0;
    int64_t i64 = 0;
    double f64 = 0;
    bool b = false;
    std::string_view str;  // STRING
    // ARRAY
    ValueType elem_type = ValueType::UInt8;
    uint64_t count = 0;
    std::span<const std::byte> raw;         // fixed-size elements, count * size bytes
    std::vector<std::string_view> strings;  // elem_type == STRING
    std::vector<Value> items;               // elem_type == ARRAY

    bool is_integer() const;
    bool is_float() const { return type == ValueType::Float32 || type == ValueType::Float64; }
};

struct MetadataEntry {
    std::string_view key;
    Value value;
    uint64_t offset = 0;  // byte offset of the key in the file, for error messages
};

// One tensor: its shape as ggml's ne[] (ne[0] is the contiguous row length), its type and a
// view of its bytes inside the mapping.
struct TensorInfo {
    std::string_view name;
    uint32_t n_dims = 0;
    std::array<uint64_t, kMaxDims> ne = {1, 1, 1, 1};
    TensorType type = TensorType::F32;
    uint64_t offset = 0;      // from the start of the data section, as written in the file
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;
    const std::byte* data = nullptr;  // data_offset + offset inside the mapping

    std::span<const std::byte> bytes() const { return {data, static_cast<size_t>(n_bytes)}; }
    uint64_t n_rows() const { return n_elements / (ne[0] == 0 ? 1 : ne[0]); }
};

class GgufFile {
public:
    // Maps `path` read-only and parses it. Errors: Io/NotFound (open, mmap), Parse (content).
    static core::Result<GgufFile> open(const std::string& path);
    // Parses bytes the caller keeps alive for the lifetime of the GgufFile (fuzzer, tests).
    static core::Result<GgufFile> open_memory(std::span<const std::byte> bytes);
    // Parses bytes the GgufFile takes ownership of (tests: the writer's output).
    static core::Result<GgufFile> open_owned(std::vector<std::byte> bytes);

    GgufFile(GgufFile&&) noexcept;
    GgufFile& operator=(GgufFile&&) noexcept;
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;
    ~GgufFile();

    uint32_t version() const { return version_; }
    uint32_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }  // start of the data section
    uint64_t file_size() const { return bytes_.size(); }
    std::span<const std::byte> bytes() const { return bytes_; }
    const std::string& path() const { return path_; }  // empty for open_memory

    // --- metadata ---
    const std::vector<MetadataEntry>& metadata() const { return kv_; }
    const Value* find(std::string_view key) const;  // nullptr when absent
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // Typed getters. Errors: NotFound when absent, Parse when the stored type does not fit
    // (integers of any width are accepted when the value fits the requested type).
    core::Result<std::string_view> get_string(std::string_view key) const;
    core::Result<uint64_t> get_uint(std::string_view key) const;
    core::Result<uint32_t> get_u32(std::string_view key) const;
    core::Result<int64_t> get_int(std::string_view key) const;
    core::Result<double> get_float(std::string_view key) const;  // FLOAT32/FLOAT64 (and integers)
    core::Result<bool> get_bool(std::string_view key) const;
    // Arrays. Element types must match (get_i32_array also takes any integer type that fits).
    core::Result<std::span<const std::string_view>> get_string_array(std::string_view key) const;
    core::Result<std::vector<float>> get_f32_array(std::string_view key) const;
    core::Result<std::vector<int32_t>> get_i32_array(std::string_view key) const;
    core::Result<uint64_t> get_array_size(std::string_view key) const;

    // Defaults when the key is absent (a present key of the wrong type is still an error).
    core::Result<uint64_t> get_uint_or(std::string_view key, uint64_t fallback) const;
    core::Result<double> get_float_or(std::string_view key, double fallback) const;

    // `general.architecture`, or "" when absent.
    std::string_view architecture() const;

    // --- tensors (in file order) ---
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* find_tensor(std::string_view name) const;  // nullptr when absent

private:
    struct Mapping;
    GgufFile() = default;
    core::Status parse();
    core::Status check_tensor_extents();

    std::unique_ptr<Mapping> mapping_;  // owns the mmap or the bytes (null for open_memory)
    std::span<const std::byte> bytes_;
    std::string path_;
    uint32_t version_ = 0;
    uint32_t alignment_ = kDefaultAlignment;
    uint64_t data_offset_ = 0;
    std::vector<MetadataEntry> kv_;
    std::unordered_map<std::string_view, size_t> kv_index_;
    std::vector<TensorInfo> tensors_;
    std::unordered_map<std::string_view, size_t> tensor_index_;
};

// Little-endian element `i` of a fixed-size array value as a double / int64 (no bounds check
// beyond the caller's i < v.count; for readers of exotic arrays).
double array_float_at(const Value& v, uint64_t i);
int64_t array_int_at(const Value& v, uint64_t i);

}  // namespace engine::gguf
