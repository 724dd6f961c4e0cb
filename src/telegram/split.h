// Splits a long reply into messages Telegram accepts (kMaxMessageLength UTF-16 code units each),
// cutting at paragraph breaks, then line breaks, sentence ends, spaces, and only then anywhere
// between two characters (never inside a UTF-8 character or a surrogate pair).
//   for (auto& part : telegram::split_message(answer)) send(chat_id, part);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "telegram/bot_api.h"

namespace telegram {

// Parts of at most `max_len` UTF-16 code units each, none empty. Whitespace at a cut is dropped;
// concatenating the parts gives back the text minus that whitespace. An empty (or all-blank) text
// gives no parts.
std::vector<std::string> split_message(std::string_view text, size_t max_len = kMaxMessageLength);

}  // namespace telegram
