#include "engine/model/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <thread>

#include "engine/gguf/hparams.h"
#include "engine/model/arch.h"
#include "engine/model/forward.h"
#include "engine/model/linear.h"

namespace engine::model {

namespace {

std::string key(std::string_view arch, std::string_view suffix) { return fmt::format("{}.{}", arch, suffix); }

core::Result<float> get_float_or(const gguf::GgufFile& f, const std::string& k, float fallback) {
    auto v = f.get_float_or(k, fallback);
    if (!v) return core::fail(core::ErrorCode::Parse, fmt::format("model: metadata {}: {}", k, v.error().message));
    return static_cast<float>(*v);
}

core::Status convert_rope(const gguf::GgufFile& f, const gguf::ModelHparams& g, Hparams& hp) {
    if (g.n_rot > static_cast<uint32_t>(hp.head_dim) || g.n_rot % 2 != 0) {
        return core::fail(core::ErrorCode::Parse, fmt::format("model: {}.rope.dimension_count = {} does not fit "
                                                              "head size {}", hp.arch, g.n_rot, hp.head_dim));
    }
    hp.rope.n_rot = static_cast<int>(g.n_rot);
    hp.rope.freq_base = g.rope_freq_base;
    hp.rope.freq_scale = g.rope_freq_scale;
    switch (g.rope_scaling) {
        case gguf::RopeScaling::None:
            hp.rope.freq_scale = 1.0f;
            break;
        case gguf::RopeScaling::Linear:
            break;
        case gguf::RopeScaling::Yarn: {
            hp.rope.yarn = true;
            hp.rope.n_ctx_orig = static_cast<int>(g.rope_scaling_orig_ctx ? g.rope_scaling_orig_ctx : g.n_ctx_train);
            auto attn = get_float_or(f, key(hp.arch, "rope.scaling.attn_factor"), 1.0f);
            LG_TRY(attn);
            hp.rope.yarn_attn_factor = *attn;
            break;
        }
        default:
            return core::fail(core::ErrorCode::Unsupported,
                              fmt::format("model: rope scaling '{}' is not supported (linear and yarn are)",
                                          gguf::rope_scaling_name(g.rope_scaling)));
    }
    return core::ok();
}

}  // namespace

core::Result<Hparams> read_model_hparams(const gguf::GgufFile& f) {
    Hparams hp;
    hp.arch = std::string(f.architecture());
    const ArchOps* arch = find_arch(hp.arch);
    if (arch == nullptr) {
        return core::fail(core::ErrorCode::Unsupported,
                          fmt::format("model: architecture '{}' is not supported (supported: {})",
                                      hp.arch.empty() ? "(none)" : hp.arch, supported_archs()));
    }
    auto g = gguf::read_hparams(f);
    if (!g) return core::fail(std::move(g).error());
    if (g->n_expert > 0) {
        return core::fail(core::ErrorCode::Unsupported, "model: mixture-of-experts models are not supported yet");
    }
    if (g->n_embd_head_k != g->n_embd_head_v) {
        return core::fail(core::ErrorCode::Unsupported,
                          fmt::format("model: key head size {} differs from value head size {} (not supported)",
                                      g->n_embd_head_k, g->n_embd_head_v));
    }
    hp.n_embd = static_cast<int>(g->n_embd);
    hp.n_layer = static_cast<int>(g->n_layer);
    hp.n_ff = static_cast<int>(g->n_ff);
    hp.n_head = static_cast<int>(g->n_head);
    hp.n_head_kv = static_cast<int>(g->n_head_kv);
    hp.n_ctx_train = static_cast<int>(g->n_ctx_train);
    hp.head_dim = static_cast<int>(g->n_embd_head_k);
    hp.rms_eps = g->norm_rms_eps;
    if (hp.n_head_kv == 0 || hp.n_head % hp.n_head_kv != 0) {
        return core::fail(core::ErrorCode::Parse, fmt::format("model: {} query heads cannot share {} key/value heads",
                                                              hp.n_head, hp.n_head_kv));
    }
    LG_TRY(convert_rope(f, *g, hp));
    hp.rope.style = arch->rope_style;
    const gguf::TensorInfo* emb = f.find_tensor("token_embd.weight");
    if (emb == nullptr) {
        return core::fail(core::ErrorCode::Parse, "model: tensor token_embd.weight is missing from the file");
    }
    if (emb->n_dims != 2 || emb->ne[1] == 0 || emb->ne[1] > (1u << 30)) {
        return core::fail(core::ErrorCode::Parse, "model: token_embd.weight is not a [n_embd, n_vocab] matrix");
    }
    hp.n_vocab = static_cast<int>(emb->ne[1]);
    return hp;
}

MemoryEstimate estimate_memory(const gguf::GgufFile& f, const Hparams& hp, const ModelOptions& opts) {
    MemoryEstimate m;
    for (const auto& t : f.tensors()) m.weights += t.n_bytes;
    const int n_ctx = std::min(opts.n_ctx, hp.n_ctx_train);
    m.kv_cache = KvCache::bytes_for(hp.n_layer, n_ctx, hp.n_head_kv * hp.head_dim, opts.kv_type == KvType::F16);
    const int threads = opts.n_threads > 0 ? opts.n_threads : static_cast<int>(std::thread::hardware_concurrency());
    m.scratch = Forward::scratch_bytes(hp, n_ctx, opts.n_batch, std::max(1, threads));
    return m;
}

uint64_t available_memory() {
    std::ifstream in("/proc/meminfo");
    std::string name;
    uint64_t kb = 0;
    std::string unit;
    while (in >> name >> kb) {
        std::getline(in, unit);
        if (name == "MemAvailable:") return kb * 1024;
    }
    return 0;
}

Model::Model(gguf::GgufFile file, const ModelOptions& opts) : file_(std::move(file)), opts_(opts) {}

Model::~Model() = default;

core::Result<std::unique_ptr<Model>> Model::load(const std::string& path, const ModelOptions& opts) {
    auto f = gguf::GgufFile::open(path);
    if (!f) return core::fail(std::move(f).error());
    return load(std::move(*f), opts);
}

core::Result<std::unique_ptr<Model>> Model::load(gguf::GgufFile file, const ModelOptions& opts) {
    if (opts.n_batch < 1 || opts.n_ctx < 1) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("model: n_ctx ({}) and n_batch ({}) must be positive", opts.n_ctx, opts.n_batch));
    }
    std::unique_ptr<Model> m(new Model(std::move(file), opts));
    LG_TRY(m->init());
    return m;
}

