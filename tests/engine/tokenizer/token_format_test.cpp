// Output formats of `lambdagram tokenize`: plain ids and JSON ids + pieces.
#include <gtest/gtest.h>

#include "engine/tokenizer/token_format.h"
#include "tiny_vocab.h"

namespace engine {
namespace {

TEST(TokenFormat, PlainIds) {
    EXPECT_EQ(format_ids(std::vector<TokenId>{}), "");
    EXPECT_EQ(format_ids(std::vector<TokenId>{1, 22, 333}), "1 22 333");
}

TEST(TokenFormat, JsonWithPieces) {
    Tokenizer tok = testing::make(testing::tiny_bpe_vocab());
    const TokenId im_end = *tok.find_token("<|im_end|>");
    const std::vector<TokenId> ids = {259, '"', '\n', im_end, 0xD0};
    EXPECT_EQ(format_ids_json(tok, ids),
              "{\"ids\":[259,34,10," + std::to_string(im_end) +
                  ",208],\"pieces\":[\"hello\",\"\\\"\",\"\\n\",\"<|im_end|>\",\"\xEF\xBF\xBD\"]}");
}

TEST(TokenFormat, JsonQuoteEscapesControlCharacters) {
    EXPECT_EQ(json_quote(std::string("a\x01\\b", 4)), "\"a\\u0001\\\\b\"");
}

}  // namespace
}  // namespace engine
