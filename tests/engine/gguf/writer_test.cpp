// GgufWriter -> GgufFile round trips: metadata of every type, tensors byte-exact, quantized
// tensors equal to the kernels' quantizer output, alignment, streaming rows, writer errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/gguf/gguf.h"
#include "engine/gguf/writer.h"
#include "engine/kernels/quantize.h"

namespace engine::gguf {
namespace {

std::vector<float> ramp(size_t n, float scale = 0.01f) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<float>(i) * 0.37f) * scale * static_cast<float>(i % 13);
    return v;
}

GgufFile reopen(std::vector<std::byte> bytes) {
    auto f = GgufFile::open_owned(std::move(bytes));
    EXPECT_TRUE(f) << (f ? "" : f.error().message);
    return std::move(*f);
}

void set_every_type(GgufWriter& w) {
    w.set("u8", MetaValue::u8(250));
    w.set("i8", MetaValue::i8(-128));
    w.set("u16", MetaValue::u16(65535));
    w.set("i16", MetaValue::i16(-32768));
    w.set("u32", MetaValue::u32(4294967295u));
    w.set("i32", MetaValue::i32(-2147483647 - 1));
    w.set("f32", MetaValue::f32(3.25f));
    w.set("bool_t", MetaValue::boolean(true));
    w.set("bool_f", MetaValue::boolean(false));
    w.set("str", MetaValue::string("h\xc3\xa9llo\n"));
    w.set("empty_str", MetaValue::string(""));
    w.set("u64", MetaValue::u64(18446744073709551615ull));
    w.set("i64", MetaValue::i64(-9223372036854775807ll - 1));
    w.set("f64", MetaValue::f64(-1e300));
    w.set("strs", MetaValue::string_array({"a", "", "\xe2\x96\x81the"}));
    w.set("f32s", MetaValue::f32_array({1.5f, -0.0f, 1e-30f}));
    w.set("i32s", MetaValue::i32_array({-1, 0, 2147483647}));
    w.set("u8s", MetaValue::array(ValueType::UInt8, {MetaValue::u8(1), MetaValue::u8(2)}));
    w.set("bools", MetaValue::array(ValueType::Bool, {MetaValue::boolean(true), MetaValue::boolean(false)}));
    w.set("f64s", MetaValue::array(ValueType::Float64, {MetaValue::f64(0.5)}));
    w.set("empty_arr", MetaValue::i32_array({}));
    w.set("nested", MetaValue::array(ValueType::Array, {MetaValue::string_array({"x", "y"}),
                                                        MetaValue::array(ValueType::Array, {MetaValue::i32_array({7})})}));
}

void expect_every_type(const GgufFile& f) {
    EXPECT_EQ(*f.get_uint("u8"), 250u);
    EXPECT_EQ(f.find("u8")->type, ValueType::UInt8);
    EXPECT_EQ(*f.get_int("i8"), -128);
    EXPECT_EQ(*f.get_uint("u16"), 65535u);
    EXPECT_EQ(*f.get_int("i16"), -32768);
    EXPECT_EQ(*f.get_u32("u32"), 4294967295u);
    EXPECT_EQ(*f.get_int("i32"), -2147483648ll);
    EXPECT_EQ(*f.get_float("f32"), 3.25);
    EXPECT_TRUE(*f.get_bool("bool_t"));
    EXPECT_FALSE(*f.get_bool("bool_f"));
    EXPECT_EQ(*f.get_string("str"), "h\xc3\xa9llo\n");
    EXPECT_EQ(*f.get_string("empty_str"), "");
    EXPECT_EQ(*f.get_uint("u64"), 18446744073709551615ull);
    EXPECT_EQ(*f.get_int("i64"), -9223372036854775807ll - 1);
    EXPECT_EQ(*f.get_float("f64"), -1e300);
    auto strs = f.get_string_array("strs");
    ASSERT_TRUE(strs);
    ASSERT_EQ(strs->size(), 3u);
    EXPECT_EQ((*strs)[2], "\xe2\x96\x81the");
    EXPECT_EQ(*f.get_f32_array("f32s"), (std::vector<float>{1.5f, -0.0f, 1e-30f}));
    EXPECT_EQ(*f.get_i32_array("i32s"), (std::vector<int32_t>{-1, 0, 2147483647}));
    EXPECT_EQ(*f.get_i32_array("u8s"), (std::vector<int32_t>{1, 2}));
    EXPECT_EQ(f.find("bools")->count, 2u);
    EXPECT_EQ(array_int_at(*f.find("bools"), 0), 1);
    EXPECT_EQ(array_float_at(*f.find("f64s"), 0), 0.5);
    EXPECT_EQ(*f.get_array_size("empty_arr"), 0u);
    const Value* nested = f.find("nested");
    ASSERT_NE(nested, nullptr);
    ASSERT_EQ(nested->items.size(), 2u);
    EXPECT_EQ(nested->items[0].strings.at(1), "y");
    EXPECT_EQ(array_int_at(nested->items[1].items.at(0), 0), 7);
}

