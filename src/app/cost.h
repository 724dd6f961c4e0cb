// What a bot costs a month on AWS Lambda: self-contained (the local model runs inside Lambda)
// against the API path (Lambda as a thin client, plus the API's token prices). Pure arithmetic
// behind `lambdagram cost`; Lambda bills memory in GB = MB / 1024 (see docs/cost.md).
//   auto report = app::compute_cost(inputs);   // Result<CostReport>, errors name the flag
//   if (report) std::cout << app::format_cost_table(*report);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace app {

// AWS Lambda list prices (us-east-1) and the monthly free tier, built in; the GB-s and request
// prices can be overridden with --price-gb-s and --price-requests.
inline constexpr double kPriceGbSecondX86 = 0.0000166667;  // USD per GB-s, x86_64
inline constexpr double kPriceGbSecondArm = 0.0000133334;  // USD per GB-s, arm64
inline constexpr double kPricePerMillionRequests = 0.20;   // USD
inline constexpr double kFreeGbSeconds = 400000.0;         // per month
inline constexpr double kFreeRequests = 1000000.0;         // per month
inline constexpr double kMinMemoryMb = 128.0;              // Lambda's limits
inline constexpr double kMaxMemoryMb = 10240.0;
inline constexpr double kMaxDurationS = 900.0;
inline constexpr double kMbPerGb = 1024.0;  // Lambda: GB-s = MB / 1024 x seconds

// The flags of `lambdagram cost`. Defaults are the published scenario (5.5 GB x 60 s local
// model; 1 GB x 5 s thin client with 200 tokens a message at $1 per million).
struct CostInputs {
    double messages = 5000;         // --messages, per month
    double memory_mb = 5632;        // --memory-mb, self-contained (5.5 GB)
    double duration_s = 60;         // --duration-s, self-contained, per message
    double api_memory_mb = 1024;    // --api-memory-mb, thin client
    double api_duration_s = 5;      // --api-duration-s, thin client, per message
    std::string arch = "x86_64";    // --arch x86_64|arm64
    double tokens_in = 100;         // --tokens-in, prompt tokens per message
    double tokens_out = 100;        // --tokens-out, answer tokens per message
    double price_in = 1.0;          // --price-in, USD per million input tokens
    double price_out = 1.0;         // --price-out, USD per million output tokens
    std::optional<double> price_gb_s;                  // --price-gb-s, default by arch
    double price_requests = kPricePerMillionRequests;  // --price-requests, USD per million
};

// One Lambda function's monthly bill, each free tier applied to it alone.
struct LambdaCost {
    double memory_mb = 0;
    double duration_s = 0;
    double gb_seconds_per_message = 0;
    double gb_seconds = 0;                // per month
    std::int64_t free_tier_messages = 0;  // messages a month the free tier covers entirely
    double requests = 0;                  // one invocation per message
    double billable_gb_seconds = 0;       // after the 400,000 GB-s free tier
    double billable_requests = 0;         // after the 1M free requests
    double compute_cost_usd = 0;
    double request_cost_usd = 0;
    double monthly_cost_usd = 0;
};

struct ApiCost {
    LambdaCost lambda;  // the thin client
    double tokens_per_message = 0;
    double tokens = 0;  // per month, input + output
    double token_cost_usd = 0;
    double monthly_cost_usd = 0;  // Lambda + tokens
};

struct CostReport {
    CostInputs inputs;
    double price_gb_s = 0;  // the price used (built in for the arch, or --price-gb-s)
    LambdaCost self_contained;
    ApiCost api;
    std::vector<std::string> notes;  // set when the inputs match the published scenario
};

// Checks every flag; the error names the flag and the fix.
core::Status validate_cost_inputs(const CostInputs& in);
// The bill of one Lambda function; inputs already valid.
LambdaCost lambda_cost(double messages, double memory_mb, double duration_s, double price_gb_s,
                       double price_per_million_requests);
// Validates, then computes both options and the notes.
core::Result<CostReport> compute_cost(const CostInputs& in);

// Where the inputs match the figures published with the Python bots, what those figures were
// and where they were wrong (the 1.6M tokens that are 16M).
std::vector<std::string> published_scenario_notes(const CostInputs& in, const CostReport& r);

// The comparison table printed by `lambdagram cost`, notes included.
std::string format_cost_table(const CostReport& r);
// `lambdagram cost --json`: {"inputs":{..},"lambda":{..},"api":{..},"notes":[..]}.
std::string format_cost_json(const CostReport& r);

// "1234567.8" -> "1,234,568": integers with thousands separators, for the table.
std::string group_thousands(double value);
// 0.0000166667 rather than 1.66667e-05: fixed point, up to 10 decimals, trailing zeros dropped.
std::string price_text(double usd_value);

}  // namespace app
