// The architecture families the engine runs, one file each (llama.cpp, qwen2.cpp, qwen3.cpp):
// which tensors a layer has and how a layer's forward pass composes the building blocks.
// Adding a family means one new file and one line in arch.cpp's table.
//   const ArchOps* a = find_arch("qwen2");  LG_TRY(a->load_layer(loader, hp, 0, layer));
#pragma once

#include <span>
#include <string_view>

#include "core/result.h"
#include "engine/model/blocks.h"
#include "engine/model/weights.h"

namespace engine::model {

struct Hparams;
class Forward;

struct ArchOps {
    std::string_view name;    // general.architecture
    RopeStyle rope_style;
    core::Status (*load_layer)(WeightLoader& ld, const Hparams& hp, int il, LayerWeights& l);
    void (*forward_layer)(Forward& f, const LayerWeights& l, int il);  // hot path: no failure
};

// nullptr when the engine does not know the architecture.
const ArchOps* find_arch(std::string_view name);
// "llama, qwen2, qwen3" for error messages.
std::string_view supported_archs();

// Tensors every supported family shares: attn_norm, attn_q/k/v/output, ffn_norm, ffn_gate/up/down.
core::Status load_common_layer(WeightLoader& ld, const Hparams& hp, int il, LayerWeights& l);

extern const ArchOps kArchLlama;
extern const ArchOps kArchQwen2;
extern const ArchOps kArchQwen3;

}  // namespace engine::model
