#include "engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.h"

namespace engine {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr size_t kTopPBuckets = 2048;

// Total order: higher logit first, lower id first among equals. The tie-break makes every
// sort deterministic whatever the standard library's algorithm.
struct ByLogitDesc {
    template <class C>
    bool operator()(const C& a, const C& b) const {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    }
};

float sanitize(float logit) { return std::isnan(logit) ? kNegInf : logit; }

uint64_t fresh_seed() {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(rd());
}

}  // namespace

core::Status validate(const SamplingParams& p) {
    auto bad = [](const std::string& what) {
        return core::fail(core::ErrorCode::InvalidArgument, "sampling: " + what);
    };
    if (!(p.temperature >= 0)) return bad("temperature must be >= 0 (0 = greedy)");
    if (!(p.top_p > 0 && p.top_p <= 1)) return bad("top_p must be in (0, 1] (1 = off)");
    if (!(p.min_p >= 0 && p.min_p <= 1)) return bad("min_p must be in [0, 1] (0 = off)");
    if (!(p.repeat_penalty > 0)) return bad("repeat_penalty must be > 0 (1 = off)");
    if (p.repeat_last_n < -1) return bad("repeat_last_n must be >= -1 (-1 = all, 0 = off)");
    if (!std::isfinite(p.frequency_penalty) || !std::isfinite(p.presence_penalty))
        return bad("frequency_penalty and presence_penalty must be finite numbers");
    for (const auto& s : p.stop)
        if (s.empty()) return bad("stop strings must not be empty");
    return core::ok();
}

int argmax(std::span<const float> logits) {
    if (logits.empty()) return -1;
    int best = 0;
    for (size_t i = 1; i < logits.size(); ++i)
        if (logits[i] > logits[best] || (std::isnan(logits[best]) && !std::isnan(logits[i])))
            best = static_cast<int>(i);
    return best;
}

Sampler::Sampler(const SamplingParams& params, int n_vocab)
    : params_(params), n_vocab_(n_vocab), seed_(0) {
    LG_CHECK(n_vocab > 0, "Sampler needs n_vocab > 0");
    cand_.resize(static_cast<size_t>(n_vocab));
    scratch_.resize(static_cast<size_t>(n_vocab));
    weights_.resize(static_cast<size_t>(n_vocab));
    counts_.assign(static_cast<size_t>(n_vocab), 0);
    bucket_mass_.assign(kTopPBuckets, 0.0);
    reseed(params.seed == SamplingParams::kRandomSeed ? fresh_seed() : params.seed);
}

void Sampler::reseed(uint64_t seed) {
    seed_ = seed;
    rng_.seed(seed);
}

// 53 random bits -> [0, 1). std::uniform_real_distribution is implementation-defined, this is not.
double Sampler::uniform01() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

void Sampler::apply_penalties(std::span<float> logits, std::span<const int> recent) {
    const SamplingParams& p = params_;
    if (p.repeat_last_n == 0) return;
    if (p.repeat_penalty == 1.0f && p.frequency_penalty == 0 && p.presence_penalty == 0) return;
    size_t window =
        p.repeat_last_n < 0 ? recent.size() : std::min(recent.size(), size_t(p.repeat_last_n));
    std::span<const int> last = recent.subspan(recent.size() - window);
    for (int t : last)
        if (t >= 0 && t < n_vocab_) ++counts_[t];
    // Each distinct token once; zeroing the count marks it done and leaves counts_ clean.
    for (int t : last) {
        if (t < 0 || t >= n_vocab_ || counts_[t] == 0) continue;
        float& l = logits[t];
        l = l > 0 ? l / p.repeat_penalty : l * p.repeat_penalty;
        l -= static_cast<float>(counts_[t]) * p.frequency_penalty + p.presence_penalty;
        counts_[t] = 0;
    }
}

// The k best logits, sorted best first, straight from the logits: a bounded heap whose top is
// the worst kept candidate, so most of a 150k vocabulary costs one comparison.
size_t Sampler::top_k_select(std::span<const float> logits) {
    const size_t k = static_cast<size_t>(params_.top_k);
    auto first = cand_.begin();
    auto last = first + static_cast<ptrdiff_t>(k);
    for (size_t i = 0; i < k; ++i) cand_[i] = {sanitize(logits[i]), static_cast<int>(i)};
    std::make_heap(first, last, ByLogitDesc{});
    for (size_t i = k; i < logits.size(); ++i) {
        Candidate c{sanitize(logits[i]), static_cast<int>(i)};
        if (!ByLogitDesc{}(c, cand_[0])) continue;
        std::pop_heap(first, last, ByLogitDesc{});
        cand_[k - 1] = c;
        std::push_heap(first, last, ByLogitDesc{});
    }
    std::sort_heap(first, last, ByLogitDesc{});
    return k;
}

