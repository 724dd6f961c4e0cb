#include "app/assistant_setup.h"

#include "core/log.h"
#include "net/curl_http_client.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace app {

namespace {

// The context file over HTTP(S), stopping the download past the size limit.
class HttpContextSource final : public bot::ContextSource {
public:
    explicit HttpContextSource(const net::CurlHttpClientOptions& options) : http_(options) {}

    core::Result<std::string> fetch(const std::string& url, size_t max_bytes,
                                    core::Deadline deadline) override {
        std::string body;
        bool too_big = false;
        net::HttpRequest req;
        req.url = url;
        req.on_body = [&](std::string_view chunk) {
            if (body.size() + chunk.size() > max_bytes) {
                too_big = true;
                return false;
            }
            body.append(chunk);
            return true;
        };
        auto res = http_.send(req, deadline);
        if (too_big) {
            return core::fail(core::ErrorCode::ResourceExhausted,
                              "it is larger than bot.context_max_bytes (" +
                                  std::to_string(max_bytes) + " bytes)");
        }
        if (!res) return core::fail(std::move(res).error());
        if (res->status != 200) {
            return core::fail(core::ErrorCode::Http,
                              "the server answered HTTP " + std::to_string(res->status));
        }
        return body;
    }

private:
    net::CurlHttpClient http_;
};

}  // namespace

llm::BackendConfig backend_config(const core::Config& cfg) {
    llm::BackendConfig b;
    b.backend = cfg.model.backend == core::ModelBackend::Local    ? llm::Backend::Local
                : cfg.model.backend == core::ModelBackend::OpenAi ? llm::Backend::OpenAi
                                                                  : llm::Backend::None;
    b.model_path = cfg.model.path;
    b.model_name = cfg.model.name;
    b.base_url = cfg.openai.base_url;
    b.api_key = cfg.openai.api_key;
    b.ca_bundle_path = cfg.http.ca_bundle;
    return b;
}

namespace {

core::Result<std::unique_ptr<store::Store>> open_store(const std::string& path) {
    if (path == ":memory:") return std::unique_ptr<store::Store>(new store::MemoryStore());
    auto s = store::SqliteStore::open({.path = path});
    if (!s) {
        return core::fail(s.error().code, s.error().message +
                                              " (set store.path to a writable file, or "
                                              "\":memory:\" to keep nothing)");
    }
    return std::unique_ptr<store::Store>(std::move(*s));
}

}  // namespace

bot::AssistantOptions assistant_options(const core::Config& cfg) {
    bot::AssistantOptions o;
    o.name = cfg.bot.name;
    o.location = cfg.bot.location;
    o.prompt_template = cfg.bot.prompt_template;
    o.params.temperature = cfg.model.temperature;
    o.params.top_p = cfg.model.top_p;
    o.params.max_tokens = cfg.model.max_tokens;
    o.history_turns = static_cast<size_t>(cfg.bot.history_turns);
    o.history_token_budget = cfg.bot.history_token_budget;
    o.stream.edit_interval = core::Millis(cfg.bot.stream_edit_interval_ms);
    o.limits.allowed_users.assign(cfg.bot.allowed_users.begin(), cfg.bot.allowed_users.end());
    o.limits.allowed_chats.assign(cfg.bot.allowed_chats.begin(), cfg.bot.allowed_chats.end());
    o.limits.user_rate_per_minute = cfg.limits.user_rate_per_minute;
    o.limits.chat_daily_tokens = cfg.limits.chat_daily_tokens;
    return o;
}

bot::moderation::ModerationDefaults moderation_defaults(const core::Config& cfg) {
    const core::ModerationConfig& m = cfg.moderation;
    bot::moderation::ModerationDefaults d;
    d.enabled = m.enabled;
    d.dry_run = m.dry_run;
    d.threshold = m.threshold;
    // The config loader already checked the ladder; the default covers a hand-built Config.
    auto ladder = bot::moderation::parse_ladder(m.ladder);
    d.ladder =
        ladder ? *ladder : bot::moderation::parse_ladder(bot::moderation::kDefaultLadder).value();
    d.strike_decay = std::chrono::hours(m.strike_decay_h);
    d.lang = m.language;
    d.skip_trivial = m.skip_trivial;
    d.moderate_edits = m.moderate_edits;
    d.admin_cache = std::chrono::seconds(m.admin_cache_s);
    return d;
}

