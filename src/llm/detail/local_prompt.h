// Helpers of LocalChatModel: conversation -> prompt token ids through the chat template, each
// label's first token for classify, a softmax over chosen logits, the common-prefix length.
//   auto ids = llm::detail::render_prompt_ids(tmpl, tok, messages, true);
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/chat/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "llm/chat_model.h"

namespace llm::detail {

// Template segments tokenized with parse_special=true, message content with parse_special=false
// (a user typing "<|im_end|>" gets plain text tokens). No BOS is added: the template has it.
core::Result<std::vector<int>> render_prompt_ids(const engine::ChatTemplate& tmpl,
                                                 const engine::Tokenizer& tok,
                                                 const std::vector<ChatMessage>& messages,
                                                 bool add_generation_prompt);

// The first token of each label as the answer would start with it; errors for an empty list, an
// empty label, or two labels with the same first token.
core::Result<std::vector<int>> first_label_tokens(const engine::Tokenizer& tok,
                                                  const std::vector<std::string>& labels);

// Softmax (in double) of logits[ids[i]] over the i only.
std::vector<double> softmax_at(std::span<const float> logits, std::span<const int> ids);

// Length of the longest common prefix of a and b.
size_t common_prefix(std::span<const int> a, std::span<const int> b);

}  // namespace llm::detail
