// Hand-crafted broken GGUF files: each must fail with an error naming what is wrong, never crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/gguf/gguf.h"
#include "engine/gguf/writer.h"
#include "engine/gguf/bytes.h"

namespace engine::gguf {
namespace {

using testing::Bytes;

constexpr uint32_t kString = 8, kArray = 9, kU32 = 4, kBool = 7, kF32 = 0, kQ4_0 = 2;
constexpr uint64_t kHuge = uint64_t{1} << 60;

struct BrokenCase {
    const char* name;
    Bytes bytes;
    const char* expected;  // fragment of the error message
};

Bytes nested_arrays(int depth) {
    Bytes b;
    b.header(0, 1).str("deep").u32(kArray);
    for (int i = 0; i < depth - 1; ++i) b.u32(kArray).u64(1);
    return b.u32(kU32).u64(1).u32(7);
}

std::vector<BrokenCase> broken_cases() {
    std::vector<BrokenCase> c;
    c.push_back({"empty", Bytes{}, "magic at byte 0 needs 4 bytes, past the end of the file (0 bytes)"});
    c.push_back({"bad_magic", Bytes{}.str_raw("GGML").u32(3).u64(0).u64(0), "bad magic at byte 0"});
    c.push_back({"version_1", Bytes{}.header(0, 0, 1), "version 1 at byte 4 is not supported"});
    c.push_back({"version_4", Bytes{}.header(0, 0, 4), "unknown version 4 at byte 4: expected 2 or 3"});
    c.push_back({"big_endian", Bytes{}.header(0, 0, 0x03000000), "big-endian GGUF files are not supported"});
    c.push_back({"truncated_counts", Bytes{}.magic().u32(3).u64(0), "header n_kv at byte 16 needs 8 bytes"});
    c.push_back({"absurd_n_kv", Bytes{}.header(0, kHuge), "header n_kv = 1152921504606846976 at byte 16 is absurd"});
    c.push_back({"absurd_n_tensors", Bytes{}.header(kHuge, 0), "header n_tensors = 1152921504606846976 at byte 8 is absurd"});
    c.push_back({"key_past_eof", Bytes{}.header(0, 1).u64(1000).zeros(8), "metadata key #0 at byte 24 has length 1000, past the end"});
    c.push_back({"empty_key", Bytes{}.header(0, 1).str("").u32(kU32).u32(1), "metadata key #0 at byte 24 is empty"});
    c.push_back({"string_past_eof", Bytes{}.header(0, 1).str("k").u32(kString).u64(99).str_raw("abc"),
                 "value of 'k' at byte 37 has length 99, past the end of the file (48 bytes)"});
    c.push_back({"value_truncated", Bytes{}.header(0, 1).str("k").u32(kU32).u8(1), "value of 'k' at byte 37 needs 4 bytes"});
    c.push_back({"unknown_value_type", Bytes{}.header(0, 1).str("k").u32(13).u32(0),
                 "metadata key 'k' at byte 33 has unknown value type 13"});
    c.push_back({"unknown_elem_type", Bytes{}.header(0, 1).str("k").u32(kArray).u32(77).u64(0),
                 "array 'k' at byte 37 has unknown element type 77"});
    c.push_back({"absurd_array_count", Bytes{}.header(0, 1).str("k").u32(kArray).u32(kU32).u64(kHuge),
                 "array 'k' count = 1152921504606846976 at byte 41 is absurd"});
    c.push_back({"absurd_string_array", Bytes{}.header(0, 1).str("k").u32(kArray).u32(kString).u64(kHuge),
                 "array 'k' count = 1152921504606846976 at byte 41 is absurd"});
    c.push_back({"absurd_nested_array", Bytes{}.header(0, 1).str("k").u32(kArray).u32(kArray).u64(kHuge),
                 "array 'k' count = 1152921504606846976 at byte 41 is absurd"});
    c.push_back({"string_item_past_eof", Bytes{}.header(0, 1).str("k").u32(kArray).u32(kString).u64(1).u64(50).zeros(8),
                 "array 'k' item at byte 49 has length 50"});
    c.push_back({"nested_too_deep", nested_arrays(9), "nests arrays deeper than 8 levels"});
    c.push_back({"bool_not_0_1", Bytes{}.header(0, 1).str("k").u32(kBool).u8(2), "is a BOOL holding 2: expected 0 or 1"});
    c.push_back({"duplicate_key", Bytes{}.header(0, 2).str("a").u32(kU32).u32(1).str("a").u32(kU32).u32(2),
                 "duplicate metadata key 'a' at byte 41 (first at byte 24)"});
    c.push_back({"alignment_not_pow2", Bytes{}.header(0, 1).str("general.alignment").u32(kU32).u32(24),
                 "general.alignment = 24 is not a power of two"});
    c.push_back({"alignment_zero", Bytes{}.header(0, 1).str("general.alignment").u32(kU32).u32(0),
                 "general.alignment = 0 is not a power of two"});
    c.push_back({"alignment_huge_u64", Bytes{}.header(0, 1).str("general.alignment").u32(10).u64(~uint64_t{0}),
                 "general.alignment = 18446744073709551615 is not a power of two"});
    c.push_back({"alignment_negative", Bytes{}.header(0, 1).str("general.alignment").u32(5).u32(0xffffffe0),
                 "general.alignment has type INT32: expected UINT32"});
    c.push_back({"alignment_string", Bytes{}.header(0, 1).str("general.alignment").u32(kString).str("32"),
                 "general.alignment has type STRING: expected UINT32"});
    c.push_back({"n_dims_5", Bytes{}.header(1, 0).tensor("t", {1, 1, 1, 1, 1}, kF32, 0).zeros(64),
                 "tensor 't' at byte 24 has n_dims 5 (expected 1..4)"});
    c.push_back({"n_dims_0", Bytes{}.header(1, 0).tensor("t", {}, kF32, 0).zeros(64), "has n_dims 0 (expected 1..4)"});
    c.push_back({"dims_overflow", Bytes{}.header(1, 0).tensor("t", {uint64_t{1} << 32, uint64_t{1} << 32}, kF32, 0),
                 "tensor 't' at byte 24 has dims [4294967296, 4294967296] whose element count overflows 64 bits"});
    c.push_back({"dims_over_int64", Bytes{}.header(1, 0).tensor("t", {uint64_t{1} << 63}, kF32, 0),
                 "whose element count overflows 64 bits"});
    c.push_back({"bytes_overflow", Bytes{}.header(1, 0).tensor("t", {uint64_t{1} << 31, uint64_t{1} << 31}, kF32, 0),
                 "whose byte size overflows 64 bits"});
    c.push_back({"unknown_tensor_type", Bytes{}.header(1, 0).tensor("t", {4}, 99, 0),
                 "tensor 't' at byte 45 has unknown tensor type id 99"});
    c.push_back({"removed_tensor_type", Bytes{}.header(1, 0).tensor("t", {4}, 4, 0), "unknown tensor type id 4"});
    c.push_back({"row_not_block_multiple", Bytes{}.header(1, 0).tensor("t", {33}, kQ4_0, 0),
                 "tensor 't' has row length 33, not a multiple of the Q4_0 block size 32"});
    c.push_back({"misaligned_offset", Bytes{}.header(1, 0).tensor("t", {4}, kF32, 3),
                 "tensor 't' at byte 49 has data offset 3, not a multiple of the alignment 32"});
    c.push_back({"empty_tensor_name", Bytes{}.header(1, 0).tensor("", {4}, kF32, 0), "tensor #0 at byte 24 has an empty name"});
    c.push_back({"duplicate_tensor", Bytes{}.header(2, 0).tensor("a", {4}, kF32, 0).tensor("a", {4}, kF32, 32).pad_to(32).zeros(64),
                 "duplicate tensor name 'a' at byte 57"});
    c.push_back({"tensor_past_eof", Bytes{}.header(1, 0).tensor("blk.3.attn_q.weight", {64, 64}, kF32, 0).pad_to(32).zeros(100),
                 "tensor blk.3.attn_q.weight ends at byte 16480, past the end of the file (196 bytes): the file is truncated"});
    c.push_back({"tensor_offset_wraps", Bytes{}.header(1, 0).tensor("t", {8}, kF32, ~uint64_t{31}).pad_to(32).zeros(32),
                 "tensor t ends at byte 2^64+"});
    c.push_back({"data_section_past_eof", Bytes{}.header(1, 0).tensor("t", {8}, kF32, 0),
                 "data section starts at byte 64, past the end of the file (57 bytes)"});
    c.push_back({"overlap", Bytes{}.header(2, 0).tensor("a", {16}, kF32, 0).tensor("b", {8}, kF32, 32).pad_to(32).zeros(96),
                 "tensors a (data bytes 0..64) and b (from byte 32) overlap"});
    c.push_back({"tensor_info_truncated", Bytes{}.header(1, 1).str("k").u32(kString).str(std::string(40, 'x')).str("t").u32(2).u64(4),
                 "tensor 't' dim at byte 106 needs 8 bytes"});
    return c;
}

TEST(GgufBroken, EveryCaseFailsWithItsMessage) {
    for (const auto& c : broken_cases()) {
        SCOPED_TRACE(c.name);
        auto f = GgufFile::open_memory(c.bytes.span());
        ASSERT_FALSE(f) << c.name << " parsed";
        EXPECT_NE(f.error().message.find(c.expected), std::string::npos)
            << c.name << ": got \"" << f.error().message << "\", expected a fragment \"" << c.expected << "\"";
        EXPECT_EQ(f.error().message.rfind("gguf: ", 0), 0u) << f.error().message;
    }
}

TEST(GgufBroken, NestedArraysUpToTheLimitParse) {
    const Bytes bytes = nested_arrays(8);  // open_memory keeps views: the bytes must outlive f
    auto f = GgufFile::open_memory(bytes.span());
    ASSERT_TRUE(f) << f.error().message;
    const Value* v = f->find("deep");
    ASSERT_NE(v, nullptr);
    int depth = 1;
    while (v->elem_type == ValueType::Array) {
        ASSERT_EQ(v->items.size(), 1u);
        v = &v->items[0];
        ++depth;
    }
    EXPECT_EQ(depth, 8);
    EXPECT_EQ(array_int_at(*v, 0), 7);
}

TEST(GgufBroken, VersionOneIsUnsupportedNotParse) {
    auto f = GgufFile::open_memory(Bytes{}.header(0, 0, 1).span());
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, core::ErrorCode::Unsupported);
}

// A small valid file with metadata of several types and three tensors, the last one ending
// exactly at the end of the file.
std::vector<std::byte> small_valid_file() {
    GgufWriter w;
    w.set("general.architecture", MetaValue::string("llama"));
    w.set("a.u32", MetaValue::u32(7));
    w.set("a.strs", MetaValue::string_array({"x", "yy", ""}));
    w.set("a.f32s", MetaValue::f32_array({1.5f, -2.0f}));
    w.set("a.nested", MetaValue::array(ValueType::Array, {MetaValue::i32_array({1, 2}), MetaValue::i32_array({})}));
    EXPECT_TRUE(w.add_tensor_f32("a", {8}, TensorType::F32, std::vector<float>(8, 1.0f)));
    EXPECT_TRUE(w.add_tensor_f32("b", {4, 2}, TensorType::F32, std::vector<float>(8, 2.0f)));
    EXPECT_TRUE(w.add_tensor_f32("c", {3}, TensorType::F32, {1, 2, 3}));
    auto bytes = w.write_memory();
    EXPECT_TRUE(bytes);
    return *bytes;
}

TEST(GgufBroken, TruncatedAtEveryByteFailsCleanly) {
    const auto full = small_valid_file();
    auto whole = GgufFile::open_memory(full);
    ASSERT_TRUE(whole) << whole.error().message;
    const TensorInfo* last = whole->find_tensor("c");
    ASSERT_NE(last, nullptr);
    const uint64_t data_end = whole->data_offset() + last->offset + last->n_bytes;
    for (size_t n = 0; n < full.size(); ++n) {
        auto f = GgufFile::open_memory(std::span(full.data(), n));
        if (n < data_end) {
            ASSERT_FALSE(f) << "prefix of " << n << " bytes parsed";
            EXPECT_NE(f.error().message.find("truncated"), std::string::npos) << n << ": " << f.error().message;
        }
    }
}

TEST(GgufBroken, EveryFlippedByteNeverCrashes) {
    // Not a fuzzer, but a cheap always-on sweep: each byte of the header set to 0xff.
    auto full = small_valid_file();
    auto whole = GgufFile::open_memory(full);
    ASSERT_TRUE(whole);
    int failures = 0;
    for (size_t i = 0; i < whole->data_offset(); ++i) {
        auto copy = full;
        copy[i] = std::byte{0xff};
        auto f = GgufFile::open_memory(copy);
        if (!f) {
            ++failures;
            EXPECT_EQ(f.error().message.rfind("gguf: ", 0), 0u) << f.error().message;
        }
    }
    EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace engine::gguf
