#include "engine/tokenizer/tokenizer.h"

#include <algorithm>

#include "core/strings.h"
#include "engine/tokenizer/detail/tokenizer_impl.h"
#include "engine/tokenizer/detail/utf8.h"

namespace engine {

namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // ▁ (U+2581)

// Texts llama.cpp treats as end-of-turn / end-of-generation whatever their stored type.
constexpr std::string_view kEotTexts[] = {"<|eot_id|>", "<|im_end|>",  "<|end|>", "<end_of_turn>",
                                          "<|endoftext|>", "<EOT>", "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"};
constexpr std::string_view kEogTexts[] = {"<|eot_id|>",    "<|im_end|>", "<|end|>", "<end_of_turn>",
                                          "<|endoftext|>", "<|eom_id|>", "<EOT>",   "_<EOT>"};

bool is_special_type(TokenType t) {
    return t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
}

core::Status fill_tokens(Tokenizer::Impl& impl, Vocab& v) {
    const size_t n = v.tokens.size();
    if (n == 0 || n > 0x7FFFFFFF) {
        return core::fail(core::ErrorCode::Parse, "tokenizer: tokenizer.ggml.tokens is empty or too large (" +
                                                      std::to_string(n) + " tokens): the vocabulary is unusable");
    }
    if (!v.scores.empty() && v.scores.size() != n) {
        return core::fail(core::ErrorCode::Parse, "tokenizer: tokenizer.ggml.scores has " + std::to_string(v.scores.size()) +
                                                      " entries but there are " + std::to_string(n) + " tokens");
    }
    if (!v.types.empty() && v.types.size() != n) {
        return core::fail(core::ErrorCode::Parse, "tokenizer: tokenizer.ggml.token_type has " + std::to_string(v.types.size()) +
                                                      " entries but there are " + std::to_string(n) + " tokens");
    }
    impl.texts = std::move(v.tokens);
    impl.scores = v.scores.empty() ? std::vector<float>(n, 0.0f) : std::move(v.scores);
    impl.types = v.types.empty() ? std::vector<TokenType>(n, TokenType::Normal) : std::move(v.types);
    impl.strip.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
        // llama.cpp renames empty tokens so every text is unique and non-empty.
        if (impl.texts[i].empty()) impl.texts[i] = "[EMPTY_" + std::to_string(i) + "]";
    }
    impl.text_to_id.build(impl.texts);
    return core::ok();
}

void resolve_ids(Tokenizer::Impl& impl, const Vocab& v) {
    const auto n = static_cast<TokenId>(impl.texts.size());
    const auto pick = [n](std::optional<TokenId> from_file, TokenId fallback) {
        TokenId id = from_file.value_or(fallback);
        return id >= 0 && id < n ? id : (fallback >= 0 && fallback < n ? fallback : kNoToken);
    };
    // Defaults are llama.cpp's for each model type.
    impl.bos = pick(v.bos_id, impl.spm ? 1 : 11);
    impl.eos = pick(v.eos_id, impl.spm ? 2 : 11);
    impl.unk = pick(v.unk_id, impl.spm ? 0 : kNoToken);
    impl.pad = pick(v.pad_id, kNoToken);
    impl.eom = pick(v.eom_id, kNoToken);
    impl.eot = pick(v.eot_id, kNoToken);
    if (impl.eot == kNoToken) {
        for (std::string_view text : kEotTexts) {
            if (TokenId id = impl.lookup(text); id != kNoToken) {
                impl.eot = id;
                break;
            }
        }
    }
    if (impl.eom == kNoToken) impl.eom = impl.lookup("<|eom_id|>");
    // End-of-turn texts are control tokens even when the file says otherwise (as in llama.cpp):
    // a user must never be able to type them.
    for (std::string_view text : kEogTexts) {
        if (TokenId id = impl.lookup(text); id != kNoToken) {
            impl.types[id] = TokenType::Control;
            impl.eog.push_back(id);
        }
    }
    for (TokenId id : {impl.eos, impl.eot, impl.eom}) {
        if (id != kNoToken) impl.eog.push_back(id);
    }
    std::sort(impl.eog.begin(), impl.eog.end());
    impl.eog.erase(std::unique(impl.eog.begin(), impl.eog.end()), impl.eog.end());
}

