// Token sampling: penalties over the recent window, then greedy or top-k -> top-p -> min-p ->
// temperature -> a seeded draw (llama.cpp's default chain and semantics). Deterministic for a
// given seed on every machine; sample() allocates nothing after construction.
//   engine::Sampler sampler(params, n_vocab);
//   int token = sampler.sample(logits, recent_tokens);  // logits are modified in place
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace engine {

struct SamplingParams {
    static constexpr uint64_t kRandomSeed = ~uint64_t{0};  // draw a seed at construction

    float temperature = 0.7f;       // <= 0: greedy (argmax after penalties)
    int top_k = 40;                 // <= 0 or >= n_vocab: off
    float top_p = 0.95f;            // >= 1: off; keeps the smallest prefix with mass >= top_p
    float min_p = 0.05f;            // <= 0: off; keeps p >= min_p * p_max
    float repeat_penalty = 1.0f;    // 1: off; divides positive logits, multiplies negative ones
    int repeat_last_n = 64;         // window for all three penalties; 0: off, -1: all recent tokens
    float frequency_penalty = 0;    // subtracted once per occurrence in the window
    float presence_penalty = 0;     // subtracted once if the token occurs in the window
    uint64_t seed = kRandomSeed;    // same seed + same logits -> same tokens
    int max_tokens = 256;           // generation limit, enforced by StopController; <= 0: none
    std::vector<std::string> stop;  // extra stop strings (the chat template adds its own)
};

// Checks ranges (temperature >= 0, top_p in (0, 1], min_p in [0, 1], repeat_penalty > 0, ...);
// the error names the field and the accepted range.
core::Status validate(const SamplingParams& params);

class Sampler {
public:
    // n_vocab > 0. Buffers for n_vocab candidates are allocated here, once.
    Sampler(const SamplingParams& params, int n_vocab);

    // Picks the next token. `logits` (size n_vocab) is modified: penalties are applied in place.
    // `recent_tokens` are the previous tokens, oldest first (prompt and output); ids outside
    // [0, n_vocab) are ignored.
    int sample(std::span<float> logits, std::span<const int> recent_tokens);

    const SamplingParams& params() const { return params_; }
    uint64_t seed() const { return seed_; }  // the seed in use (log it to reproduce a run)
    int n_vocab() const { return n_vocab_; }

    // Restart the random sequence (same seed -> same draws as a fresh Sampler).
    void reseed(uint64_t seed);

    // For tests and diagnostics (allocates): the ids that survived top-k/top-p/min-p in the
    // last sample() that drew at random, sorted by id. Empty after a greedy choice.
    std::vector<int> last_candidates() const;

private:
    struct Candidate {
        float logit;
        int id;
    };

    void apply_penalties(std::span<float> logits, std::span<const int> recent_tokens);
    size_t top_k_select(std::span<const float> logits);
    size_t top_p_cut(size_t n, float max_logit, bool& sorted);
    double softmax_total(size_t n, float max_logit) const;
    size_t min_p_cut(size_t n, bool sorted);
    int draw(size_t n);
    double uniform01();

    SamplingParams params_;
    int n_vocab_;
    uint64_t seed_;
    std::mt19937_64 rng_;
    // All sized at construction; sample() never allocates.
    std::vector<Candidate> cand_;      // the candidates still in the running, [0, n)
    std::vector<Candidate> scratch_;   // top-p's stable compaction
    std::vector<double> weights_;      // draw(): exp((logit - max) / temperature)
    std::vector<double> bucket_mass_;  // top-p's histogram of probability mass by logit
    std::vector<int> counts_;          // occurrences in the penalty window, zero between calls
    size_t n_last_ = 0;                // candidates left for the last draw
};

// Index of the largest logit; the lowest id wins ties. Empty span: -1.
int argmax(std::span<const float> logits);

}  // namespace engine
