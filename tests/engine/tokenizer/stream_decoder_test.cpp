// StreamDecoder: multi-byte characters split across tokens come out whole, invalid bytes as
// U+FFFD, and flush() ends an unfinished character.
#include <gtest/gtest.h>

#include "engine/tokenizer/stream_decoder.h"
#include "tiny_vocab.h"

namespace engine {
namespace {

constexpr TokenId kSpmByte0 = 3;  // <0x00> in the tiny SentencePiece vocabulary
constexpr const char* kReplacement = "\xEF\xBF\xBD";

TEST(StreamDecoder, HoldsBytesUntilTheCharacterIsComplete) {
    Tokenizer tok = testing::make(testing::tiny_spm_vocab());
    StreamDecoder dec(tok);
    EXPECT_EQ(dec.push(259), " ");  // ▁
    EXPECT_EQ(dec.push(kSpmByte0 + 0xF0), "");
    EXPECT_EQ(dec.push(kSpmByte0 + 0x9F), "");
    EXPECT_EQ(dec.push(kSpmByte0 + 0xA6), "");
    EXPECT_EQ(dec.push(kSpmByte0 + 0x99), "\xF0\x9F\xA6\x99");  // 🦙
    EXPECT_EQ(dec.push(271), " hello");
    EXPECT_EQ(dec.flush(), "");
}

TEST(StreamDecoder, StreamsWhatTokenizeProduced) {
    Tokenizer tok = testing::make(testing::tiny_bpe_vocab());
    const std::string text = "hello \xD0\xBF\xD1\x80\xD0\xB8 \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\xA6\x99 world";
    StreamDecoder dec(tok);
    std::string out;
    for (TokenId id : tok.tokenize(text)) {
        const std::string part = dec.push(id);
        EXPECT_TRUE(detail::is_well_formed_utf8(part));
        out += part;
    }
    out += dec.flush();
    EXPECT_EQ(out, text);
}

TEST(StreamDecoder, InvalidBytesBecomeReplacementCharacters) {
    Tokenizer tok = testing::make(testing::tiny_spm_vocab());
    StreamDecoder dec(tok);
    EXPECT_EQ(dec.push(kSpmByte0 + 0xFF), kReplacement);
    EXPECT_EQ(dec.push(kSpmByte0 + 0xE4), "");
    EXPECT_EQ(dec.push(kSpmByte0 + 'a'), std::string(kReplacement) + "a");  // E4 cut short
    EXPECT_EQ(dec.push(kSpmByte0 + 0xD0), "");
    EXPECT_EQ(dec.flush(), kReplacement);
    EXPECT_EQ(dec.flush(), "");
}

TEST(StreamDecoder, SpecialTokensPrintOnlyWhenAsked) {
    Tokenizer tok = testing::make(testing::tiny_bpe_vocab());
    const TokenId im_end = *tok.find_token("<|im_end|>");
    StreamDecoder quiet(tok);
    EXPECT_EQ(quiet.push(im_end), "");
    StreamDecoder loud(tok, true);
    EXPECT_EQ(loud.push(im_end), "<|im_end|>");
}

}  // namespace
}  // namespace engine
