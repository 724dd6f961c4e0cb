#include "engine/model/arch.h"

#include "engine/model/model.h"

namespace engine::model {

namespace {
const ArchOps* const kArchs[] = {&kArchLlama, &kArchQwen2, &kArchQwen3};
}

const ArchOps* find_arch(std::string_view name) {
    for (const ArchOps* a : kArchs) {
        if (a->name == name) return a;
    }
    return nullptr;
}

std::string_view supported_archs() { return "llama, qwen2, qwen3"; }

core::Status load_common_layer(WeightLoader& ld, const Hparams& hp, int il, LayerWeights& l) {
    const int64_t e = hp.n_embd;
    const int64_t q = static_cast<int64_t>(hp.n_head) * hp.head_dim;
    const int64_t kv = static_cast<int64_t>(hp.n_head_kv) * hp.head_dim;
    const int64_t ff = hp.n_ff;
    LG_TRY(ld.require_f32(layer_tensor(il, "attn_norm.weight"), {e}, &l.attn_norm));
    LG_TRY(ld.require(layer_tensor(il, "attn_q.weight"), {e, q}, &l.wq));
    LG_TRY(ld.require(layer_tensor(il, "attn_k.weight"), {e, kv}, &l.wk));
    LG_TRY(ld.require(layer_tensor(il, "attn_v.weight"), {e, kv}, &l.wv));
    LG_TRY(ld.require(layer_tensor(il, "attn_output.weight"), {q, e}, &l.wo));
    LG_TRY(ld.require_f32(layer_tensor(il, "ffn_norm.weight"), {e}, &l.ffn_norm));
    LG_TRY(ld.require(layer_tensor(il, "ffn_gate.weight"), {e, ff}, &l.ffn_gate));
    LG_TRY(ld.require(layer_tensor(il, "ffn_up.weight"), {e, ff}, &l.ffn_up));
    LG_TRY(ld.require(layer_tensor(il, "ffn_down.weight"), {ff, e}, &l.ffn_down));
    return core::ok();
}

}  // namespace engine::model