TEST(GgufWriter, MetadataOfEveryTypeRoundTripsInV3AndV2) {
    for (uint32_t version : {3u, 2u}) {
        GgufWriter w(version);
        set_every_type(w);
        auto bytes = w.write_memory();
        ASSERT_TRUE(bytes);
        auto f = reopen(*bytes);
        EXPECT_EQ(f.version(), version);
        expect_every_type(f);
        EXPECT_EQ(bytes->size(), w.file_size());
    }
}

TEST(GgufWriter, CopyingValuesWithFromIsLossless) {
    GgufWriter w;
    set_every_type(w);
    auto src = reopen(*w.write_memory());
    GgufWriter copy;
    for (const auto& e : src.metadata()) copy.set(std::string(e.key), MetaValue::from(e.value));
    auto again = reopen(*copy.write_memory());
    expect_every_type(again);
}

TEST(GgufWriter, TypedGettersRejectWrongTypes) {
    GgufWriter w;
    set_every_type(w);
    auto f = reopen(*w.write_memory());
    auto s = f.get_uint("str");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("metadata key 'str' has type STRING: expected an unsigned integer"), std::string::npos)
        << s.error().message;
    EXPECT_FALSE(f.get_uint("i8"));  // negative
    EXPECT_FALSE(f.get_u32("u64"));  // does not fit
    EXPECT_FALSE(f.get_int("u64"));
    EXPECT_FALSE(f.get_string_array("i32s"));
    EXPECT_FALSE(f.get_f32_array("strs"));
    auto missing = f.get_string("nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
    EXPECT_EQ(*f.get_uint_or("nope", 5), 5u);
    EXPECT_FALSE(f.get_uint_or("str", 5));
}

TEST(GgufWriter, SetReplacesAnEarlierValue) {
    GgufWriter w;
    w.set("k", MetaValue::u32(1));
    w.set("k", MetaValue::string("two"));
    auto f = reopen(*w.write_memory());
    EXPECT_EQ(f.metadata().size(), 1u);
    EXPECT_EQ(*f.get_string("k"), "two");
}

