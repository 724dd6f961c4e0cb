// describe(): the facts `lambdagram model info` prints, computed from a parsed GgufFile.
#include "engine/gguf/info.h"

#include <algorithm>
#include <map>

namespace engine::gguf {

std::string_view chat_template_family(std::string_view t) {
    auto has = [t](std::string_view s) { return t.find(s) != std::string_view::npos; };
    if (has("<|im_start|>")) return "chatml";
    if (has("<|start_header_id|>")) return "llama3";
    if (has("<start_of_turn>")) return "gemma";
    if (has("<|user|>") && has("<|end|>")) return "phi3";
    if (has("<|user|>")) return "zephyr";
    if (has("[INST]")) return has("<<SYS>>") ? "llama2" : "mistral";
    return "unknown";
}

uint64_t kv_cache_bytes(const ModelHparams& hp, uint32_t n_ctx) {
    const uint64_t per_token = uint64_t{hp.n_embd_k_gqa()} + hp.n_embd_v_gqa();  // K + V values
    return uint64_t{hp.n_layer} * n_ctx * per_token * 2;                          // F16: 2 bytes
}

ModelInfo describe(const GgufFile& f, std::optional<uint32_t> n_ctx) {
    ModelInfo info;
    info.arch = std::string(f.architecture());
    if (auto name = f.get_string("general.name")) info.name = std::string(*name);
    info.version = f.version();
    info.file_size = f.file_size();
    info.n_tensors = f.tensors().size();

    std::map<uint32_t, TensorTypeCount> by_type;
    for (const auto& t : f.tensors()) {
        auto& c = by_type[static_cast<uint32_t>(t.type)];
        c.type = t.type;
        c.n_tensors += 1;
        c.n_elements += t.n_elements;
        c.n_bytes += t.n_bytes;
        info.n_params += t.n_elements;
        info.weights_bytes += t.n_bytes;
    }
    for (const auto& [id, c] : by_type) {
        info.types.push_back(c);
        const TensorTypeInfo* ti = tensor_type_info(id);
        if (ti != nullptr && !ti->computable) info.unsupported_types.emplace_back(ti->name);
    }
    std::stable_sort(info.types.begin(), info.types.end(),
                     [](const auto& a, const auto& b) { return a.n_bytes > b.n_bytes; });

    if (auto m = f.get_string("tokenizer.ggml.model")) info.tokenizer_model = std::string(*m);
    if (const Value* tmpl = f.find("tokenizer.chat_template"); tmpl != nullptr && tmpl->type == ValueType::String) {
        info.has_chat_template = true;
        info.chat_template_family = std::string(chat_template_family(tmpl->str));
    }

    auto hp = read_hparams(f);
    if (hp) {
        info.hparams = *hp;
        info.n_vocab = hp->n_vocab;
        info.n_ctx_train = hp->n_ctx_train;
    } else {
        info.hparams_error = hp.error().message;
        if (auto n = f.get_array_size("tokenizer.ggml.tokens")) info.n_vocab = static_cast<uint32_t>(std::min<uint64_t>(*n, UINT32_MAX));
    }
    info.n_ctx = n_ctx.value_or(info.n_ctx_train == 0 ? kDefaultInfoContext
                                                      : std::min(info.n_ctx_train, kDefaultInfoContext));
    if (info.hparams) info.kv_bytes = kv_cache_bytes(*info.hparams, info.n_ctx);
    info.ram_bytes = info.weights_bytes + info.kv_bytes;
    return info;
}

}  // namespace engine::gguf
