// GgufWriter: writes valid GGUF v3 (or v2) files with any metadata and tensors, so tests make
// their own tiny models and benchmarks full-size synthetic ones. Tensor data is streamed row by
// row at write time, so a 7B-shaped file never sits in memory.
//   GgufWriter w;  w.set("general.architecture", MetaValue::string("llama"));
//   w.add_tensor_f32("output_norm.weight", {64}, TensorType::F32, std::vector<float>(64, 1.0f));
//   auto st = w.write_file("/tmp/tiny.gguf");
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/gguf/gguf.h"
#include "engine/tensor_type.h"

namespace engine::gguf {

// An owned metadata value for the writer. Scalars keep their little-endian bytes.
class MetaValue {
public:
    static MetaValue u8(uint8_t v);
    static MetaValue i8(int8_t v);
    static MetaValue u16(uint16_t v);
    static MetaValue i16(int16_t v);
    static MetaValue u32(uint32_t v);
    static MetaValue i32(int32_t v);
    static MetaValue f32(float v);
    static MetaValue boolean(bool v);
    static MetaValue string(std::string v);
    static MetaValue u64(uint64_t v);
    static MetaValue i64(int64_t v);
    static MetaValue f64(double v);
    // An array of `elem` values; every item must have type `elem` (checked, LG_CHECK).
    static MetaValue array(ValueType elem, std::vector<MetaValue> items);
    static MetaValue string_array(const std::vector<std::string>& items);
    static MetaValue f32_array(const std::vector<float>& items);
    static MetaValue i32_array(const std::vector<int32_t>& items);
    // A copy of a value read from a file (to copy a vocabulary into a new file).
    static MetaValue from(const Value& v);

    ValueType type() const { return type_; }
    // Appends the encoding (without the type tag) to `out`.
    void encode(std::vector<std::byte>& out) const;

private:
    ValueType type_ = ValueType::UInt8;
    ValueType elem_ = ValueType::UInt8;
    std::vector<std::byte> scalar_;  // fixed-size scalars; also packed fixed-size arrays
    std::string str_;
    std::vector<MetaValue> items_;   // arrays of strings / arrays
    uint64_t count_ = 0;             // array element count
};

// Fills `out` (ne[0] floats) with row `row` of a tensor; used to stream large tensors.
using RowFn = std::function<void(uint64_t row, float* out)>;

class GgufWriter {
public:
    explicit GgufWriter(uint32_t version = 3) : version_(version) {}

    // Sets a key (replacing an earlier value of the same key, keeping its position).
    void set(const std::string& key, MetaValue v);
    // Data alignment; also written as general.alignment (UINT32) unless it is the default 32.
    void set_alignment(uint32_t alignment);

    // Tensors are written in the order added. `ne` is ggml order: ne[0] is the row length.
    // F32 data is converted to `type` at write time by kernels::quantize_row (F32, F16, Q8_0,
    // Q4_0, Q4_K, Q6_K, ...: writer_can_convert). Errors: InvalidArgument (shape/size), Unsupported.
    core::Status add_tensor_f32(const std::string& name, std::vector<uint64_t> ne, TensorType type,
                                std::vector<float> data);
    // Bytes already in `type`'s block format; size must be exactly the tensor's byte size.
    core::Status add_tensor_raw(const std::string& name, std::vector<uint64_t> ne, TensorType type,
                                std::vector<std::byte> data);
    // Rows produced at write time by `rows` (not held in memory).
    core::Status add_tensor_rows(const std::string& name, std::vector<uint64_t> ne, TensorType type, RowFn rows);

    core::Status write_file(const std::string& path) const;
    core::Result<std::vector<std::byte>> write_memory() const;

    // Total file size the writer will produce.
    uint64_t file_size() const;

private:
    struct Tensor {
        std::string name;
        std::vector<uint64_t> ne;
        TensorType type;
        uint64_t n_bytes = 0;
        uint64_t offset = 0;
        std::vector<float> f32;
        std::vector<std::byte> raw;
        RowFn rows;
    };
    using Sink = std::function<core::Status(const std::byte*, size_t)>;

    core::Status check_new_tensor(const std::string& name, const std::vector<uint64_t>& ne, TensorType type,
                                  bool from_f32, uint64_t* n_bytes) const;
    std::vector<std::byte> header() const;
    core::Status write(const Sink& sink) const;
    core::Status write_tensor(const Tensor& t, const Sink& sink) const;

    uint32_t version_;
    uint32_t alignment_ = kDefaultAlignment;
    std::vector<std::pair<std::string, MetaValue>> kv_;
    std::vector<Tensor> tensors_;
    uint64_t data_size_ = 0;  // sum of aligned tensor sizes
};

// True when the writer can convert F32 rows to `type` in this build.
bool writer_can_convert(TensorType type);

}  // namespace engine::gguf