namespace {

// The moderator's lexicon, classifier and Assessor, once the store is open.
core::Status build_moderator_parts(const core::Config& cfg, AssistantParts& parts) {
    auto mod = build_moderation(cfg, parts.model.get());
    if (!mod) return core::fail(std::move(mod).error());
    parts.moderation = std::move(*mod);
    parts.assessor = std::make_unique<bot::moderation::Assessor>(*parts.moderation.lexicon,
                                                                 parts.moderation.classifier);
    core::log::info("moderation: {} lexicon entries, classifier {}; {}",
                    parts.moderation.lexicon->size(), parts.moderation.classifier_kind,
                    cfg.moderation.enabled ? "on in every group unless its admins send /mod off"
                                           : "on in groups whose admins send /mod on");
    return core::ok();
}

}  // namespace

core::Result<AssistantParts> build_assistant(const core::Config& cfg, core::Clock& clock) {
    AssistantParts parts;
    if (cfg.model.backend != core::ModelBackend::None) {
        auto model = llm::make_chat_model(backend_config(cfg));
        if (!model) return core::fail(std::move(model).error());
        parts.model = std::move(*model);
    }
    auto st = open_store(cfg.store.path);
    if (!st && (parts.model || cfg.moderation.enabled)) return core::fail(std::move(st).error());
    if (!st) {
        core::log::warn("moderation: off, the store cannot be opened: {}", st.error().message);
        return parts;
    }
    parts.store = std::move(*st);
    LG_TRY(build_moderator_parts(cfg, parts));
    if (!parts.model) return parts;
    if (!cfg.bot.context_file_url.empty()) {
        net::CurlHttpClientOptions http_options;
        http_options.ca_bundle_path = cfg.http.ca_bundle;
        parts.source = std::make_unique<HttpContextSource>(http_options);
        bot::ContextOptions copts;
        copts.url = cfg.bot.context_file_url;
        copts.ttl = std::chrono::seconds(cfg.bot.context_ttl_s);
        copts.max_bytes = static_cast<size_t>(cfg.bot.context_max_bytes);
        parts.context = std::make_unique<bot::ContextCache>(parts.source.get(), copts, clock);
    }
    parts.assistant = std::make_unique<bot::Assistant>(
        *parts.model, parts.store.get(), parts.context.get(), assistant_options(cfg), clock);
    core::log::info("bot: answering with {} (store {})", parts.model->name(), cfg.store.path);
    return parts;
}

std::unique_ptr<bot::Bot> make_bot(telegram::BotApi& api, AssistantParts& parts,
                                   const core::Config& cfg, core::Clock& clock,
                                   std::optional<telegram::User> me) {
    bot::BotOptions options;
    options.name = cfg.bot.name;
    options.echo = cfg.bot.echo;
    options.me = std::move(me);
    parts.moderator.reset();
    if (parts.assessor && parts.store) {
        parts.moderator = std::make_unique<bot::moderation::Moderator>(
            api, *parts.store, *parts.assessor, moderation_defaults(cfg), clock);
    }
    return std::make_unique<bot::Bot>(api, options, clock, parts.assistant.get(),
                                      parts.moderator.get());
}

runtime::UpdateDedupe update_dedupe(const AssistantParts& parts, const core::Config& cfg,
                                    core::Clock& clock) {
    store::Store* st = parts.store.get();
    if (!st || (!parts.assistant && !cfg.moderation.enabled)) return runtime::memory_dedupe();
    // The bot's id is the token's digits before ':'; updates are numbered per bot.
    int64_t bot_id = 0;
    const std::string& token = cfg.telegram.token;
    for (size_t i = 0; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i)
        bot_id = bot_id * 10 + (token[i] - '0');
    // A claim outlives the longest handling; after that a crashed claim can be taken over.
    auto lease = std::chrono::seconds(cfg.bot.handler_timeout_s + 30);
    runtime::UpdateDedupe d;
    d.claim = [st, bot_id, lease, &clock](int64_t id) {
        return st->claim_update(bot_id, id, clock.wall_now(), lease);
    };
    d.finish = [st, bot_id, &clock](int64_t id, bool handled) {
        core::Status s = handled ? st->mark_update_done(bot_id, id, clock.wall_now())
                                 : st->release_update(bot_id, id);
        if (!s) core::log::warn("store: update {}: {}", id, s.error().message);
    };
    return d;
}

}  // namespace app