// Smallest prefix, in probability order, whose mass reaches top_p (at least one token). On a
// large unsorted set, a histogram of the mass by logit finds the bucket where the cut falls;
// only that bucket is sorted. The kept set is then [better buckets in id order, the sorted
// boundary bucket's prefix], not sorted as a whole.
size_t Sampler::top_p_cut(size_t n, float max_logit, bool& sorted) {
    if (!sorted && n <= 1024) {
        std::sort(cand_.begin(), cand_.begin() + static_cast<ptrdiff_t>(n), ByLogitDesc{});
        sorted = true;
    }
    if (sorted) {
        const double target = double(params_.top_p) * softmax_total(n, max_logit);
        double cum = 0;
        for (size_t i = 0; i < n; ++i) {
            cum += std::exp(double(cand_[i].logit) - max_logit);
            if (cum >= target) return i + 1;
        }
        return n;
    }
    // Buckets of equal logit width over [max - 40, max]; bucket 0 holds the best. exp(-40) is
    // ~4e-18, so everything lower shares the last bucket without changing any sum that matters.
    const size_t nb = bucket_mass_.size();
    const float span = 40.0f;
    const float scale = float(nb - 1) / span;
    auto bucket = [&](float l) {
        float d = (max_logit - l) * scale;
        return d >= float(nb - 1) ? nb - 1 : static_cast<size_t>(d);
    };
    std::fill(bucket_mass_.begin(), bucket_mass_.end(), 0.0);
    for (size_t i = 0; i < n; ++i)
        bucket_mass_[bucket(cand_[i].logit)] += std::exp(double(cand_[i].logit) - max_logit);
    double total = 0;
    for (double m : bucket_mass_) total += m;
    const double target = double(params_.top_p) * total;
    size_t cut = 0;
    for (double cum = 0; cut < nb - 1; ++cut) {
        cum += bucket_mass_[cut];
        if (cum >= target) break;
    }
    // Stable compaction: better buckets first (id order), then the boundary bucket.
    size_t a = 0;
    for (size_t i = 0; i < n; ++i)
        if (bucket(cand_[i].logit) < cut) scratch_[a++] = cand_[i];
    size_t m = a;
    for (size_t i = 0; i < n; ++i)
        if (bucket(cand_[i].logit) == cut) scratch_[m++] = cand_[i];
    std::copy(scratch_.begin(), scratch_.begin() + static_cast<ptrdiff_t>(m), cand_.begin());
    std::sort(cand_.begin() + static_cast<ptrdiff_t>(a), cand_.begin() + static_cast<ptrdiff_t>(m),
              ByLogitDesc{});
    double cum = 0;
    for (size_t i = 0; i < m; ++i) {
        cum += std::exp(double(cand_[i].logit) - max_logit);
        if (i >= a && cum >= target) return i + 1;
    }
    return std::max<size_t>(m, 1);
}

double Sampler::softmax_total(size_t n, float max_logit) const {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += std::exp(double(cand_[i].logit) - max_logit);
    return total;
}

size_t Sampler::min_p_cut(size_t n, bool sorted) {
    float max_logit = kNegInf;
    for (size_t i = 0; i < n; ++i) max_logit = std::max(max_logit, cand_[i].logit);
    // p_i >= min_p * p_max  <=>  logit_i >= max_logit + log(min_p)
    const float threshold = max_logit + std::log(params_.min_p);
    if (sorted) {
        size_t keep = 1;
        while (keep < n && cand_[keep].logit >= threshold) ++keep;
        return keep;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i)
        if (cand_[i].logit >= threshold) cand_[kept++] = cand_[i];
    return std::max<size_t>(kept, 1);  // the max itself always passes; guards NaN thresholds
}

std::vector<int> Sampler::last_candidates() const {
    std::vector<int> ids;
    for (size_t i = 0; i < n_last_; ++i) ids.push_back(cand_[i].id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

int Sampler::draw(size_t n) {
    n_last_ = n;
    float max_logit = kNegInf;
    for (size_t i = 0; i < n; ++i) max_logit = std::max(max_logit, cand_[i].logit);
    const double inv_t = 1.0 / double(params_.temperature);
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
        weights_[i] = std::exp((double(cand_[i].logit) - max_logit) * inv_t);
        total += weights_[i];
    }
    const double r = uniform01() * total;
    double cum = 0;
    for (size_t i = 0; i < n; ++i) {
        cum += weights_[i];
        if (r < cum) return cand_[i].id;
    }
    return cand_[n - 1].id;  // rounding left r == total
}

int Sampler::sample(std::span<float> logits, std::span<const int> recent_tokens) {
    LG_CHECK(logits.size() == static_cast<size_t>(n_vocab_),
             "Sampler::sample: logits size differs from n_vocab");
    apply_penalties(logits, recent_tokens);
    n_last_ = 0;
    if (params_.temperature <= 0 || params_.top_k == 1) return argmax(logits);

    size_t n = logits.size();
    bool sorted = false;
    if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < n) {
        n = top_k_select(logits);
        sorted = true;
    } else {
        for (size_t i = 0; i < n; ++i) cand_[i] = {sanitize(logits[i]), static_cast<int>(i)};
    }
    float max_logit = kNegInf;
    for (size_t i = 0; i < n; ++i) max_logit = std::max(max_logit, cand_[i].logit);
    // All masked (-inf) or some +inf: probabilities are undefined; the best logit wins.
    if (!std::isfinite(max_logit)) return argmax(logits);
    if (params_.top_p < 1.0f) n = top_p_cut(n, max_logit, sorted);
    if (params_.min_p > 0.0f) n = min_p_cut(n, sorted);
    return draw(n);
}

}  // namespace engine
