// The body shared by the libFuzzer target and the ctest corpus replayer: parse bytes, then use
// every accessor the engine uses. Returns true when the bytes parsed as a GGUF file.
//   engine::gguf::fuzz_one(bytes);
#pragma once

#include <cstddef>
#include <span>

#include "engine/gguf/gguf.h"
#include "engine/gguf/hparams.h"
#include "engine/gguf/info.h"

namespace engine::gguf {

inline void fuzz_touch_value(const Value& v, uint64_t& sink) {
    sink += v.u64 + v.str.size() + v.strings.size();
    for (auto s : v.strings) sink += s.empty() ? 0 : static_cast<unsigned char>(s.back());
    for (uint64_t i = 0; i < v.count && !v.raw.empty(); ++i) sink += static_cast<uint64_t>(array_int_at(v, i));
    for (const auto& item : v.items) fuzz_touch_value(item, sink);
}

inline bool fuzz_one(std::span<const std::byte> bytes) {
    auto f = GgufFile::open_memory(bytes);
    if (!f) return false;
    volatile uint64_t out = 0;
    uint64_t sink = 0;
    for (const auto& e : f->metadata()) {
        fuzz_touch_value(e.value, sink);
        (void)f->get_string(e.key);
        (void)f->get_uint(e.key);
        (void)f->get_int(e.key);
        (void)f->get_float(e.key);
        (void)f->get_bool(e.key);
        (void)f->get_string_array(e.key);
        (void)f->get_f32_array(e.key);
        (void)f->get_i32_array(e.key);
    }
    for (const auto& t : f->tensors()) {
        auto b = t.bytes();
        if (!b.empty()) sink += static_cast<uint64_t>(b.front()) + static_cast<uint64_t>(b.back());
        if (f->find_tensor(t.name) == nullptr) __builtin_trap();
    }
    (void)read_hparams(*f);
    sink += describe(*f).ram_bytes;
    out = sink;
    (void)out;
    return true;
}

}  // namespace engine::gguf
