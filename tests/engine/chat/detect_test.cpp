// Detection on excerpts of the real tokenizer.chat_template texts shipped in GGUF files.
#include <gtest/gtest.h>

#include "engine/chat/chat_template.h"

namespace engine {
namespace {

constexpr const char* kQwen25 =
    R"({%- if tools %}{{- '<|im_start|>system\n' }}{%- else %}{%- if messages[0]['role'] == 'system' %})"
    R"({{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}{%- else %})"
    R"({{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }})"
    R"({%- endif %}{%- endif %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %})";

constexpr const char* kOpenHermes =
    R"({% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %})";

constexpr const char* kMistralV01 =
    R"({{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token + ' ' }}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %})";

constexpr const char* kMistralV1Official =
    R"({%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] %})"
    R"({%- set loop_messages = messages[1:] %}{%- else %}{%- set loop_messages = messages %}{%- endif %})"
    R"({{- bos_token }}{%- for message in loop_messages %}{%- if message['role'] == 'user' %})"
    R"({%- if loop.first and system_message is defined %}{{- ' [INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' }})"
    R"({%- else %}{{- ' [INST] ' + message['content'] + ' [/INST]' }}{%- endif %})"
    R"({%- elif message['role'] == 'assistant' %}{{- ' ' + message['content'] + eos_token}}{%- endif %}{%- endfor %})";

constexpr const char* kMistralV03 =
    R"({%- if messages[0]["role"] == "system" %}{%- set system_message = messages[0]["content"] %})"
    R"({{- bos_token }}{%- for message in loop_messages %}{%- if message["role"] == "user" %})"
    R"({%- if tools is not none and (message == user_messages[-1]) %}{{- "[AVAILABLE_TOOLS] [" }})"
    R"({%- endif %}{%- if loop.last and system_message is defined %})"
    R"({{- "[INST] " + system_message + "\n\n" + message["content"] + "[/INST]" }})"
    R"({%- else %}{{- "[INST] " + message["content"] + "[/INST]" }}{%- endif %})";

constexpr const char* kLlama2 =
    R"({% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %})";

constexpr const char* kLlama3 =
    R"({% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %})";

constexpr const char* kLlama31 =
    R"({{- bos_token }}{%- if not date_string is defined %}{%- set date_string = "26 Jul 2024" %}{%- endif %})"
    R"({{- "<|start_header_id|>system<|end_header_id|>\n\n" }}{%- if builtin_tools is defined or tools is not none %})"
    R"({{- "Environment: ipython\n" }}{%- endif %}{{- "Cutting Knowledge Date: December 2023\n" }})"
    R"({{- "Today Date: " + date_string + "\n\n" }}{{- system_message }}{{- "<|eot_id|>" }})";

constexpr const char* kGemma2 =
    R"({{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %})";

constexpr const char* kPhi3 =
    R"({% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %})";

constexpr const char* kZephyr =
    "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\\n' + "
    "message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ "
    "'<|system|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == "
    "'assistant' %}\n{{ '<|assistant|>\\n'  + message['content'] + eos_token }}\n{% endif "
    "%}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% "
    "endfor %}";

constexpr const char* kVicuna =
    R"({%- for message in messages %}{%- if message['role'] == 'system' -%}{{- '' + message['content'] + '\n\n' -}}{%- else -%}{%- if message['role'] == 'user' -%}{{-'USER: ' + message['content'] + '\n'-}}{%- else -%}{{-'ASSISTANT: ' + message['content'] + '</s>\n' -}}{%- endif -%}{%- endif -%}{%- endfor -%}{%- if add_generation_prompt -%}{{-'ASSISTANT:'-}}{%- endif -%})";

struct Case {
    const char* name;
    const char* jinja;
    ChatFamily family;
};

TEST(DetectChatTemplate, RealTemplates) {
    const Case cases[] = {
        {"qwen2.5", kQwen25, ChatFamily::ChatMl},
        {"openhermes", kOpenHermes, ChatFamily::ChatMl},
        {"mistral v0.1", kMistralV01, ChatFamily::Mistral},
        {"mistral v1 official", kMistralV1Official, ChatFamily::Mistral},
        {"mistral v0.3", kMistralV03, ChatFamily::MistralV3},
        {"llama2", kLlama2, ChatFamily::Llama2},
        {"llama3", kLlama3, ChatFamily::Llama3},
        {"llama3.1", kLlama31, ChatFamily::Llama3},
        {"gemma2", kGemma2, ChatFamily::Gemma},
        {"phi3", kPhi3, ChatFamily::Phi3},
        {"zephyr", kZephyr, ChatFamily::Zephyr},
    };
    for (const Case& c : cases) {
        ChatDetection d = detect_chat_template(c.jinja);
        EXPECT_TRUE(d.recognized) << c.name;
        EXPECT_EQ(chat_family_name(d.family), std::string(chat_family_name(c.family))) << c.name;
    }
}

TEST(DetectChatTemplate, FamilyOptions) {
    EXPECT_EQ(detect_chat_template(kQwen25).options.default_system,
              "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
    EXPECT_EQ(detect_chat_template(kOpenHermes).options.default_system, "");
    EXPECT_EQ(detect_chat_template(kLlama31).options.llama3_date, "26 Jul 2024");
    EXPECT_EQ(detect_chat_template(kLlama3).options.llama3_date, "");
}

TEST(DetectChatTemplate, UnknownFallsBackToChatMl) {
    for (const char* jinja : {kVicuna, "", "plain text"}) {
        ChatDetection d = detect_chat_template(jinja);
        EXPECT_FALSE(d.recognized);
        EXPECT_EQ(d.family, ChatFamily::ChatMl);
    }
}

TEST(MakeChatTemplate, OverrideWinsAndUnknownNameFails) {
    auto t = make_chat_template("gemma", kLlama3);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->family(), ChatFamily::Gemma);
    auto d = make_chat_template("", kLlama31);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->family(), ChatFamily::Llama3);
    EXPECT_EQ(d->options().llama3_date, "26 Jul 2024");
    auto same = make_chat_template("chatml", kQwen25);  // keeps Qwen's default system prompt
    ASSERT_TRUE(same.has_value());
    EXPECT_FALSE(same->options().default_system.empty());
    auto fallback = make_chat_template("", "");
    ASSERT_TRUE(fallback.has_value());
    EXPECT_EQ(fallback->family(), ChatFamily::ChatMl);
    auto bad = make_chat_template("llama4", kLlama3);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, core::ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace engine