void build_special(Tokenizer::Impl& impl, const Vocab& v) {
    for (size_t i = 0; i < impl.texts.size(); ++i) {
        if (is_special_type(impl.types[i])) impl.special_tokens.push_back(static_cast<TokenId>(i));
    }
    std::stable_sort(impl.special_tokens.begin(), impl.special_tokens.end(), [&](TokenId a, TokenId b) {
        return impl.texts[a].size() > impl.texts[b].size();
    });
    for (TokenId id : impl.special_tokens) {
        const std::string& text = impl.texts[id];
        if (text.size() == 1) {
            impl.special_one_byte = true;
            continue;
        }
        const uint32_t prefix = static_cast<uint8_t>(text[0]) | (static_cast<uint32_t>(static_cast<uint8_t>(text[1])) << 8);
        impl.special_prefix_bits[prefix >> 6] |= uint64_t{1} << (prefix & 63);
    }
    // Phi-3 vocabularies eat the spaces after their special tokens (llama.cpp sets this by name).
    const std::string name = core::to_lower_ascii(v.name);
    if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        for (TokenId id : impl.special_tokens) impl.strip[id] |= Tokenizer::Impl::kRstrip;
        if (TokenId id = impl.lookup("</s>"); id != kNoToken) impl.strip[id] |= Tokenizer::Impl::kRstrip;
        for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"}) {
            if (TokenId id = impl.lookup(text); id != kNoToken) impl.strip[id] &= ~Tokenizer::Impl::kRstrip;
        }
    }
}

void build_spm_bytes(Tokenizer::Impl& impl) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        const char name[] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
        TokenId id = impl.lookup(std::string_view(name, sizeof(name)));
        if (id == kNoToken) {
            const char raw = static_cast<char>(b);
            id = impl.lookup(std::string_view(&raw, 1));
        }
        impl.spm_byte_token[b] = id == kNoToken ? impl.unk : id;
    }
}

}  // namespace