TEST(GgufWriter, F32AndRawTensorsAreByteExact) {
    GgufWriter w;
    auto a = ramp(5 * 3);
    ASSERT_TRUE(w.add_tensor_f32("a", {5, 3}, TensorType::F32, a));
    std::vector<std::byte> q4(18 * 2);
    for (size_t i = 0; i < q4.size(); ++i) q4[i] = static_cast<std::byte>(i * 7);
    ASSERT_TRUE(w.add_tensor_raw("q", {32, 2}, TensorType::Q4_0, q4));
    ASSERT_TRUE(w.add_tensor_f32("v", {1, 1, 1, 3}, TensorType::F32, {1, 2, 3}));
    auto f = reopen(*w.write_memory());
    ASSERT_EQ(f.tensors().size(), 3u);
    const TensorInfo* ta = f.find_tensor("a");
    ASSERT_NE(ta, nullptr);
    EXPECT_EQ(ta->n_dims, 2u);
    EXPECT_EQ(ta->ne[0], 5u);
    EXPECT_EQ(ta->ne[1], 3u);
    EXPECT_EQ(ta->n_elements, 15u);
    EXPECT_EQ(ta->n_rows(), 3u);
    ASSERT_EQ(ta->n_bytes, 60u);
    EXPECT_EQ(std::memcmp(ta->data, a.data(), 60), 0);
    const TensorInfo* tq = f.find_tensor("q");
    ASSERT_NE(tq, nullptr);
    EXPECT_EQ(tq->type, TensorType::Q4_0);
    ASSERT_EQ(tq->n_bytes, q4.size());
    EXPECT_EQ(std::memcmp(tq->data, q4.data(), q4.size()), 0);
    EXPECT_EQ(f.find_tensor("v")->n_dims, 4u);
    for (const auto& t : f.tensors()) {
        EXPECT_EQ(t.offset % 32, 0u) << t.name;
        EXPECT_EQ(static_cast<uint64_t>(t.data - f.bytes().data()), f.data_offset() + t.offset);
    }
    EXPECT_EQ(f.data_offset() % 32, 0u);
}

TEST(GgufWriter, QuantizedTensorsMatchTheKernelsQuantizer) {
    for (TensorType t : {TensorType::F16, TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K}) {
        SCOPED_TRACE(std::string(tensor_type_name(t)));
        ASSERT_TRUE(writer_can_convert(t));
        const uint64_t ne0 = 256, ne1 = 3;
        auto x = ramp(ne0 * ne1, 0.1f);
        GgufWriter w;
        ASSERT_TRUE(w.add_tensor_f32("w", {ne0, ne1}, t, x));
        auto f = reopen(*w.write_memory());
        const TensorInfo* ti = f.find_tensor("w");
        ASSERT_NE(ti, nullptr);
        EXPECT_EQ(ti->type, t);
        const uint64_t row = *row_size(t, ne0);
        ASSERT_EQ(ti->n_bytes, row * ne1);
        std::vector<std::byte> expect(row);
        std::vector<float> back(ne0);
        for (uint64_t r = 0; r < ne1; ++r) {
            ASSERT_TRUE(kernels::quantize_row(t, x.data() + r * ne0, expect.data(), ne0));
            EXPECT_EQ(std::memcmp(ti->data + r * row, expect.data(), row), 0) << "row " << r;
            ASSERT_TRUE(kernels::dequantize_row(t, ti->data + r * row, back.data(), ne0));
            // Loose bound (the kernels' tests own the precise ones): a step of the type's grid.
            float max_abs = 0;
            for (uint64_t i = 0; i < ne0; ++i) max_abs = std::max(max_abs, std::fabs(x[r * ne0 + i]));
            const float step = t == TensorType::F16 ? 1e-3f : t == TensorType::Q8_0 ? 0.01f : t == TensorType::Q6_K ? 0.04f : 0.15f;
            for (uint64_t i = 0; i < ne0; ++i) ASSERT_NEAR(back[i], x[r * ne0 + i], max_abs * step) << i;
        }
    }
}

TEST(GgufWriter, StreamedRowsEqualInMemoryData) {
    auto x = ramp(64 * 4);
    GgufWriter a, b;
    ASSERT_TRUE(a.add_tensor_f32("w", {64, 4}, TensorType::Q8_0, x));
    ASSERT_TRUE(b.add_tensor_rows("w", {64, 4}, TensorType::Q8_0,
                                  [&](uint64_t row, float* out) { std::memcpy(out, x.data() + row * 64, 64 * 4); }));
    EXPECT_EQ(*a.write_memory(), *b.write_memory());
}

