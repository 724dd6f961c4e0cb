// qwen3: Qwen3 dense models. A llama block with NeoX rotary pairing and an RMSNorm over each
// query and key head (weights attn_q_norm / attn_k_norm, head_dim wide) before the rotation.
#include "engine/model/arch.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"

namespace engine::model {

namespace {

core::Status load_layer(WeightLoader& ld, const Hparams& hp, int il, LayerWeights& l) {
    LG_TRY(load_common_layer(ld, hp, il, l));
    LG_TRY(ld.require_f32(layer_tensor(il, "attn_q_norm.weight"), {hp.head_dim}, &l.q_norm));
    LG_TRY(ld.require_f32(layer_tensor(il, "attn_k_norm.weight"), {hp.head_dim}, &l.k_norm));
    return core::ok();
}

void forward_layer(Forward& f, const LayerWeights& l, int il) {
    f.norm(l.attn_norm, f.xb());
    f.qkv(l, f.xb());
    f.head_norm(l.q_norm, f.q(), false);
    f.head_norm(l.k_norm, f.k(), true);
    f.rope_qk();
    f.attention(il);
    f.linear(l.wo, f.att(), f.xb());
    f.add_to_residual(f.xb());
    f.ffn_swiglu(l);
}

}  // namespace

const ArchOps kArchQwen3{"qwen3", RopeStyle::Neox, load_layer, forward_layer};

}  // namespace engine::model
