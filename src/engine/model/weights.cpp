#include "engine/model/weights.h"

#include <fmt/format.h>

namespace engine::model {

bool weight_type_supported(TensorType t) {
    switch (t) {
        case TensorType::F32: case TensorType::F16: case TensorType::BF16:
        case TensorType::Q8_0: case TensorType::Q4_0: case TensorType::Q4_1:
        case TensorType::Q5_0: case TensorType::Q5_1:
        case TensorType::Q4_K: case TensorType::Q5_K: case TensorType::Q6_K:
            return true;
        default:
            return false;
    }
}

std::string layer_tensor(int il, std::string_view suffix) { return fmt::format("blk.{}.{}", il, suffix); }

namespace {

std::string shape_text(const std::vector<int64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

std::string shape_text(const gguf::TensorInfo& t) {
    std::vector<int64_t> s;
    for (uint32_t i = 0; i < t.n_dims; ++i) s.push_back(static_cast<int64_t>(t.ne[i]));
    return shape_text(s);
}

}  // namespace

core::Status WeightLoader::bind(const gguf::TensorInfo& t, const std::vector<int64_t>& shape, bool f32,
                                Weight* out) {
    if (!weight_type_supported(t.type) || (f32 && t.type != TensorType::F32)) {
        const std::string_view type = tensor_type_name(t.type);
        if (f32) {
            return core::fail(core::ErrorCode::Unsupported,
                              fmt::format("model: {} is {}, but the engine reads it only as F32; "
                                          "requantize the file with llama.cpp's defaults",
                                          t.name, type));
        }
        return core::fail(core::ErrorCode::Unsupported,
                          fmt::format("model: {} is {}, which the engine cannot compute yet; use a "
                                      "Q4_K_M, Q5_K_M, Q6_K, Q8_0 or Q4_0 file",
                                      t.name, type));
    }
    // A trailing dimension of 1 is the same shape (ggml writes a bias as [n] or [n, 1]).
    bool same = true;
    for (uint32_t i = 0; i < gguf::kMaxDims; ++i) {
        const int64_t want = i < shape.size() ? shape[i] : 1;
        const int64_t have = i < t.n_dims ? static_cast<int64_t>(t.ne[i]) : 1;
        if (want != have) same = false;
    }
    if (!same) {
        return core::fail(core::ErrorCode::Parse,
                          fmt::format("model: {} has shape {}, expected {}: the file does not match "
                                      "its own hyper-parameters",
                                      t.name, shape_text(t), shape_text(shape)));
    }
    const auto rb = row_size(t.type, t.ne[0]);
    if (!rb) {
        return core::fail(core::ErrorCode::Parse,
                          fmt::format("model: {} rows of {} elements are not whole {} blocks", t.name,
                                      t.ne[0], tensor_type_name(t.type)));
    }
    out->name = t.name;
    out->type = t.type;
    out->cols = static_cast<int64_t>(t.ne[0]);
    out->rows = static_cast<int64_t>(t.n_rows());
    out->row_bytes = static_cast<size_t>(*rb);
    out->data = t.data;
    return core::ok();
}

core::Status WeightLoader::require(std::string_view name, std::vector<int64_t> shape, Weight* out) {
    const gguf::TensorInfo* t = file_.find_tensor(name);
    if (t == nullptr) {
        return core::fail(core::ErrorCode::Parse,
                          fmt::format("model: tensor {} (shape {}) is missing from the file", name,
                                      shape_text(shape)));
    }
    return bind(*t, shape, false, out);
}

core::Status WeightLoader::optional(std::string_view name, std::vector<int64_t> shape, Weight* out) {
    const gguf::TensorInfo* t = file_.find_tensor(name);
    if (t == nullptr) return core::ok();
    return bind(*t, shape, false, out);
}

core::Status WeightLoader::require_f32(std::string_view name, std::vector<int64_t> shape, Weight* out) {
    const gguf::TensorInfo* t = file_.find_tensor(name);
    if (t == nullptr) {
        return core::fail(core::ErrorCode::Parse,
                          fmt::format("model: tensor {} (shape {}) is missing from the file", name,
                                      shape_text(shape)));
    }
    return bind(*t, shape, true, out);
}

core::Status WeightLoader::optional_f32(std::string_view name, std::vector<int64_t> shape, Weight* out) {
    const gguf::TensorInfo* t = file_.find_tensor(name);
    if (t == nullptr) return core::ok();
    return bind(*t, shape, true, out);
}

}  // namespace engine::model