namespace {

std::string gib(uint64_t bytes) { return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0)); }

// Reads one byte per page so the weights are resident before the first token (and the caller
// can show progress); the sum keeps the reads from being optimised away.
void page_in(const gguf::GgufFile& f, const std::function<void(uint64_t, uint64_t)>& progress) {
    const auto bytes = f.bytes();
    const uint64_t total = bytes.size();
    const uint64_t step = 4096;
    const uint64_t report = 16ull << 20;
    volatile unsigned char sink = 0;
    unsigned char acc = 0;
    for (uint64_t i = 0; i < total; i += step) {
        acc = static_cast<unsigned char>(acc + static_cast<unsigned char>(bytes[i]));
        if (i % report == 0) progress(i, total);
    }
    sink = acc;
    (void)sink;
    progress(total, total);
}

// Every matrix must suit the matmul kernels (a supported type, whole blocks per row).
core::Status check_matrices(const ModelWeights& w) {
    auto check = [](const Weight& m) -> core::Status {
        if (!m.present()) return core::ok();
        auto st = Linear::check(m);
        if (!st) return core::fail(st.error().code, fmt::format("model: {}: {}", m.name, st.error().message));
        return core::ok();
    };
    LG_TRY(check(w.output));
    for (const LayerWeights& l : w.layers) {
        for (const Weight* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) LG_TRY(check(*m));
    }
    return core::ok();
}

}  // namespace

