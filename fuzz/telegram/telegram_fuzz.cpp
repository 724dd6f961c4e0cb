// libFuzzer entry for the Telegram codecs: any bytes must decode to a value or an Error, and every
// decoded Update must survive encode → decode unchanged (see telegram/codec_fuzz_body.h).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "telegram/codec_fuzz_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string broken = telegram::fuzz_codec_one(text);
    if (!broken.empty()) {
        std::fprintf(stderr, "telegram_fuzz: %s\n", broken.c_str());
        std::abort();
    }
    return 0;
}
