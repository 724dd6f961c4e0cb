// Lambda vs API monthly cost: validation, the arithmetic, the table and the JSON.
#include "app/cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace app {

namespace {

// Floating-point slack for "whole number of messages" and "same as published" comparisons.
constexpr double kEpsilon = 1e-9;

bool near(double a, double b) { return std::fabs(a - b) < 1e-6; }

core::Status check_finite_nonnegative(double v, const char* flag, const char* what) {
    if (!std::isfinite(v) || v < 0) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("cost: {} is {}: {} must be a number >= 0", flag, v, what));
    }
    return core::ok();
}

core::Status check_memory(double mb, const char* flag) {
    if (!std::isfinite(mb) || mb < kMinMemoryMb || mb > kMaxMemoryMb) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("cost: {} is {}: Lambda memory goes from {} to {} MB "
                                      "(10 GB = 10240 MB); pass a value in that range",
                                      flag, mb, kMinMemoryMb, kMaxMemoryMb));
    }
    return core::ok();
}

core::Status check_duration(double s, const char* flag) {
    if (!std::isfinite(s) || s <= 0 || s > kMaxDurationS) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("cost: {} is {}: a Lambda invocation lasts more than 0 and "
                                      "at most {} s (15 minutes); pass seconds in that range",
                                      flag, s, kMaxDurationS));
    }
    return core::ok();
}

double default_price_gb_s(const std::string& arch) {
    return arch == "arm64" ? kPriceGbSecondArm : kPriceGbSecondX86;
}

std::string usd(double v) { return fmt::format("${:.2f}", v); }


}  // namespace

