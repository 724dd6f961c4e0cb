// Chat templates: the prompt text each model family was trained on (ChatML/Qwen, Mistral,
// Llama 2/3, Gemma, Phi-3, Zephyr), detected from the GGUF's tokenizer.chat_template or named in
// config, as segments so only scaffolding can become control tokens. See docs/sampling.md.
//   auto tmpl = engine::make_chat_template(config_name, gguf_jinja);  // Result<ChatTemplate>
//   auto prompt = tmpl->render(messages);  // prompt->segments -> tokenizer, prompt->text -> logs
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace engine {

enum class ChatFamily { ChatMl, Mistral, MistralV3, Llama2, Llama3, Gemma, Phi3, Zephyr };

// "chatml", "mistral", "mistral-v3", "llama2", "llama3", "gemma", "phi3", "zephyr".
const char* chat_family_name(ChatFamily f);
// The inverse (case-insensitive); the error lists the accepted names.
core::Result<ChatFamily> chat_family_from_name(std::string_view name);

enum class ChatRole { System, User, Assistant };

struct ChatMessage {
    ChatRole role;
    std::string content;
};

// A run of prompt text. Template scaffolding (is_template) is tokenized with parse_special=true
// so "<|im_start|>" becomes its control token; message content (is_template=false) with
// parse_special=false so a user typing "<|im_end|>" gets plain text tokens.
struct ChatSegment {
    std::string text;
    bool is_template;
};

struct RenderedChat {
    std::vector<ChatSegment> segments;  // neighbouring segments never share is_template
    std::string text;                   // all segments joined: for logs and display
};

struct ChatTemplateOptions {
    // Used when the conversation has no system message (Qwen2.5's template injects
    // "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."). Empty: none.
    std::string default_system;
    // Llama 3.1+: the system turn opens with "Cutting Knowledge Date: December 2023\n
    // Today Date: <date>\n\n" and is always present. Empty: plain Llama 3 (no header).
    std::string llama3_date;
};

class ChatTemplate {
public:
    explicit ChatTemplate(ChatFamily family, ChatTemplateOptions options = {});

    // Renders the conversation; with add_generation_prompt the text ends where the assistant's
    // answer begins. The text starts with the family's BOS text when it has one (see bos_text):
    // tokenize it WITHOUT adding another BOS. Fails on an empty conversation.
    core::Result<RenderedChat> render(std::span<const ChatMessage> messages,
                                      bool add_generation_prompt = true) const;

    ChatFamily family() const { return family_; }
    const ChatTemplateOptions& options() const { return options_; }
    // "<s>", "<|begin_of_text|>", "<bos>", or "" for families rendered without one.
    std::string_view bos_text() const;
    // Strings that end the assistant's turn ("<|im_end|>", "<|eot_id|>", "</s>", ...): add
    // them to the stop strings, and map them to token ids for the end-of-generation set.
    const std::vector<std::string>& stop_strings() const { return stop_strings_; }

private:
    ChatFamily family_;
    ChatTemplateOptions options_;
    std::vector<std::string> stop_strings_;
};

struct ChatDetection {
    ChatFamily family = ChatFamily::ChatMl;
    bool recognized = false;      // false: no telltale found, family is the ChatML fallback
    ChatTemplateOptions options;  // e.g. Qwen's default system prompt, Llama 3.1's date header
};

// Detects the family from a Jinja chat template by telltale substrings.
ChatDetection detect_chat_template(std::string_view jinja);

// The template to use: `override_name` when non-empty (error if unknown), else the family
// detected from `gguf_jinja`, else ChatML.
core::Result<ChatTemplate> make_chat_template(std::string_view override_name,
                                              std::string_view gguf_jinja);

}  // namespace engine
