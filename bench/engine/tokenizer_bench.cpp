// Tokenizer throughput: 1 MB of generated text mixing English, Turkish, Russian, Chinese, code
// and emoji, tokenized with each vocabulary in shared/reference/vocab (MB/s as bytes_per_second);
// also text of made-up words (word cache mostly missing), streaming decode and load time.
//   ./bench_tokenizer --benchmark_filter=qwen2
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/tokenizer/stream_decoder.h"
#include "engine/tokenizer/vocab_gguf.h"

namespace {

constexpr const char* kVocabs[] = {"llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2"};

// Deterministic pseudo-random numbers (no dependence on the standard library's engines).
struct Lcg {
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    uint32_t next() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<uint32_t>(state >> 33);
    }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[next() % v.size()]; }
};

std::string mixed_text(size_t bytes) {
    const std::vector<std::vector<std::string>> words = {
        {"the", "model", "answers", "questions", "about", "weather", "tomorrow", "because", "people",
         "asked", "politely", "in", "a", "Telegram", "group", "with", "many", "members", "and", "moderators"},
        {"bugün", "hava", "çok", "güzel", "İstanbul'da", "yağmur", "yağacak", "mı", "öğrenciler",
         "ışık", "şehir", "değil", "gönderdiğiniz", "mesajı", "okudum", "teşekkürler"},
        {"привет", "как", "дела", "сегодня", "хорошая", "погода", "мы", "обсуждаем", "новости",
         "модератор", "удалил", "сообщение", "пользователя", "спасибо", "большое"},
        {"你好", "今天", "天气", "很好", "我们", "正在", "讨论", "人工智能", "模型", "的", "问题", "谢谢"},
        {"🙂", "🚀", "👍🏽", "🦙", "❤️", "😂", "🎉", "👨‍👩‍👧"},
    };
    const std::vector<std::string> code = {
        "for (int i = 0; i < n; ++i) {\n    sum += values[i] * 3;\n}\n",
        "def tokenize(text: str) -> list[int]:\n    return [ord(c) for c in text]\n",
        "if (!result) return core::fail(result.error());\n",
        "    const auto& [key, value] = *it;  // 42\n",
    };
    Lcg rng;
    std::string out;
    out.reserve(bytes + 256);
    while (out.size() < bytes) {
        const uint32_t kind = rng.next() % 10;
        if (kind == 0) {
            out += rng.pick(code);
            continue;
        }
        const auto& lang = words[kind % words.size()];
        const uint32_t n = 5 + rng.next() % 12;
        for (uint32_t i = 0; i < n; ++i) {
            out += rng.pick(lang);
            if (rng.next() % 9 == 0) out += std::to_string(rng.next() % 100000);
            out += (rng.next() % 7 == 0) ? ", " : " ";
        }
        out += (rng.next() % 3 == 0) ? ".\n" : ". ";
    }
    return out;
}

// Words made of random syllables (Latin, Cyrillic, CJK): almost every word is new, so the word
// cache rarely hits and the merge loops are measured.
std::string rare_words_text(size_t bytes) {
    const std::vector<std::string> syllables = {"ka", "zu", "mor", "tel", "qi", "ph", "str", "ön", "ış",
                                                "про", "жи", "ще", "ль", "你", "们", "龙", "ア", "ン"};
    Lcg rng;
    std::string out;
    out.reserve(bytes + 64);
    while (out.size() < bytes) {
        const uint32_t n = 2 + rng.next() % 6;
        for (uint32_t i = 0; i < n; ++i) out += rng.pick(syllables);
        out += (rng.next() % 11 == 0) ? "\n" : " ";
    }
    return out;
}

const std::string& text_1mb() {
    static const std::string kText = mixed_text(1 << 20);
    return kText;
}

const std::string& rare_text_1mb() {
    static const std::string kText = rare_words_text(1 << 20);
    return kText;
}

void bm_tokenize(benchmark::State& state, const engine::Tokenizer* tok, bool rare) {
    const std::string& text = rare ? rare_text_1mb() : text_1mb();
    size_t n_tokens = 0;
    for (auto _ : state) {
        auto ids = tok->tokenize(text);
        n_tokens = ids.size();
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
    state.counters["tokens"] = static_cast<double>(n_tokens);
}

void bm_detokenize_stream(benchmark::State& state, const engine::Tokenizer* tok) {
    const std::string& text = text_1mb();
    const auto ids = tok->tokenize(text);
    for (auto _ : state) {
        engine::StreamDecoder dec(*tok);
        size_t n = 0;
        for (engine::TokenId id : ids) n += dec.push(id).size();
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// Building a tokenizer from a GGUF file (cold start cost: mmap, metadata, merge table).
void bm_load(benchmark::State& state, std::string path) {
    for (auto _ : state) {
        auto tok = engine::load_tokenizer(path);
        if (!tok) state.SkipWithError(tok.error().message.c_str());
        benchmark::DoNotOptimize(tok);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const auto dir = std::filesystem::path(LG_SHARED_DIR) / "reference" / "vocab";
    std::vector<std::unique_ptr<engine::Tokenizer>> tokenizers;
    if (!std::filesystem::is_directory(dir)) {
        std::printf("SKIPPED: reference folder %s is missing (no vocabularies to benchmark)\n", dir.c_str());
    }
    for (const char* name : kVocabs) {
        const auto path = dir / (std::string("ggml-vocab-") + name + ".gguf");
        if (!std::filesystem::exists(path)) continue;
        auto tok = engine::load_tokenizer(path.string());
        if (!tok) {
            std::fprintf(stderr, "bench_tokenizer: %s\n", tok.error().message.c_str());
            return 1;
        }
        tokenizers.push_back(std::make_unique<engine::Tokenizer>(std::move(*tok)));
        benchmark::RegisterBenchmark((std::string("tokenize_1mb/") + name).c_str(), bm_tokenize,
                                     tokenizers.back().get(), false)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((std::string("tokenize_1mb_rare_words/") + name).c_str(), bm_tokenize,
                                     tokenizers.back().get(), true)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((std::string("stream_decode_1mb/") + name).c_str(), bm_detokenize_stream,
                                     tokenizers.back().get())
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((std::string("load/") + name).c_str(), bm_load, path.string())
            ->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
