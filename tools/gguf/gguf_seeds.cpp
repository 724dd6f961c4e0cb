// gguf-seeds: writes small valid GGUF files (every value type, nested arrays, v2/v3, several
// alignments and tensor types) as seeds for the fuzzer corpus in fuzz/gguf/corpus.
//   gguf-seeds fuzz/gguf/corpus
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/gguf/synthetic.h"
#include "engine/gguf/writer.h"

namespace {

using engine::TensorType;
using namespace engine::gguf;

void all_value_types(GgufWriter& w) {
    w.set("t.u8", MetaValue::u8(200));
    w.set("t.i8", MetaValue::i8(-5));
    w.set("t.u16", MetaValue::u16(60000));
    w.set("t.i16", MetaValue::i16(-300));
    w.set("t.u32", MetaValue::u32(4000000000u));
    w.set("t.i32", MetaValue::i32(-70000));
    w.set("t.f32", MetaValue::f32(0.5f));
    w.set("t.bool", MetaValue::boolean(true));
    w.set("t.str", MetaValue::string("hello"));
    w.set("t.u64", MetaValue::u64(1ULL << 40));
    w.set("t.i64", MetaValue::i64(-(1LL << 40)));
    w.set("t.f64", MetaValue::f64(-2.25));
    w.set("t.strs", MetaValue::string_array({"a", "", "ccc"}));
    w.set("t.f32s", MetaValue::f32_array({1, 2, 3}));
    w.set("t.i32s", MetaValue::i32_array({-1, 0, 1}));
    w.set("t.nested", MetaValue::array(ValueType::Array, {MetaValue::i32_array({1}), MetaValue::string_array({"x"})}));
}

bool save(const GgufWriter& w, const std::string& dir, const std::string& name) {
    auto st = w.write_file(dir + "/" + name + ".gguf");
    if (!st) std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return static_cast<bool>(st);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: gguf-seeds DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    bool ok = true;
    ok &= save(GgufWriter(3), dir, "seed-empty-v3");
    ok &= save(GgufWriter(2), dir, "seed-empty-v2");
    {
        GgufWriter w;
        all_value_types(w);
        ok &= save(w, dir, "seed-values");
    }
    {
        GgufWriter w;
        w.set_alignment(64);
        all_value_types(w);
        ok &= static_cast<bool>(w.add_tensor_f32("a", {4}, TensorType::F32, {1, 2, 3, 4}));
        ok &= static_cast<bool>(w.add_tensor_f32("b", {2, 2, 1, 1}, TensorType::F16, {1, 2, 3, 4}));
        ok &= save(w, dir, "seed-align64");
    }
    for (TensorType t : {TensorType::Q4_K, TensorType::Q6_K}) {
        GgufWriter w;  // K-quant blocks are 256 wide: one small tensor, not a model
        w.set("general.architecture", MetaValue::string("llama"));
        std::vector<float> x(512);
        for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 17) - 8.0f;
        ok &= static_cast<bool>(w.add_tensor_f32("k", {256, 2}, t, x));
        ok &= save(w, dir, fmt::format("seed-tensor-{}", engine::tensor_type_name(t)));
    }
    for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::Q8_0, TensorType::Q4_0}) {
        SyntheticModelSpec s;
        s.n_vocab = 8;
        s.n_embd = 32;
        s.n_ff = s.n_embd;
        s.n_layer = 1;
        s.n_head = 2;
        s.n_head_kv = 1;
        s.type = t;
        s.embd_type = t;
        s.arch = t == TensorType::Q8_0 ? "qwen2" : "llama";
        GgufWriter w;
        ok &= static_cast<bool>(build_synthetic_model(s, w));
        ok &= save(w, dir, fmt::format("seed-model-{}", engine::tensor_type_name(t)));
    }
    return ok ? 0 : 1;
}
