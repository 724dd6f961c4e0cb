#include "engine/tokenizer/vocab_gguf.h"

namespace engine {

namespace {

core::Status read_optional_id(const gguf::GgufFile& f, std::string_view key, std::optional<TokenId>& out) {
    if (!f.has(key)) return core::ok();
    auto v = f.get_u32(key);
    if (!v) return core::fail(std::move(v).error());
    // Out-of-range ids are dropped later (llama.cpp warns and keeps its default).
    out = *v > 0x7FFFFFFFu ? kNoToken : static_cast<TokenId>(*v);
    return core::ok();
}

core::Status read_optional_bool(const gguf::GgufFile& f, std::string_view key, std::optional<bool>& out) {
    if (!f.has(key)) return core::ok();
    auto v = f.get_bool(key);
    if (!v) return core::fail(std::move(v).error());
    out = *v;
    return core::ok();
}

core::Status read_strings(const gguf::GgufFile& f, std::string_view key, std::vector<std::string>& out) {
    auto arr = f.get_string_array(key);
    if (!arr) return core::fail(std::move(arr).error());
    out.reserve(arr->size());
    for (std::string_view s : *arr) out.emplace_back(s);
    return core::ok();
}

}  // namespace

core::Result<Vocab> vocab_from_gguf(const gguf::GgufFile& f) {
    Vocab v;
    auto model = f.get_string("tokenizer.ggml.model");
    if (!model) {
        return core::fail(model.error().code, "tokenizer: " + model.error().message +
                                                  " (the GGUF file has no tokenizer; convert it with its vocabulary)");
    }
    v.model = std::string(*model);
    if (f.has("tokenizer.ggml.pre")) {
        auto pre = f.get_string("tokenizer.ggml.pre");
        if (!pre) return core::fail(std::move(pre).error());
        v.pre = std::string(*pre);
    }
    if (f.has("general.name")) {
        auto name = f.get_string("general.name");
        if (name) v.name = std::string(*name);
    }
    LG_TRY(read_strings(f, "tokenizer.ggml.tokens", v.tokens));
    if (f.has("tokenizer.ggml.scores")) {
        auto scores = f.get_f32_array("tokenizer.ggml.scores");
        if (!scores) return core::fail(std::move(scores).error());
        v.scores = std::move(*scores);
    }
    if (f.has("tokenizer.ggml.token_type")) {
        auto types = f.get_i32_array("tokenizer.ggml.token_type");
        if (!types) return core::fail(std::move(types).error());
        v.types.reserve(types->size());
        for (int32_t t : *types) v.types.push_back(t >= 0 && t <= 6 ? static_cast<TokenType>(t) : TokenType::Undefined);
    }
    if (f.has("tokenizer.ggml.merges")) LG_TRY(read_strings(f, "tokenizer.ggml.merges", v.merges));
    LG_TRY(read_optional_id(f, "tokenizer.ggml.bos_token_id", v.bos_id));
    LG_TRY(read_optional_id(f, "tokenizer.ggml.eos_token_id", v.eos_id));
    LG_TRY(read_optional_id(f, "tokenizer.ggml.unknown_token_id", v.unk_id));
    LG_TRY(read_optional_id(f, "tokenizer.ggml.padding_token_id", v.pad_id));
    LG_TRY(read_optional_id(f, "tokenizer.ggml.eot_token_id", v.eot_id));
    LG_TRY(read_optional_id(f, "tokenizer.ggml.eom_token_id", v.eom_id));
    LG_TRY(read_optional_bool(f, "tokenizer.ggml.add_bos_token", v.add_bos));
    LG_TRY(read_optional_bool(f, "tokenizer.ggml.add_eos_token", v.add_eos));
    LG_TRY(read_optional_bool(f, "tokenizer.ggml.add_space_prefix", v.add_space_prefix));
    return v;
}

core::Result<Tokenizer> load_tokenizer(const std::string& gguf_path) {
    auto file = gguf::GgufFile::open(gguf_path);
    if (!file) return core::fail(std::move(file).error());
    auto vocab = vocab_from_gguf(*file);
    if (!vocab) {
        core::Error e = std::move(vocab).error();
        e.message += " (file " + gguf_path + ")";
        return core::fail(std::move(e));
    }
    return Tokenizer::create(std::move(*vocab));
}

}  // namespace engine
