#include "engine/chat/chat_template.h"

#include <array>

#include "core/strings.h"

namespace engine {

namespace {

struct FamilyInfo {
    ChatFamily family;
    const char* name;
    const char* bos;
    std::vector<std::string> stops;
};

const std::array<FamilyInfo, 8>& families() {
    static const std::array<FamilyInfo, 8> kFamilies = {{
        {ChatFamily::ChatMl, "chatml", "", {"<|im_end|>", "<|endoftext|>"}},
        {ChatFamily::Mistral, "mistral", "<s>", {"</s>"}},
        {ChatFamily::MistralV3, "mistral-v3", "<s>", {"</s>"}},
        {ChatFamily::Llama2, "llama2", "<s>", {"</s>"}},
        {ChatFamily::Llama3,
         "llama3",
         "<|begin_of_text|>",
         {"<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"}},
        {ChatFamily::Gemma, "gemma", "<bos>", {"<end_of_turn>", "<eos>"}},
        {ChatFamily::Phi3, "phi3", "", {"<|end|>", "<|endoftext|>"}},
        {ChatFamily::Zephyr, "zephyr", "<s>", {"</s>"}},
    }};
    return kFamilies;
}

const FamilyInfo& info(ChatFamily f) {
    for (const auto& i : families())
        if (i.family == f) return i;
    return families()[0];
}

// Collects output as alternating template/content segments.
class Builder {
public:
    void tmpl(std::string_view s) { add(s, true); }
    void content(std::string_view s) { add(s, false); }
    RenderedChat finish() && { return std::move(out_); }

private:
    void add(std::string_view s, bool is_template) {
        if (s.empty()) return;
        if (out_.segments.empty() || out_.segments.back().is_template != is_template)
            out_.segments.push_back({std::string(), is_template});
        out_.segments.back().text.append(s);
        out_.text.append(s);
    }
    RenderedChat out_;
};

std::string_view rtrim(std::string_view s) {
    size_t e = s.find_last_not_of(" \t\r\n\f\v");
    return e == std::string_view::npos ? std::string_view() : s.substr(0, e + 1);
}

const char* role_name(ChatRole r) {
    switch (r) {
        case ChatRole::System:
            return "system";
        case ChatRole::User:
            return "user";
        case ChatRole::Assistant:
            return "assistant";
    }
    return "user";
}

// The conversation split the way every family needs it: the leading system prompt (or the
// configured default) and the turns after it. Later system messages stay in `turns`.
struct Conversation {
    std::optional<std::string> system;
    std::vector<ChatMessage> turns;
};

Conversation split(std::span<const ChatMessage> messages, const ChatTemplateOptions& opt) {
    Conversation c;
    size_t start = 0;
    if (!messages.empty() && messages[0].role == ChatRole::System) {
        c.system = messages[0].content;
        start = 1;
    } else if (!opt.default_system.empty()) {
        c.system = opt.default_system;
    }
    c.turns.assign(messages.begin() + static_cast<ptrdiff_t>(start), messages.end());
    return c;
}

// Families without a system role: a system prompt (leading, or a later one) is prepended to
// the next user turn with a blank line. Returns user/assistant turns only.
std::vector<ChatMessage> fold_system(Conversation c) {
    std::vector<ChatMessage> out;
    std::optional<std::string> pending = std::move(c.system);
    for (auto& m : c.turns) {
        if (m.role == ChatRole::System) {
            pending = pending ? *pending + "\n\n" + m.content : m.content;
            continue;
        }
        if (m.role == ChatRole::User && pending) {
            m.content = *pending + "\n\n" + m.content;
            pending.reset();
        }
        out.push_back(std::move(m));
    }
    return out;
}

void render_chatml(Builder& b, const Conversation& c, bool gen) {
    if (c.system) {
        b.tmpl("<|im_start|>system\n");
        b.content(*c.system);
        b.tmpl("<|im_end|>\n");
    }
    for (const auto& m : c.turns) {
        b.tmpl(std::string("<|im_start|>") + role_name(m.role) + "\n");
        b.content(m.content);
        b.tmpl("<|im_end|>\n");
    }
    if (gen) b.tmpl("<|im_start|>assistant\n");
}

// mistralai's template for Mistral 7B Instruct v0.1/v0.2 (the "v1" tokenizer).
void render_mistral(Builder& b, const Conversation& c) {
    b.tmpl("<s>");
    for (const auto& m : fold_system(c)) {
        if (m.role == ChatRole::User) {
            b.tmpl(" [INST] ");
            b.content(m.content);
            b.tmpl(" [/INST]");
        } else {
            b.tmpl(" ");
            b.content(m.content);
            b.tmpl("</s>");
        }
    }
}

// mistralai's template for v0.3 (the "v3" tokenizer, [INST] are control tokens): the system
// prompt goes into the LAST user turn; assistant text is trimmed.
void render_mistral_v3(Builder& b, Conversation c) {
    std::optional<std::string> system = std::move(c.system);
    c.system.reset();
    std::vector<ChatMessage> turns = fold_system(std::move(c));
    size_t last_user = turns.size();
    for (size_t i = 0; i < turns.size(); ++i)
        if (turns[i].role == ChatRole::User) last_user = i;
    if (system && last_user < turns.size())
        turns[last_user].content = *system + "\n\n" + turns[last_user].content;
    b.tmpl("<s>");
    for (const auto& m : turns) {
        if (m.role == ChatRole::User) {
            b.tmpl("[INST] ");
            b.content(m.content);
            b.tmpl("[/INST]");
        } else {
            b.tmpl(" ");
            b.content(core::trim(m.content));
            b.tmpl("</s>");
        }
    }
}

// Meta's Llama 2 chat template: BOS before every [INST], <<SYS>> inside the first user turn,
// content stripped.
void render_llama2(Builder& b, Conversation c) {
    std::optional<std::string> system = std::move(c.system);
    c.system.reset();
    for (const auto& m : fold_system(std::move(c))) {
        if (m.role == ChatRole::User) {
            b.tmpl("<s>[INST] ");
            if (system) {  // the first user turn
                b.tmpl("<<SYS>>\n");
                b.content(*system);
                b.tmpl("\n<</SYS>>\n\n");
                b.content(rtrim(m.content));
                system.reset();
            } else {
                b.content(core::trim(m.content));
            }
            b.tmpl(" [/INST]");
        } else {
            b.tmpl(" ");
            b.content(core::trim(m.content));
            b.tmpl(" </s>");
        }
    }
}

void render_llama3(Builder& b, const Conversation& c, const ChatTemplateOptions& opt, bool gen) {
    auto turn = [&b](std::string_view role, std::string_view text) {
        b.tmpl(std::string("<|start_header_id|>") + std::string(role) + "<|end_header_id|>\n\n");
        b.content(core::trim(text));
        b.tmpl("<|eot_id|>");
    };
    b.tmpl("<|begin_of_text|>");
    if (!opt.llama3_date.empty()) {
        b.tmpl("<|start_header_id|>system<|end_header_id|>\n\n");
        b.tmpl("Cutting Knowledge Date: December 2023\nToday Date: " + opt.llama3_date + "\n\n");
        if (c.system) b.content(core::trim(*c.system));
        b.tmpl("<|eot_id|>");
    } else if (c.system) {
        turn("system", *c.system);
    }
    for (const auto& m : c.turns) turn(role_name(m.role), m.content);
    if (gen) b.tmpl("<|start_header_id|>assistant<|end_header_id|>\n\n");
}

void render_gemma(Builder& b, const Conversation& c, bool gen) {
    b.tmpl("<bos>");
    for (const auto& m : fold_system(c)) {
        b.tmpl(m.role == ChatRole::User ? "<start_of_turn>user\n" : "<start_of_turn>model\n");
        b.content(core::trim(m.content));
        b.tmpl("<end_of_turn>\n");
    }
    if (gen) b.tmpl("<start_of_turn>model\n");
}

// Phi-3 ("<|end|>" closes a turn; an empty system message is skipped) and Zephyr ("</s>" and
// a newline close a turn).
void render_tagged(Builder& b, const Conversation& c, bool gen, std::string_view end,
                   bool skip_empty_system) {
    auto turn = [&](ChatRole role, std::string_view text) {
        b.tmpl(std::string("<|") + role_name(role) + "|>\n");
        b.content(text);
        b.tmpl(end);
    };
    if (c.system && !(skip_empty_system && c.system->empty())) turn(ChatRole::System, *c.system);
    for (const auto& m : c.turns) turn(m.role, m.content);
    if (gen) b.tmpl("<|assistant|>\n");
}

}  // namespace

const char* chat_family_name(ChatFamily f) { return info(f).name; }

core::Result<ChatFamily> chat_family_from_name(std::string_view name) {
    std::string lower = core::to_lower_ascii(core::trim(name));
    std::string known;
    for (const auto& i : families()) {
        if (lower == i.name) return i.family;
        known += known.empty() ? "" : ", ";
        known += i.name;
    }
    return core::fail(core::ErrorCode::InvalidArgument,
                      "chat template \"" + std::string(name) + "\" is unknown (use one of: " +
                          known + ", or leave it empty to detect it from the model)");
}

ChatTemplate::ChatTemplate(ChatFamily family, ChatTemplateOptions options)
    : family_(family), options_(std::move(options)), stop_strings_(info(family).stops) {}

std::string_view ChatTemplate::bos_text() const { return info(family_).bos; }

core::Result<RenderedChat> ChatTemplate::render(std::span<const ChatMessage> messages,
                                                bool add_generation_prompt) const {
    if (messages.empty())
        return core::fail(core::ErrorCode::InvalidArgument,
                          "chat template: the conversation is empty (give at least one message)");
    Conversation c = split(messages, options_);
    Builder b;
    switch (family_) {
        case ChatFamily::ChatMl:
            render_chatml(b, c, add_generation_prompt);
            break;
        case ChatFamily::Mistral:
            render_mistral(b, c);
            break;
        case ChatFamily::MistralV3:
            render_mistral_v3(b, std::move(c));
            break;
        case ChatFamily::Llama2:
            render_llama2(b, std::move(c));
            break;
        case ChatFamily::Llama3:
            render_llama3(b, c, options_, add_generation_prompt);
            break;
        case ChatFamily::Gemma:
            render_gemma(b, c, add_generation_prompt);
            break;
        case ChatFamily::Phi3:
            render_tagged(b, c, add_generation_prompt, "<|end|>\n", true);
            if (!add_generation_prompt) b.tmpl("<|endoftext|>");
            break;
        case ChatFamily::Zephyr:
            b.tmpl("<s>");
            render_tagged(b, c, add_generation_prompt, "</s>\n", false);
            break;
    }
    return std::move(b).finish();
}

ChatDetection detect_chat_template(std::string_view jinja) {
    auto has = [jinja](std::string_view s) { return jinja.find(s) != std::string_view::npos; };
    ChatDetection d;
    d.recognized = true;
    if (has("<|im_start|>")) {
        d.family = ChatFamily::ChatMl;
        constexpr std::string_view kQwen =
            "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
        if (has(kQwen)) d.options.default_system = std::string(kQwen);
    } else if (has("<|start_header_id|>")) {
        d.family = ChatFamily::Llama3;
        // 3.1's template defaults date_string to "26 Jul 2024"; 3.2's uses today (the caller
        // may overwrite llama3_date with today's date).
        if (has("Cutting Knowledge Date")) d.options.llama3_date = "26 Jul 2024";
    } else if (has("<start_of_turn>")) {
        d.family = ChatFamily::Gemma;
    } else if (has("[INST]")) {
        if (has("<<SYS>>")) {
            d.family = ChatFamily::Llama2;
        } else if (has("[AVAILABLE_TOOLS]") || has("\"[/INST]\"") || has("'[/INST]'")) {
            d.family = ChatFamily::MistralV3;
        } else {
            d.family = ChatFamily::Mistral;
        }
    } else if (has("<|user|>") && has("<|end|>")) {
        d.family = ChatFamily::Phi3;
    } else if (has("<|user|>") && (has("</s>") || has("eos_token"))) {
        d.family = ChatFamily::Zephyr;
    } else {
        d.family = ChatFamily::ChatMl;
        d.recognized = false;
    }
    return d;
}

core::Result<ChatTemplate> make_chat_template(std::string_view override_name,
                                              std::string_view gguf_jinja) {
    if (!core::trim(override_name).empty()) {
        auto family = chat_family_from_name(override_name);
        if (!family) return core::fail(family.error());
        ChatDetection d = detect_chat_template(gguf_jinja);
        // Keep the model's own options (default system prompt, date header) when they belong
        // to the family that was asked for.
        return ChatTemplate(*family, d.family == *family ? d.options : ChatTemplateOptions{});
    }
    ChatDetection d = detect_chat_template(gguf_jinja);
    return ChatTemplate(d.family, d.options);
}

}  // namespace engine
