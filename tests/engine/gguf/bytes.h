// Test helper: builds GGUF bytes by hand (little-endian) so tests can craft broken files that
// the writer would refuse to produce.
//   Bytes b; b.magic().u32(3).u64(0).u64(1).str("k").u32(8).str("v");
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace engine::gguf::testing {

struct Bytes {
    std::vector<std::byte> b;

    template <class T>
    Bytes& put(T v) {
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        b.insert(b.end(), p, p + sizeof(T));
        return *this;
    }
    Bytes& u8(uint8_t v) { return put(v); }
    Bytes& u32(uint32_t v) { return put(v); }
    Bytes& u64(uint64_t v) { return put(v); }
    Bytes& f32(float v) { return put(v); }
    Bytes& str(std::string_view s) {
        u64(s.size());
        const auto* p = reinterpret_cast<const std::byte*>(s.data());
        b.insert(b.end(), p, p + s.size());
        return *this;
    }
    Bytes& magic() { return str_raw("GGUF"); }
    Bytes& str_raw(std::string_view s) {
        const auto* p = reinterpret_cast<const std::byte*>(s.data());
        b.insert(b.end(), p, p + s.size());
        return *this;
    }
    // Header: magic, version, n_tensors, n_kv.
    Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        return magic().u32(version).u64(n_tensors).u64(n_kv);
    }
    // A tensor info.
    Bytes& tensor(std::string_view name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(ne.size()));
        for (uint64_t d : ne) u64(d);
        return u32(type).u64(offset);
    }
    Bytes& pad_to(size_t alignment) {
        while (b.size() % alignment != 0) b.push_back(std::byte{0});
        return *this;
    }
    Bytes& zeros(size_t n) {
        b.insert(b.end(), n, std::byte{0});
        return *this;
    }
    std::span<const std::byte> span() const { return b; }
};

}  // namespace engine::gguf::testing