core::Result<Tokenizer> Tokenizer::create(Vocab vocab) {
    auto impl = std::make_unique<Impl>();
    if (vocab.model == "llama") {
        impl->spm = true;
    } else if (vocab.model == "gpt2") {
        impl->spm = false;
    } else {
        return core::fail(core::ErrorCode::Unsupported,
                          "tokenizer: tokenizer.ggml.model '" + vocab.model +
                              "' is not supported (supported: llama = SentencePiece BPE, gpt2 = byte-level BPE)");
    }
    LG_TRY(fill_tokens(*impl, vocab));
    resolve_ids(*impl, vocab);
    build_special(*impl, vocab);
    if (impl->spm) {
        impl->add_space_prefix = vocab.add_space_prefix.value_or(true);
        impl->add_bos = vocab.add_bos.value_or(true);
        build_spm_bytes(*impl);
        impl->spm_split_words = std::none_of(impl->texts.begin(), impl->texts.end(), [](const std::string& text) {
            size_t lead = 0;
            while (text.compare(lead, kSpaceMark.size(), kSpaceMark) == 0) lead += kSpaceMark.size();
            return lead < text.size() && text.find(kSpaceMark, lead) != std::string::npos;
        });
    } else {
        auto pre = detail::PreTokenizer::create(vocab.pre.empty() ? "default" : vocab.pre);
        if (!pre) return core::fail(std::move(pre).error());
        impl->pre.emplace(std::move(*pre));
        impl->add_space_prefix = vocab.add_space_prefix.value_or(false);
        impl->add_bos = vocab.add_bos.value_or(impl->pre->traits().add_bos_default);
        auto model = detail::BpeModel::create(*impl, vocab.merges, impl->pre->traits().ignore_merges);
        if (!model) return core::fail(std::move(model).error());
        impl->bpe = std::move(*model);
    }
    impl->add_eos = vocab.add_eos.value_or(false);
    if (impl->add_bos && impl->bos == kNoToken) {
        return core::fail(core::ErrorCode::Parse, "tokenizer: add_bos_token is set but the vocabulary has no BOS token");
    }
    if (impl->add_eos && impl->eos == kNoToken) {
        return core::fail(core::ErrorCode::Parse, "tokenizer: add_eos_token is set but the vocabulary has no EOS token");
    }
    return Tokenizer(std::move(impl));
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<TokenId> Tokenizer::tokenize(std::string_view text, TokenizeOptions options) const {
    std::vector<TokenId> out;
    tokenize(text, options, out);
    return out;
}

void Tokenizer::tokenize(std::string_view text, TokenizeOptions options, std::vector<TokenId>& out) const {
    const Impl& t = *impl_;
    LG_CHECK(text.size() <= 0xFFFFFFFFu, "tokenize: input larger than 4 GiB");
    if (options.add_special && t.add_bos) out.push_back(t.bos);
    std::vector<detail::Fragment> fragments;
    if (!text.empty()) detail::partition_special(t, text, options.parse_special, fragments);
    bool prev_special = true;  // SentencePiece puts a space before the text that opens the input
    std::string buffer;
    std::vector<detail::Piece> words;
    for (const detail::Fragment& f : fragments) {
        if (f.token != kNoToken) {
            out.push_back(f.token);
            prev_special = true;
            continue;
        }
        const std::string_view raw = text.substr(f.offset, f.size);
        buffer.clear();
        if (t.spm) {
            if (t.add_space_prefix && prev_special) buffer += kSpaceMark;
            for (char c : raw) {
                if (c == ' ') {
                    buffer += kSpaceMark;
                } else {
                    buffer.push_back(c);
                }
            }
            detail::spm_tokenize(t, buffer, out);
        } else {
            buffer = detail::sanitize_utf8(raw);
            words.clear();
            t.pre->split(buffer, words);
            for (const detail::Piece& w : words) {
                t.bpe->tokenize_word(t, std::string_view(buffer).substr(w.offset, w.size), out);
            }
        }
        prev_special = false;
    }
    if (options.add_special && t.add_eos) out.push_back(t.eos);
}

std::string Tokenizer::piece(TokenId id, bool special) const {
    const Impl& t = *impl_;
    if (id < 0 || static_cast<size_t>(id) >= t.texts.size()) return {};
    const std::string& text = t.texts[id];
    switch (t.types[id]) {
        case TokenType::Control:
        case TokenType::Unknown:
            return special ? text : std::string();
        case TokenType::UserDefined:
            return text;
        case TokenType::Normal:
            if (!t.spm) return detail::decode_bytes(text);
            {
                std::string out;
                for (size_t i = 0; i < text.size(); ++i) {
                    if (text.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
                        out.push_back(' ');
                        i += kSpaceMark.size() - 1;
                    } else {
                        out.push_back(text[i]);
                    }
                }
                return out;
            }
        case TokenType::Byte:
            if (t.spm && text.size() == 6 && text.compare(0, 3, "<0x") == 0) {
                const auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
                return std::string(1, static_cast<char>(hex(text[3]) * 16 + hex(text[4])));
            }
            return {};
        default:
            return {};  // unused and undefined tokens print nothing, as in llama.cpp
    }
}

std::string Tokenizer::detokenize(std::span<const TokenId> ids, bool special) const {
    std::string out;
    bool strip_space = impl_->spm && impl_->add_space_prefix;
    for (size_t i = 0; i < ids.size(); ++i) {
        std::string p = piece(ids[i], special);
        if (i == 0 && ids[i] == impl_->bos && impl_->add_bos) {  // BOS does not consume the strip
            out += p;
            continue;
        }
        if (strip_space && !p.empty() && p[0] == ' ') p.erase(0, 1);
        strip_space = false;
        out += p;
    }
    return out;
}

size_t Tokenizer::n_tokens() const { return impl_->texts.size(); }
const std::string& Tokenizer::token_text(TokenId id) const {
    LG_CHECK(id >= 0 && static_cast<size_t>(id) < impl_->texts.size(), "token id out of range");
    return impl_->texts[id];
}
TokenType Tokenizer::token_type(TokenId id) const {
    if (id < 0 || static_cast<size_t>(id) >= impl_->types.size()) return TokenType::Undefined;
    return impl_->types[id];
}
std::optional<TokenId> Tokenizer::find_token(std::string_view text) const {
    TokenId id = impl_->lookup(text);
    return id == kNoToken ? std::nullopt : std::optional<TokenId>(id);
}
bool Tokenizer::is_spm() const { return impl_->spm; }
TokenId Tokenizer::bos() const { return impl_->bos; }
TokenId Tokenizer::eos() const { return impl_->eos; }
TokenId Tokenizer::eot() const { return impl_->eot; }
bool Tokenizer::add_bos() const { return impl_->add_bos; }
bool Tokenizer::add_eos() const { return impl_->add_eos; }
bool Tokenizer::is_eog(TokenId id) const {
    return std::binary_search(impl_->eog.begin(), impl_->eog.end(), id);
}

}  // namespace engine
