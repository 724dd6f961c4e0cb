// `lambdagram tokenize`: the engine's tokenizer on standard input. Without flags: no BOS/EOS,
// special-token text as plain text (what a user message gets).
#include "app/cmd_tokenize.h"

#include <iterator>
#include <memory>
#include <string>

#include "app/commands.h"
#include "engine/tokenizer/token_format.h"
#include "engine/tokenizer/vocab_gguf.h"

namespace app {

namespace {

struct TokenizeFlags {
    std::string model;
    bool add_special = false;
    bool parse_special = false;
    bool json = false;
};

void run_tokenize(AppContext& ctx, const TokenizeFlags& flags) {
    auto tok = engine::load_tokenizer(flags.model);
    if (!tok) {
        report_error(ctx, "tokenize: " + tok.error().message, kExitFailure);
        return;
    }
    // Every byte counts (a trailing newline is a token too): read the stream unformatted.
    const std::string text((std::istreambuf_iterator<char>(*ctx.in)), std::istreambuf_iterator<char>());
    const std::vector<engine::TokenId> ids =
        tok->tokenize(text, {.add_special = flags.add_special, .parse_special = flags.parse_special});
    *ctx.out << (flags.json ? engine::format_ids_json(*tok, ids) : engine::format_ids(ids)) << "\n";
    ctx.out->flush();
}

}  // namespace

void add_tokenize_command(CLI::App& app, AppContext& ctx) {
    CLI::App* cmd = app.add_subcommand(
        "tokenize", "Tokenize standard input (raw bytes) with a GGUF model's vocabulary and print the ids");
    auto flags = std::make_shared<TokenizeFlags>();
    cmd->add_option("-m,--model", flags->model, "GGUF file whose vocabulary to use")->required();
    cmd->add_flag("--add-special", flags->add_special, "Add BOS/EOS as the vocabulary asks");
    cmd->add_flag("--parse-special", flags->parse_special,
                  "Read special-token text such as <|im_end|> as that token (never for user text)");
    cmd->add_flag("--json", flags->json, "Print {\"ids\":[...],\"pieces\":[...]}");
    cmd->callback([&ctx, flags] { run_tokenize(ctx, *flags); });
}

}  // namespace app