core::Status Model::init() {
    auto hp = read_model_hparams(file_);
    LG_TRY(hp);
    hp_ = std::move(*hp);
    n_ctx_ = std::min(opts_.n_ctx, hp_.n_ctx_train);
    mem_ = estimate_memory(file_, hp_, opts_);
    if (opts_.check_memory) {
        const uint64_t avail = available_memory();
        if (avail != 0 && mem_.total() > avail) {
            return core::fail(core::ErrorCode::ResourceExhausted,
                              fmt::format("model: {} needs {} (weights {}, KV cache {}, scratch {}) but only {} "
                                          "is available: use a smaller quantization or a shorter context",
                                          file_.path(), gib(mem_.total()), gib(mem_.weights), gib(mem_.kv_cache),
                                          gib(mem_.scratch), gib(avail)));
        }
    }
    const ArchOps& arch = *find_arch(hp_.arch);
    WeightLoader ld(file_);
    const int64_t e = hp_.n_embd;
    LG_TRY(ld.require("token_embd.weight", {e, hp_.n_vocab}, &w_.token_embd));
    LG_TRY(ld.require_f32("output_norm.weight", {e}, &w_.output_norm));
    LG_TRY(ld.optional("output.weight", {e, hp_.n_vocab}, &w_.output));
    if (!w_.output.present()) w_.output = w_.token_embd;  // tied embeddings
    LG_TRY(ld.optional_f32("rope_freqs.weight", {hp_.rope.n_rot / 2}, &w_.rope_freqs));
    w_.layers.resize(static_cast<size_t>(hp_.n_layer));
    for (int il = 0; il < hp_.n_layer; ++il) LG_TRY(arch.load_layer(ld, hp_, il, w_.layers[static_cast<size_t>(il)]));
    LG_TRY(check_matrices(w_));
    if (opts_.on_progress) page_in(file_, opts_.on_progress);
    const int threads = opts_.n_threads > 0 ? opts_.n_threads : static_cast<int>(std::thread::hardware_concurrency());
    fwd_ = std::make_unique<Forward>(hp_, w_, arch, n_ctx_, opts_.n_batch, opts_.kv_type == KvType::F16,
                                     std::max(1, threads), opts_.precise);
    return core::ok();
}

bool Model::activations_quantized() const { return fwd_->activations_quantized(); }

core::Status Model::eval(std::span<const int> tokens, int pos, float* logits_out, bool all_logits) {
    const int n = static_cast<int>(tokens.size());
    if (n == 0) return core::fail(core::ErrorCode::InvalidArgument, "model: eval needs at least one token");
    if (pos < 0 || static_cast<int64_t>(pos) + n > n_ctx_) {
        return core::fail(core::ErrorCode::ResourceExhausted,
                          fmt::format("model: {} tokens at position {} do not fit the context of {} tokens "
                                      "(start a new conversation or load with a longer context)",
                                      n, pos, n_ctx_));
    }
    for (int id : tokens) {
        if (id < 0 || id >= hp_.n_vocab) {
            return core::fail(core::ErrorCode::InvalidArgument,
                              fmt::format("model: token id {} is outside the vocabulary (0..{})", id, hp_.n_vocab - 1));
        }
    }
    for (int done = 0; done < n; done += opts_.n_batch) {
        const int count = std::min(opts_.n_batch, n - done);
        const bool last = done + count == n;
        // Chunks before the last need logits only when every row is wanted.
        float* out = all_logits ? logits_out + static_cast<size_t>(done) * static_cast<size_t>(hp_.n_vocab)
                                : (last ? logits_out : nullptr);
        fwd_->run(tokens.subspan(static_cast<size_t>(done), static_cast<size_t>(count)), pos + done, out, all_logits);
    }
    return core::ok();
}

}  // namespace engine::model
