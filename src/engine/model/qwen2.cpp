// qwen2: Qwen2 and Qwen2.5. A llama block with biases on the q, k and v projections and NeoX
// rotary pairing.
#include "engine/model/arch.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"

namespace engine::model {

namespace {

core::Status load_layer(WeightLoader& ld, const Hparams& hp, int il, LayerWeights& l) {
    LG_TRY(load_common_layer(ld, hp, il, l));
    const int64_t q = static_cast<int64_t>(hp.n_head) * hp.head_dim;
    const int64_t kv = static_cast<int64_t>(hp.n_head_kv) * hp.head_dim;
    LG_TRY(ld.require_f32(layer_tensor(il, "attn_q.bias"), {q}, &l.bq));
    LG_TRY(ld.require_f32(layer_tensor(il, "attn_k.bias"), {kv}, &l.bk));
    LG_TRY(ld.require_f32(layer_tensor(il, "attn_v.bias"), {kv}, &l.bv));
    return core::ok();
}

void forward_layer(Forward& f, const LayerWeights& l, int il) {
    f.norm(l.attn_norm, f.xb());
    f.qkv(l, f.xb());
    f.add_bias(l.bq, f.q());
    f.add_bias(l.bk, f.k());
    f.add_bias(l.bv, f.v());
    f.rope_qk();
    f.attention(il);
    f.linear(l.wo, f.att(), f.xb());
    f.add_to_residual(f.xb());
    f.ffn_swiglu(l);
}

}  // namespace

const ArchOps kArchQwen2{"qwen2", RopeStyle::Neox, load_layer, forward_layer};

}  // namespace engine::model
