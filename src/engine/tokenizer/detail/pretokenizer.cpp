#include "engine/tokenizer/detail/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine/tokenizer/detail/utf8.h"

namespace engine::detail {

namespace {

// Whitespace as llama.cpp's hand-written gpt2/llama3 splitters see it (Python's str.isspace):
// PCRE2's \s plus U+001C..U+001F and U+0085. Its std::regex fallback (used for qwen2 and the
// helper regexes) sees ASCII through the C locale, so there U+001C..U+001F are not spaces.
constexpr std::string_view kWsCustom = "\\s\\x{1C}-\\x{1F}\\x{85}";
constexpr std::string_view kWsStd = "\\s\\x{85}";

// Expands {WS} into a whitespace class body.
std::string with_ws(std::string_view pattern, std::string_view ws) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern.substr(i, 4) == "{WS}") {
            out += ws;
            i += 3;
        } else {
            out.push_back(pattern[i]);
        }
    }
    return out;
}

// The regex lists are llama.cpp's (llm_tokenizer_bpe), with \s and \S spelled as classes.
const std::string& gpt2_regex() {
    static const std::string kRegex = with_ws(
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^{WS}\\p{L}\\p{N}]+|[{WS}]+(?![^{WS}])", kWsCustom);
    return kRegex;
}

std::string llama3_style_regex(std::string_view numbers, std::string_view ws) {
    std::string pattern =
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|";
    pattern += numbers;
    pattern += "| ?[^{WS}\\p{L}\\p{N}]+[\\r\\n]*|[{WS}]*[\\r\\n]+|[{WS}]+(?![^{WS}])|[{WS}]+";
    return with_ws(pattern, ws);
}

struct PreSpec {
    std::vector<std::string_view> names;
    std::vector<std::string> regexes;
    PreTokenizerTraits traits;
};

const std::vector<PreSpec>& pre_specs() {
    static const std::vector<PreSpec> kSpecs = {
        {{"default", ""},
         {"[\\p{P}\\$\\+<=>\\^~\\|]+", gpt2_regex(), "\\p{N}+", "[0-9][0-9][0-9]"},
         {}},
        {{"llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral"},
         {llama3_style_regex("\\p{N}{1,3}", kWsCustom)},
         {.ignore_merges = true, .add_bos_default = true}},
        {{"dbrx", "smaug-bpe"}, {llama3_style_regex("\\p{N}{1,3}", kWsCustom)}, {}},
        {{"gpt-2", "phi-2", "mpt", "olmo", "jina-es", "jina-de"}, {gpt2_regex()}, {}},
        {{"qwen2", "deepseek-r1-qwen", "stablelm2"}, {llama3_style_regex("\\p{N}", kWsStd)}, {}},
        {{"smollm", "starcoder", "refact", "command-r", "codeshell", "exaone"}, {"\\p{N}", gpt2_regex()}, {}},
    };
    return kSpecs;
}

// Per-thread match state: PCRE2 match data and a JIT stack large enough for long runs.
struct MatchState {
    pcre2_match_data* data = pcre2_match_data_create(16, nullptr);
    pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, nullptr);
    pcre2_match_context* context = [this] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        pcre2_jit_stack_assign(c, nullptr, stack);
        return c;
    }();
    ~MatchState() {
        pcre2_match_context_free(context);
        pcre2_jit_stack_free(stack);
        pcre2_match_data_free(data);
    }
};

MatchState& match_state() {
    thread_local MatchState state;
    return state;
}

}  // namespace

struct PreTokenizer::Regex {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Regex() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

std::string PreTokenizer::supported_names() {
    std::string out;
    for (const PreSpec& spec : pre_specs()) {
        for (std::string_view name : spec.names) {
            if (name.empty()) continue;
            if (!out.empty()) out += ", ";
            out += name;
        }
    }
    return out;
}

core::Result<PreTokenizer> PreTokenizer::create(std::string_view pre) {
    const PreSpec* found = nullptr;
    for (const PreSpec& spec : pre_specs()) {
        for (std::string_view name : spec.names) {
            if (name == pre) found = &spec;
        }
    }
    if (found == nullptr) {
        return core::fail(core::ErrorCode::Unsupported,
                          "tokenizer: pre-tokenizer '" + std::string(pre) +
                              "' (tokenizer.ggml.pre) is not supported; supported: " + supported_names());
    }
    PreTokenizer result;
    result.traits_ = found->traits;
    for (const std::string& pattern : found->regexes) {
        int error = 0;
        PCRE2_SIZE error_offset = 0;
        auto regex = std::make_unique<Regex>();
        regex->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                    PCRE2_UTF | PCRE2_UCP, &error, &error_offset, nullptr);
        if (regex->code == nullptr) {
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(error, message, sizeof(message));
            return core::fail(core::ErrorCode::Internal,
                              "tokenizer: pre-tokenizer regex '" + pattern + "' does not compile at offset " +
                                  std::to_string(error_offset) + ": " + reinterpret_cast<const char*>(message));
        }
        regex->jit = pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE) == 0;
        result.regexes_.push_back(std::move(regex));
    }
    return result;
}

void PreTokenizer::split(std::string_view text, std::vector<Piece>& out) const {
    std::vector<Piece> current{{0, static_cast<uint32_t>(text.size())}};
    std::vector<Piece> next;
    MatchState& state = match_state();
    const auto* subject_base = reinterpret_cast<PCRE2_SPTR>(text.data());
    for (const auto& regex : regexes_) {
        next.clear();
        for (const Piece piece : current) {
            // Each piece is its own subject: lookaheads must not see past its end.
            PCRE2_SPTR subject = subject_base + piece.offset;
            size_t pos = 0;
            size_t last = 0;
            while (pos < piece.size) {
                const int rc = regex->jit ? pcre2_jit_match(regex->code, subject, piece.size, pos, 0, state.data,
                                                            state.context)
                                          : pcre2_match(regex->code, subject, piece.size, pos,
                                                        PCRE2_NO_UTF_CHECK, state.data, state.context);
                if (rc < 0) break;  // no further match (or a resource error: the rest stays one piece)
                const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(state.data);
                const size_t start = ov[0];
                const size_t end = ov[1];
                if (end == start) {  // empty match: step over one character
                    pos = start + utf8_char_len(static_cast<uint8_t>(text[piece.offset + start]));
                    continue;
                }
                if (start > last) next.push_back({piece.offset + static_cast<uint32_t>(last), static_cast<uint32_t>(start - last)});
                next.push_back({piece.offset + static_cast<uint32_t>(start), static_cast<uint32_t>(end - start)});
                last = end;
                pos = end;
            }
            if (last < piece.size) next.push_back({piece.offset + static_cast<uint32_t>(last), static_cast<uint32_t>(piece.size - last)});
        }
        current.swap(next);
    }
    out.insert(out.end(), current.begin(), current.end());
}

}  // namespace engine::detail
