// The body of a codec fuzz target, shared with the ctest replayer (codec_corpus_test.cpp): feeds
// arbitrary bytes to the reply parser and the Update decoder and checks their invariants.
// A libFuzzer target only needs: if (!telegram::fuzz_codec_one(text).empty()) abort();
//   std::string broken = telegram::fuzz_codec_one(R"({"ok":true,"result":[]})");  // "" when fine
#pragma once

#include <string>
#include <string_view>

#include "core/strings.h"
#include "telegram/codec.h"
#include "telegram/split.h"

namespace telegram {

// Returns "" when every invariant holds, else what broke.
inline std::string fuzz_codec_one(std::string_view text) {
    (void)parse_reply("getUpdates", 200, text);
    (void)decode_text<std::vector<Update>>(text);
    auto u = decode_text<Update>(text);
    if (!u) return u.error().message.empty() ? "an error without a message" : "";
    auto again = decode<Update>(encode(*u));
    if (!again) return "encode(decode(x)) does not decode: " + again.error().message;
    if (!(*again == *u)) return "decode(encode(u)) != u";
    if (const Message* m = u->any_message()) {
        constexpr size_t kLen = 16;
        for (const auto& part : split_message(m->text_or_caption(), kLen)) {
            if (part.empty()) return "split_message made an empty part";
            if (core::utf16_length(part) > kLen) return "split_message made a part too long";
            if (!core::is_valid_utf8(part)) return "split_message cut a character";
        }
    }
    return "";
}

}  // namespace telegram