std::string price_text(double usd_value) {
    std::string s = fmt::format("{:.10f}", usd_value);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

std::string group_thousands(double value) {
    const long long n = std::llround(value);
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

core::Status validate_cost_inputs(const CostInputs& in) {
    LG_TRY(check_finite_nonnegative(in.messages, "--messages", "messages per month"));
    LG_TRY(check_memory(in.memory_mb, "--memory-mb"));
    LG_TRY(check_duration(in.duration_s, "--duration-s"));
    LG_TRY(check_memory(in.api_memory_mb, "--api-memory-mb"));
    LG_TRY(check_duration(in.api_duration_s, "--api-duration-s"));
    if (in.arch != "x86_64" && in.arch != "arm64") {
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("cost: --arch is '{}': use x86_64 or arm64", in.arch));
    }
    LG_TRY(check_finite_nonnegative(in.tokens_in, "--tokens-in", "prompt tokens per message"));
    LG_TRY(check_finite_nonnegative(in.tokens_out, "--tokens-out", "answer tokens per message"));
    LG_TRY(check_finite_nonnegative(in.price_in, "--price-in", "USD per million input tokens"));
    LG_TRY(check_finite_nonnegative(in.price_out, "--price-out", "USD per million output tokens"));
    if (in.price_gb_s) {
        LG_TRY(check_finite_nonnegative(*in.price_gb_s, "--price-gb-s", "USD per GB-second"));
    }
    LG_TRY(check_finite_nonnegative(in.price_requests, "--price-requests",
                                    "USD per million requests"));
    return core::ok();
}

LambdaCost lambda_cost(double messages, double memory_mb, double duration_s, double price_gb_s,
                       double price_per_million_requests) {
    LambdaCost c;
    c.memory_mb = memory_mb;
    c.duration_s = duration_s;
    c.gb_seconds_per_message = memory_mb / kMbPerGb * duration_s;
    c.gb_seconds = messages * c.gb_seconds_per_message;
    c.requests = messages;
    // Whole messages only: 400,000 / 600 = 666.67 covers 666 of them. The request free tier
    // caps it too (only reached by tiny functions: under 0.4 GB-s a message).
    const double by_compute = kFreeGbSeconds / c.gb_seconds_per_message;
    c.free_tier_messages =
        static_cast<std::int64_t>(std::floor(std::min(by_compute, kFreeRequests) + kEpsilon));
    c.billable_gb_seconds = std::max(0.0, c.gb_seconds - kFreeGbSeconds);
    c.billable_requests = std::max(0.0, c.requests - kFreeRequests);
    c.compute_cost_usd = c.billable_gb_seconds * price_gb_s;
    c.request_cost_usd = c.billable_requests / 1e6 * price_per_million_requests;
    c.monthly_cost_usd = c.compute_cost_usd + c.request_cost_usd;
    return c;
}

core::Result<CostReport> compute_cost(const CostInputs& in) {
    LG_TRY(validate_cost_inputs(in));
    CostReport r;
    r.inputs = in;
    r.price_gb_s = in.price_gb_s.value_or(default_price_gb_s(in.arch));
    r.self_contained =
        lambda_cost(in.messages, in.memory_mb, in.duration_s, r.price_gb_s, in.price_requests);
    r.api.lambda = lambda_cost(in.messages, in.api_memory_mb, in.api_duration_s, r.price_gb_s,
                               in.price_requests);
    r.api.tokens_per_message = in.tokens_in + in.tokens_out;
    r.api.tokens = in.messages * r.api.tokens_per_message;
    r.api.token_cost_usd =
        in.messages * (in.tokens_in * in.price_in + in.tokens_out * in.price_out) / 1e6;
    r.api.monthly_cost_usd = r.api.lambda.monthly_cost_usd + r.api.token_cost_usd;
    r.notes = published_scenario_notes(in, r);
    return r;
}

std::vector<std::string> published_scenario_notes(const CostInputs& in, const CostReport& r) {
    std::vector<std::string> notes;
    const bool x86_default = in.arch == "x86_64" && !in.price_gb_s;
    if (near(in.memory_mb, 10240) && near(in.duration_s, 60)) {
        notes.push_back(fmt::format(
            "published: 10 GB x 60 s -> 666 free messages a month; here {} "
            "(400,000 GB-s / 600 GB-s = 666.67, rounded down): correct",
            group_thousands(static_cast<double>(r.self_contained.free_tier_messages))));
    }
    if (near(in.memory_mb, 5632) && near(in.duration_s, 60)) {
        notes.push_back(fmt::format(
            "published: 5.5 GB x 60 s -> 1,212 free messages a month; here {} "
            "(400,000 / 330 = 1,212.1): correct",
            group_thousands(static_cast<double>(r.self_contained.free_tier_messages))));
        if (near(in.messages, 5000) && x86_default) {
            notes.push_back(fmt::format(
                "published: 5,000 messages at 5.5 GB x 60 s cost about $20.8 after the free "
                "tier; here {} ((1,650,000 - 400,000) GB-s x $0.0000166667): correct",
                usd(r.self_contained.monthly_cost_usd)));
        }
    }
    if ((near(in.memory_mb, 10000) || near(in.memory_mb, 5500)) && near(in.duration_s, 60)) {
        notes.push_back(fmt::format(
            "Lambda counts 1 GB as 1024 MB: {} MB is {:.3f} GB; the published {} GB is {} MB",
            in.memory_mb, in.memory_mb / kMbPerGb, in.memory_mb / 1000, in.memory_mb * 1.024));
    }
    if (near(in.api_memory_mb, 1024) && near(in.api_duration_s, 5) &&
        near(in.tokens_in + in.tokens_out, 200)) {
        const double free_tokens = static_cast<double>(r.api.lambda.free_tier_messages) * 200;
        std::string note = fmt::format(
            "published: the API path (1 GB x 5 s) gets {} free requests a month, whose 200 "
            "tokens each were said to make 1.6M tokens: WRONG, they make {} ({}M) tokens",
            group_thousands(static_cast<double>(r.api.lambda.free_tier_messages)),
            group_thousands(free_tokens), free_tokens / 1e6);
        if (near(in.price_in, 1) && near(in.price_out, 1)) {
            note += fmt::format(", about {} a month at $1 per million", usd(free_tokens / 1e6));
        }
        notes.push_back(note);
    }
    return notes;
}

std::string format_cost_table(const CostReport& r) {
    const CostInputs& in = r.inputs;
    const LambdaCost& s = r.self_contained;
    const LambdaCost& a = r.api.lambda;
    std::string out = fmt::format(
        "Monthly cost for {} messages, Lambda {} at ${} per GB-s and ${:.2f} per million "
        "requests, free tier {} GB-s and {} requests a month (GB = MB / 1024)\n\n",
        group_thousands(in.messages), in.arch, price_text(r.price_gb_s), in.price_requests,
        group_thousands(kFreeGbSeconds), group_thousands(kFreeRequests));
    auto row = [&out](const std::string& name, const std::string& left, const std::string& right) {
        out += fmt::format("{:<30} {:>16} {:>16}\n", name, left, right);
    };
    row("", "self-contained", "API");
    row("memory", fmt::format("{:g} MB", s.memory_mb), fmt::format("{:g} MB", a.memory_mb));
    row("duration per message", fmt::format("{:g} s", s.duration_s),
        fmt::format("{:g} s", a.duration_s));
    row("GB-s per message", fmt::format("{:g}", s.gb_seconds_per_message),
        fmt::format("{:g}", a.gb_seconds_per_message));
    row("GB-s per month", group_thousands(s.gb_seconds), group_thousands(a.gb_seconds));
    row("free-tier messages per month", group_thousands(static_cast<double>(s.free_tier_messages)),
        group_thousands(static_cast<double>(a.free_tier_messages)));
    row("compute after free tier", usd(s.compute_cost_usd), usd(a.compute_cost_usd));
    row("requests after free tier", usd(s.request_cost_usd), usd(a.request_cost_usd));
    row("tokens per month", "-", group_thousands(r.api.tokens));
    row(fmt::format("tokens (${:g}/${:g} per M in/out)", in.price_in, in.price_out), "-",
        usd(r.api.token_cost_usd));
    row("monthly cost", usd(s.monthly_cost_usd), usd(r.api.monthly_cost_usd));
    if (!r.notes.empty()) {
        out += "\nnotes:\n";
        for (const auto& n : r.notes) out += "- " + n + "\n";
    }
    return out;
}

namespace {

// Counts print as integers when whole (5000, not 5000.0); money and GB-s stay floating.
nlohmann::json count(double v) {
    if (std::fabs(v) < 9e15 && v == std::floor(v)) return static_cast<std::int64_t>(v);
    return v;
}

nlohmann::json lambda_json(const LambdaCost& c) {
    return {
        {"memory_mb", count(c.memory_mb)},
        {"duration_s", c.duration_s},
        {"gb_seconds_per_message", c.gb_seconds_per_message},
        {"gb_seconds", c.gb_seconds},
        {"free_tier_messages", c.free_tier_messages},
        {"requests", count(c.requests)},
        {"billable_gb_seconds", c.billable_gb_seconds},
        {"billable_requests", count(c.billable_requests)},
        {"compute_cost_usd", c.compute_cost_usd},
        {"request_cost_usd", c.request_cost_usd},
    };
}

}  // namespace

std::string format_cost_json(const CostReport& r) {
    const CostInputs& in = r.inputs;
    nlohmann::json j;
    j["inputs"] = {
        {"messages", count(in.messages)},
        {"arch", in.arch},
        {"tokens_in", count(in.tokens_in)},
        {"tokens_out", count(in.tokens_out)},
        {"price_in_usd_per_million", in.price_in},
        {"price_out_usd_per_million", in.price_out},
        {"price_gb_s_usd", r.price_gb_s},
        {"price_requests_usd_per_million", in.price_requests},
        {"free_tier_gb_seconds", count(kFreeGbSeconds)},
        {"free_tier_requests", count(kFreeRequests)},
    };
    j["lambda"] = lambda_json(r.self_contained);
    j["lambda"]["monthly_cost_usd"] = r.self_contained.monthly_cost_usd;
    j["api"] = lambda_json(r.api.lambda);
    j["api"]["lambda_cost_usd"] = r.api.lambda.monthly_cost_usd;
    j["api"]["tokens_per_message"] = count(r.api.tokens_per_message);
    j["api"]["tokens"] = count(r.api.tokens);
    j["api"]["token_cost_usd"] = r.api.token_cost_usd;
    j["api"]["monthly_cost_usd"] = r.api.monthly_cost_usd;
    j["notes"] = r.notes;
    return j.dump(2);
}

}  // namespace app
