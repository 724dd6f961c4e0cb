// Tensor element types as numbered in GGUF files (ggml's type ids), with their block layout:
// elements per block and bytes per block. The engine computes with a subset (see
// TensorTypeInfo::computable); the rest are known by name so errors can say what a file holds.
//   const TensorTypeInfo* t = tensor_type_info(TensorType::Q4_K);  // t->block_size == 256
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace engine {

enum class TensorType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3,
    Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
    IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39,
};

struct TensorTypeInfo {
    TensorType type;
    std::string_view name;  // as llama.cpp prints it: "Q4_K", "F16", ...
    uint32_t block_size;    // elements per block
    uint32_t type_size;     // bytes per block
    bool computable;        // the engine has kernels for it (issue: engine II)
};

// Info for a type id read from a file, or nullptr when the id is unknown.
const TensorTypeInfo* tensor_type_info(uint32_t id);
inline const TensorTypeInfo* tensor_type_info(TensorType t) {
    return tensor_type_info(static_cast<uint32_t>(t));
}
std::string_view tensor_type_name(TensorType t);
// Looks a type up by its name ("q4_k" or "Q4_K").
std::optional<TensorType> tensor_type_from_name(std::string_view name);

// Bytes of a row of `n` elements; nullopt when n is not a multiple of the block size.
std::optional<uint64_t> row_size(TensorType t, uint64_t n);

}  // namespace engine
