// `lambdagram cost`: the published figures, the free tier edges, arm64, the JSON shape, the
// flag errors and a well-formed, deterministic SVG.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cmd_cost.h"
#include "app/cost.h"
#include "app/cost_svg.h"

namespace app {
namespace {

CostReport compute_ok(const CostInputs& in) {
    auto r = compute_cost(in);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : CostReport{};
}

CostInputs scenario(double messages, double memory_mb, double duration_s) {
    CostInputs in;
    in.messages = messages;
    in.memory_mb = memory_mb;
    in.duration_s = duration_s;
    return in;
}

// Runs `lambdagram cost ARGS` through the real flag definitions.
struct CliRun {
    int code = -1;
    std::string out;
    std::string err;
};

CliRun run_cli_args(std::vector<std::string> args) {
    CLI::App app("cost test", "cost");
    CostFlags flags;
    add_cost_options(app, flags);
    std::vector<const char*> argv = {"cost"};
    for (const auto& a : args) argv.push_back(a.c_str());
    CliRun run;
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        run.err = e.what();
        run.code = 2;
        return run;
    }
    std::ostringstream out, err;
    run.code = run_cost(flags, out, err);
    run.out = out.str();
    run.err = err.str();
    return run;
}

// --- the published figures ----------------------------------------------------------------

TEST(CostPublished, TenGbSixtySecondsGives666FreeMessages) {
    // 10 GB = 10240 MB (Lambda's GB is 1024 MB): 400,000 / (10 x 60) = 666.67 -> 666.
    const auto r = compute_ok(scenario(1000, 10240, 60));
    EXPECT_DOUBLE_EQ(r.self_contained.gb_seconds_per_message, 600.0);
    EXPECT_EQ(r.self_contained.free_tier_messages, 666);
}

TEST(CostPublished, FiveAndAHalfGbSixtySecondsGives1212FreeMessages) {
    const auto r = compute_ok(scenario(1000, 5632, 60));
    EXPECT_DOUBLE_EQ(r.self_contained.gb_seconds_per_message, 330.0);
    EXPECT_EQ(r.self_contained.free_tier_messages, 1212);
}

TEST(CostPublished, FiveThousandMessagesAtFiveAndAHalfGbCostAbout20_8) {
    const auto r = compute_ok(scenario(5000, 5632, 60));
    EXPECT_DOUBLE_EQ(r.self_contained.gb_seconds, 1650000.0);
    EXPECT_DOUBLE_EQ(r.self_contained.billable_gb_seconds, 1250000.0);
    EXPECT_NEAR(r.self_contained.compute_cost_usd, 1250000.0 * 0.0000166667, 1e-9);
    EXPECT_NEAR(r.self_contained.monthly_cost_usd, 20.83, 0.005);
    EXPECT_DOUBLE_EQ(r.self_contained.request_cost_usd, 0.0);  // 5,000 << 1M free requests
}

TEST(CostPublished, ApiPathEightyThousandFreeRequestsMake16MTokensNot1_6M) {
    CostInputs in = scenario(80000, 5632, 60);
    in.api_memory_mb = 1024;
    in.api_duration_s = 5;
    in.tokens_in = 100;
    in.tokens_out = 100;
    in.price_in = 1;
    in.price_out = 1;
    const auto r = compute_ok(in);
    EXPECT_EQ(r.api.lambda.free_tier_messages, 80000);
    EXPECT_DOUBLE_EQ(r.api.lambda.gb_seconds, 400000.0);
    EXPECT_DOUBLE_EQ(r.api.lambda.monthly_cost_usd, 0.0);  // exactly the free tier
    EXPECT_DOUBLE_EQ(r.api.tokens, 16000000.0);
    EXPECT_NE(r.api.tokens, 1600000.0);
    EXPECT_NEAR(r.api.token_cost_usd, 16.0, 1e-9);
    EXPECT_NEAR(r.api.monthly_cost_usd, 16.0, 1e-9);
}

TEST(CostPublished, SelfContainedAtTheApiFreeTierVolumeCosts433) {
    // docs/cost.md: (80,000 x 330 - 400,000) x $0.0000166667.
    const auto r = compute_ok(scenario(80000, 5632, 60));
    EXPECT_NEAR(r.self_contained.monthly_cost_usd, 26000000.0 * 0.0000166667, 1e-6);
    EXPECT_NEAR(r.self_contained.monthly_cost_usd, 433.33, 0.005);
}

TEST(CostPublished, NotesSayWhereTheOriginalWasWrong) {
    const auto r = compute_ok(CostInputs{});  // the defaults are the published scenario
    const std::string table = format_cost_table(r);
    EXPECT_NE(table.find("notes:"), std::string::npos) << table;
    EXPECT_NE(table.find("1.6M"), std::string::npos) << table;
    EXPECT_NE(table.find("16,000,000"), std::string::npos) << table;
    EXPECT_NE(table.find("1,212"), std::string::npos) << table;
    EXPECT_NE(table.find("$20.83"), std::string::npos) << table;
}

TEST(CostPublished, NoNotesForOtherInputs) {
    CostInputs in = scenario(3000, 4096, 30);
    in.api_memory_mb = 512;
    const auto r = compute_ok(in);
    EXPECT_TRUE(r.notes.empty());
    EXPECT_EQ(format_cost_table(r).find("notes:"), std::string::npos);
}

TEST(CostPublished, DecimalGigabytesGetTheMebibyteNote) {
    // 5.5 GB read as 5500 MB is 5.371 GB to Lambda: more free messages than published.
    const auto r = compute_ok(scenario(5000, 5500, 60));
    EXPECT_EQ(r.self_contained.free_tier_messages, 1241);
    bool found = false;
    for (const auto& n : r.notes) found = found || n.find("1024 MB") != std::string::npos;
    EXPECT_TRUE(found);
}

// --- free tier edges, architecture, requests -----------------------------------------------

TEST(CostFreeTier, UnderTheFreeTierCostsNothing) {
    const auto r = compute_ok(scenario(666, 10240, 60));
    EXPECT_DOUBLE_EQ(r.self_contained.monthly_cost_usd, 0.0);
    const auto over = compute_ok(scenario(667, 10240, 60));
    EXPECT_GT(over.self_contained.monthly_cost_usd, 0.0);
    EXPECT_NEAR(over.self_contained.billable_gb_seconds, 200.0, 1e-9);  // 667*600 - 400,000
}

TEST(CostFreeTier, ZeroMessagesCostNothing) {
    const auto r = compute_ok(scenario(0, 10240, 60));
    EXPECT_DOUBLE_EQ(r.self_contained.monthly_cost_usd, 0.0);
    EXPECT_DOUBLE_EQ(r.api.monthly_cost_usd, 0.0);
}

TEST(CostFreeTier, RequestsPastOneMillionAreBilled) {
    CostInputs in = scenario(3000000, 128, 0.1);  // 0.0125 GB-s a message: compute stays free
    const auto r = compute_ok(in);
    EXPECT_EQ(r.self_contained.free_tier_messages, 1000000);  // capped by the free requests
    EXPECT_DOUBLE_EQ(r.self_contained.billable_gb_seconds, 0.0);
    EXPECT_DOUBLE_EQ(r.self_contained.billable_requests, 2000000.0);
    EXPECT_NEAR(r.self_contained.request_cost_usd, 0.40, 1e-12);
}

TEST(CostArch, Arm64IsCheaperPerGbSecond) {
    CostInputs in = scenario(5000, 5632, 60);
    in.arch = "arm64";
    const auto arm = compute_ok(in);
    const auto x86 = compute_ok(scenario(5000, 5632, 60));
    EXPECT_DOUBLE_EQ(arm.price_gb_s, 0.0000133334);
    EXPECT_DOUBLE_EQ(x86.price_gb_s, 0.0000166667);
    EXPECT_NEAR(arm.self_contained.monthly_cost_usd, 1250000.0 * 0.0000133334, 1e-9);
    EXPECT_LT(arm.self_contained.monthly_cost_usd, x86.self_contained.monthly_cost_usd);
    EXPECT_EQ(arm.self_contained.free_tier_messages, x86.self_contained.free_tier_messages);
}

TEST(CostArch, PriceOverridesWin) {
    CostInputs in = scenario(5000, 5632, 60);
    in.price_gb_s = 0.00001;
    in.price_requests = 0.5;
    const auto r = compute_ok(in);
    EXPECT_DOUBLE_EQ(r.price_gb_s, 0.00001);
    EXPECT_NEAR(r.self_contained.compute_cost_usd, 12.5, 1e-9);
}

TEST(CostTokens, InputAndOutputPricedSeparately) {
    CostInputs in = scenario(1000, 5632, 60);
    in.tokens_in = 1000;
    in.tokens_out = 500;
    in.price_in = 0.15;
    in.price_out = 0.60;
    const auto r = compute_ok(in);
    EXPECT_DOUBLE_EQ(r.api.tokens, 1500000.0);
    EXPECT_NEAR(r.api.token_cost_usd, 1.0 * 0.15 + 0.5 * 0.60, 1e-12);
}

// --- flag errors ---------------------------------------------------------------------------

struct BadFlag {
    std::vector<std::string> args;
    std::string flag;
};

TEST(CostErrors, BadFlagsAreNamedWithTheFix) {
    const std::vector<BadFlag> cases = {
        {{"--messages", "-5"}, "--messages"},
        {{"--memory-mb", "0"}, "--memory-mb"},
        {{"--memory-mb", "10241"}, "--memory-mb"},
        {{"--memory-mb", "64"}, "--memory-mb"},
        {{"--duration-s", "901"}, "--duration-s"},
        {{"--duration-s", "0"}, "--duration-s"},
        {{"--api-memory-mb", "20000"}, "--api-memory-mb"},
        {{"--api-duration-s", "-1"}, "--api-duration-s"},
        {{"--arch", "sparc"}, "--arch"},
        {{"--tokens-in", "-1"}, "--tokens-in"},
        {{"--tokens-out", "-1"}, "--tokens-out"},
        {{"--price-in", "-0.5"}, "--price-in"},
        {{"--price-out", "-0.5"}, "--price-out"},
        {{"--price-gb-s", "-1"}, "--price-gb-s"},
        {{"--price-requests", "-1"}, "--price-requests"},
    };
    for (const auto& c : cases) {
        const CliRun run = run_cli_args(c.args);
        EXPECT_EQ(run.code, 2) << c.flag;
        EXPECT_NE(run.err.find(c.flag), std::string::npos) << run.err;
        EXPECT_TRUE(run.out.empty()) << c.flag;
    }
    EXPECT_NE(run_cli_args({"--arch", "sparc"}).err.find("x86_64 or arm64"), std::string::npos);
    EXPECT_NE(run_cli_args({"--memory-mb", "20000"}).err.find("10240"), std::string::npos);
    EXPECT_NE(run_cli_args({"--duration-s", "1000"}).err.find("900"), std::string::npos);
}

TEST(CostErrors, NonNumbersAreRejectedByTheParser) {
    const CliRun run = run_cli_args({"--messages", "lots"});
    EXPECT_EQ(run.code, 2);
    EXPECT_NE(run.err.find("--messages"), std::string::npos) << run.err;
}

// --- JSON ----------------------------------------------------------------------------------

TEST(CostJson, FieldNamesAreExact) {
    const CliRun run = run_cli_args({"--messages", "5000", "--memory-mb", "5632", "--duration-s",
                                     "60", "--arch", "x86_64", "--tokens-in", "100",
                                     "--tokens-out", "100", "--price-in", "1", "--price-out", "1",
                                     "--json"});
    ASSERT_EQ(run.code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    ASSERT_TRUE(j.contains("lambda"));
    ASSERT_TRUE(j.contains("api"));
    for (const char* k : {"gb_seconds", "free_tier_messages", "monthly_cost_usd"}) {
        EXPECT_TRUE(j["lambda"].contains(k)) << k;
        EXPECT_TRUE(j["lambda"][k].is_number()) << k;
    }
    for (const char* k : {"tokens", "monthly_cost_usd", "gb_seconds", "free_tier_messages",
                          "token_cost_usd", "lambda_cost_usd"}) {
        EXPECT_TRUE(j["api"].contains(k)) << k;
        EXPECT_TRUE(j["api"][k].is_number()) << k;
    }
    EXPECT_TRUE(j["lambda"]["free_tier_messages"].is_number_integer());
    EXPECT_EQ(j["lambda"]["free_tier_messages"].get<int>(), 1212);
    EXPECT_DOUBLE_EQ(j["lambda"]["gb_seconds"].get<double>(), 1650000.0);
    EXPECT_NEAR(j["lambda"]["monthly_cost_usd"].get<double>(), 20.83, 0.005);
    EXPECT_DOUBLE_EQ(j["api"]["tokens"].get<double>(), 1000000.0);
    EXPECT_EQ(j["api"]["free_tier_messages"].get<int>(), 80000);
    EXPECT_TRUE(j["notes"].is_array());
    EXPECT_FALSE(j["notes"].empty());
}

TEST(CostJson, PriceFlagsReachTheReport) {
    CliRun run = run_cli_args({"--arch", "arm64", "--json"});
    ASSERT_EQ(run.code, 0) << run.err;
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(run.out)["inputs"]["price_gb_s_usd"].get<double>(),
                     0.0000133334);
    run = run_cli_args({"--arch", "arm64", "--price-gb-s", "0.00001", "--price-requests", "0.5",
                        "--json"});
    ASSERT_EQ(run.code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_DOUBLE_EQ(j["inputs"]["price_gb_s_usd"].get<double>(), 0.00001);
    EXPECT_DOUBLE_EQ(j["inputs"]["price_requests_usd_per_million"].get<double>(), 0.5);
    EXPECT_NEAR(j["lambda"]["monthly_cost_usd"].get<double>(), 12.5, 1e-9);
}

TEST(CostTable, ShowsBothOptions) {
    const CliRun run = run_cli_args({"--messages", "5000"});
    ASSERT_EQ(run.code, 0) << run.err;
    EXPECT_NE(run.out.find("self-contained"), std::string::npos);
    EXPECT_NE(run.out.find("API"), std::string::npos);
    EXPECT_NE(run.out.find("1,650,000"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("80,000"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("monthly cost"), std::string::npos);
}

TEST(CostTable, GroupsThousands) {
    EXPECT_EQ(group_thousands(0), "0");
    EXPECT_EQ(group_thousands(999), "999");
    EXPECT_EQ(group_thousands(1000), "1,000");
    EXPECT_EQ(group_thousands(16000000), "16,000,000");
    EXPECT_EQ(group_thousands(-1234.4), "-1,234");
}

// --- SVG -----------------------------------------------------------------------------------

// A minimal XML check: every tag closed in order, no stray '<' or '&' in text.
bool well_formed(const std::string& xml, std::string* why) {
    std::vector<std::string> stack;
    size_t i = 0;
    while (i < xml.size()) {
        if (xml[i] == '&') {
            const size_t semi = xml.find(';', i);
            const std::string ent = xml.substr(i, semi == std::string::npos ? 0 : semi - i + 1);
            if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" &&
                ent != "&apos;") {
                *why = "bad entity at " + std::to_string(i);
                return false;
            }
            i = semi + 1;
            continue;
        }
        if (xml[i] != '<') {
            if (xml[i] == '>') {
                *why = "stray > at " + std::to_string(i);
                return false;
            }
            ++i;
            continue;
        }
        size_t end = i + 1;
        char quote = 0;
        for (; end < xml.size(); ++end) {  // the tag's '>', skipping quoted attribute values
            if (quote) {
                if (xml[end] == quote) quote = 0;
                else if (xml[end] == '<') return *why = "< in attribute", false;
            } else if (xml[end] == '"' || xml[end] == '\'') {
                quote = xml[end];
            } else if (xml[end] == '>') {
                break;
            }
        }
        if (end >= xml.size()) return *why = "unterminated tag", false;
        std::string tag = xml.substr(i + 1, end - i - 1);
        i = end + 1;
        if (tag.empty()) return *why = "empty tag", false;
        if (tag.back() == '/') continue;
        if (tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (stack.empty() || stack.back() != name) {
                *why = "unexpected </" + name + ">";
                return false;
            }
            stack.pop_back();
            continue;
        }
        stack.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
    }
    if (!stack.empty()) return *why = "unclosed <" + stack.back() + ">", false;
    return true;
}

size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
}

TEST(CostSvg, WellFormedWithALinePerOptionAndALegend) {
    const auto r = compute_ok(CostInputs{});
    const std::string svg = render_cost_svg(r);
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    std::string why;
    EXPECT_TRUE(well_formed(svg, &why)) << why;
    EXPECT_EQ(count(svg, "<polyline"), 2u);
    EXPECT_NE(svg.find("self-contained: local model, 5632 MB x 60 s"), std::string::npos);
    EXPECT_NE(svg.find("API: thin client 1024 MB x 5 s + tokens"), std::string::npos);
    EXPECT_NE(svg.find("messages per month"), std::string::npos);
    EXPECT_NE(svg.find("<title>"), std::string::npos);
    EXPECT_NE(svg.find(">10k<"), std::string::npos) << "x axis reaches 2 x 5,000";
    EXPECT_NE(svg.find(">2k<"), std::string::npos) << "one unit for every tick";
    EXPECT_NE(svg.find(">5,000 messages<"), std::string::npos) << "a marker at --messages";
}

TEST(CostSvg, Deterministic) {
    const auto r = compute_ok(CostInputs{});
    EXPECT_EQ(render_cost_svg(r), render_cost_svg(r));
    const auto zero = compute_ok(scenario(0, 10240, 60));
    const std::string svg = render_cost_svg(zero);  // no messages: 0..100k, all-zero API line
    std::string why;
    EXPECT_TRUE(well_formed(svg, &why)) << why;
    EXPECT_NE(svg.find(">100k<"), std::string::npos);
    EXPECT_EQ(svg.find("class=\"marker\""), std::string::npos);
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(CostSvg, EscapesText) {
    EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    std::string why;
    EXPECT_FALSE(well_formed("<svg><g></svg>", &why));
    EXPECT_FALSE(well_formed("<svg>a & b</svg>", &why));
    EXPECT_TRUE(well_formed("<svg><g/><text>a &amp; b</text></svg>", &why)) << why;
}

TEST(CostSvg, NiceTicks) {
    EXPECT_EQ(nice_ticks(10000, 5), (std::vector<double>{0, 2000, 4000, 6000, 8000, 10000}));
    EXPECT_EQ(nice_ticks(20.83, 5), (std::vector<double>{0, 5, 10, 15, 20, 25}));
    EXPECT_EQ(nice_ticks(0, 5).back(), 1.0);
}

TEST(CostSvg, FileWrittenAndBadPathReported) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("lg_cost_test_" + std::to_string(::testing::UnitTest::GetInstance()
                                                            ->random_seed()) + ".svg");
    CliRun run = run_cli_args({"--messages", "5000", "--svg", path.string()});
    ASSERT_EQ(run.code, 0) << run.err;
    std::ifstream f(path);
    std::stringstream content;
    content << f.rdbuf();
    EXPECT_EQ(content.str(), render_cost_svg(compute_ok(CostInputs{})));
    std::filesystem::remove(path);

    run = run_cli_args({"--svg", "/nonexistent-dir-lg/cost.svg"});
    EXPECT_EQ(run.code, 1);
    EXPECT_NE(run.err.find("/nonexistent-dir-lg/cost.svg"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace app