TEST(GgufWriter, AlignmentIsWrittenAndHonoured) {
    GgufWriter w;
    w.set_alignment(64);
    ASSERT_TRUE(w.add_tensor_f32("a", {3}, TensorType::F32, {1, 2, 3}));
    ASSERT_TRUE(w.add_tensor_f32("b", {3}, TensorType::F32, {4, 5, 6}));
    auto f = reopen(*w.write_memory());
    EXPECT_EQ(f.alignment(), 64u);
    EXPECT_EQ(*f.get_u32("general.alignment"), 64u);
    EXPECT_EQ(f.data_offset() % 64, 0u);
    EXPECT_EQ(f.find_tensor("b")->offset, 64u);
}

TEST(GgufWriter, RejectsBadTensors) {
    GgufWriter w;
    ASSERT_TRUE(w.add_tensor_f32("a", {4}, TensorType::F32, {1, 2, 3, 4}));
    auto dup = w.add_tensor_f32("a", {4}, TensorType::F32, {1, 2, 3, 4});
    ASSERT_FALSE(dup);
    EXPECT_NE(dup.error().message.find("duplicate tensor 'a'"), std::string::npos);
    auto rows = w.add_tensor_f32("b", {33}, TensorType::Q8_0, std::vector<float>(33));
    ASSERT_FALSE(rows);
    EXPECT_NE(rows.error().message.find("not a multiple of the Q8_0 block size 32"), std::string::npos);
    EXPECT_FALSE(w.add_tensor_f32("c", {4}, TensorType::F32, {1, 2, 3}));
    EXPECT_FALSE(w.add_tensor_raw("d", {32}, TensorType::Q4_0, std::vector<std::byte>(17)));
    EXPECT_FALSE(w.add_tensor_f32("e", {1, 1, 1, 1, 1}, TensorType::F32, {1}));
    auto iq = w.add_tensor_f32("f", {256}, TensorType::IQ2_XXS, std::vector<float>(256));
    ASSERT_FALSE(iq);
    EXPECT_EQ(iq.error().code, core::ErrorCode::Unsupported);
}

TEST(GgufWriter, WritesAFileThatOpensMapped) {
    const auto path = (std::filesystem::temp_directory_path() / "lg_gguf_writer_test.gguf").string();
    GgufWriter w;
    set_every_type(w);
    ASSERT_TRUE(w.add_tensor_f32("a", {8}, TensorType::F32, ramp(8)));
    ASSERT_TRUE(w.write_file(path));
    auto f = GgufFile::open(path);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->path(), path);
    expect_every_type(*f);
    EXPECT_EQ(f->find_tensor("a")->n_bytes, 32u);
    GgufFile moved = std::move(*f);  // views stay valid across moves (the mapping does not move)
    EXPECT_EQ(std::memcmp(moved.find_tensor("a")->data, ramp(8).data(), 32), 0);
    std::remove(path.c_str());
}

TEST(GgufReader, OpenReportsMissingAndNonRegularFiles) {
    auto missing = GgufFile::open("/nonexistent/x.gguf");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
    EXPECT_NE(missing.error().message.find("/nonexistent/x.gguf"), std::string::npos);
    auto dir = GgufFile::open("/tmp");
    ASSERT_FALSE(dir);
    EXPECT_NE(dir.error().message.find("not a regular file"), std::string::npos);
}

TEST(GgufReader, FloatArrayToIntNeverHasUndefinedBehaviour) {
    // Regression (fuzzer, fuzz/gguf/corpus/regress-nan-float-array-to-int): NaN and huge floats
    // converted to int64 were undefined behaviour.
    GgufWriter w;
    w.set("f", MetaValue::f32_array({std::nanf(""), 1e30f, -1e30f, 2.5f}));
    auto f = reopen(*w.write_memory());
    const Value* v = f.find("f");
    EXPECT_EQ(array_int_at(*v, 0), 0);
    EXPECT_EQ(array_int_at(*v, 1), INT64_MAX);
    EXPECT_EQ(array_int_at(*v, 2), INT64_MIN);
    EXPECT_EQ(array_int_at(*v, 3), 2);
}

}  // namespace
}  // namespace engine::gguf
