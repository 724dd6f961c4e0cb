// Row conversion between f32 and the stored tensor types: quantize (writing GGUF files,
// quantizing activations) and dequantize (exactly as llama.cpp does). Scalar reference code.
// Supported: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q4_K Q5_K Q6_K Q8_K.
//   std::vector<uint8_t> buf(*row_size(TensorType::Q4_K, n));
//   if (!kernels::quantize_row(TensorType::Q4_K, x, buf.data(), n)) { /* unsupported */ }
#pragma once

#include <cstdint>

#include "engine/tensor_type.h"

namespace engine::kernels {

// True when quantize_row/dequantize_row handle `t`.
bool quantize_supported(TensorType t);

// Writes n elements of src as type t into dst (row_size(t, n) bytes). Returns false, writing
// nothing, when t is unsupported or n is not a multiple of t's block size.
// K-quants use llama.cpp's scale search (weighted least squares), so files read back alike.
bool quantize_row(TensorType t, const float* src, void* dst, int64_t n);

// Reads n elements of type t from src into dst; same results as llama.cpp's dequantize_row_*.
// Returns false, writing nothing, when t is unsupported or n is not a multiple of the block size.
bool dequantize_row(TensorType t, const void* src, float* dst, int64_t n);

}  // namespace engine::kernels
