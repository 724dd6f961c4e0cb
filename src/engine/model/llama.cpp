// llama: Llama 2/3.x, Mistral 7B, TinyLlama, SmolLM2, Llama Guard 3. Pre-norm blocks:
//   x += Wo · attn(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x));  x += Wdown · (silu(Wgate·n(x)) * Wup·n(x))
#include "engine/model/arch.h"
#include "engine/model/forward.h"

namespace engine::model {

namespace {

void forward_layer(Forward& f, const LayerWeights& l, int il) {
    f.norm(l.attn_norm, f.xb());
    f.qkv(l, f.xb());
    f.rope_qk();
    f.attention(il);
    f.linear(l.wo, f.att(), f.xb());
    f.add_to_residual(f.xb());
    f.ffn_swiglu(l);
}

}  // namespace

const ArchOps kArchLlama{"llama", RopeStyle::Normal, load_common_layer, forward_layer};

}  // namespace engine::model
