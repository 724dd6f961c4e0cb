// The GGUF parser (GgufFile::parse): header, metadata, tensor infos, data section. The input is
// untrusted: every count is checked against the bytes left before anything is allocated, every
// size product against overflow, every tensor against the end of the file.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "engine/gguf/detail/cursor.h"
#include "engine/gguf/gguf.h"

namespace engine::gguf {
namespace {

using core::ErrorCode;
using detail::Cursor;

// Smallest possible encodings, used to reject absurd counts before allocating:
// a key/value is an 8-byte key length + 4-byte type + 1-byte value; a tensor info is an 8-byte
// name length + u32 n_dims + one u64 dim + u32 type + u64 offset.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;
constexpr uint64_t kMinArrayItemBytes = 4 + 8;  // nested array: element type + count

core::Unexpected parse_error(std::string msg) { return core::fail(ErrorCode::Parse, std::move(msg)); }

// Fails unless count * min_size fits in the bytes left (checked without overflow).
core::Status check_count(const Cursor& c, uint64_t count, uint64_t min_size, std::string_view what,
                         uint64_t at) {
    if (min_size != 0 && count > c.remaining() / min_size)
        return parse_error(fmt::format("gguf: {} = {} at byte {} is absurd: that many need at least {} bytes "
                                       "each but only {} bytes remain: the file is truncated or corrupt",
                                       what, count, at, min_size, c.remaining()));
    return core::ok();
}

class Parser {
public:
    explicit Parser(std::span<const std::byte> bytes) : c_(bytes) {}
    Cursor& cursor() { return c_; }

    core::Result<Value> value(ValueType type, int depth, std::string_view key);

private:
    core::Status scalar(Value& v, std::string_view what);
    core::Status array(Value& v, int depth, std::string_view key);
    Cursor c_;
};

core::Status Parser::scalar(Value& v, std::string_view what) {
    switch (v.type) {
#define LG_GGUF_INT(T, CT, FIELD)                   \
    case ValueType::T: {                            \
        auto r = c_.read<CT>(what);                 \
        if (!r) return core::fail(std::move(r).error()); \
        v.FIELD = *r;                               \
        v.u64 = static_cast<uint64_t>(*r);          \
        v.i64 = static_cast<int64_t>(*r);           \
        return core::ok();                          \
    }
        LG_GGUF_INT(UInt8, uint8_t, u64)
        LG_GGUF_INT(Int8, int8_t, i64)
        LG_GGUF_INT(UInt16, uint16_t, u64)
        LG_GGUF_INT(Int16, int16_t, i64)
        LG_GGUF_INT(UInt32, uint32_t, u64)
        LG_GGUF_INT(Int32, int32_t, i64)
        LG_GGUF_INT(UInt64, uint64_t, u64)
        LG_GGUF_INT(Int64, int64_t, i64)
#undef LG_GGUF_INT
        case ValueType::Float32: {
            auto r = c_.read<float>(what);
            if (!r) return core::fail(std::move(r).error());
            v.f64 = *r;
            return core::ok();
        }
        case ValueType::Float64: {
            auto r = c_.read<double>(what);
            if (!r) return core::fail(std::move(r).error());
            v.f64 = *r;
            return core::ok();
        }
        case ValueType::Bool: {
            uint64_t at = c_.pos();
            auto r = c_.read<uint8_t>(what);
            if (!r) return core::fail(std::move(r).error());
            if (*r > 1)
                return parse_error(fmt::format("gguf: {} at byte {} is a BOOL holding {}: expected 0 or 1", what,
                                               at, *r));
            v.b = *r == 1;
            return core::ok();
        }
        case ValueType::String: {
            auto r = c_.str(what);
            if (!r) return core::fail(std::move(r).error());
            v.str = *r;
            return core::ok();
        }
        case ValueType::Array: break;
    }
    LG_CHECK(false, "scalar() called with a non-scalar type");
    return core::ok();
}

core::Status Parser::array(Value& v, int depth, std::string_view key) {
    uint64_t at = c_.pos();
    std::string what = fmt::format("array '{}'", key);
    auto elem = c_.u32(what + " element type");
    if (!elem) return core::fail(std::move(elem).error());
    if (*elem >= kValueTypeCount)
        return parse_error(fmt::format("gguf: {} at byte {} has unknown element type {} (expected 0..12)", what,
                                       at, *elem));
    v.elem_type = static_cast<ValueType>(*elem);
    auto count = c_.u64(what + " count");
    if (!count) return core::fail(std::move(count).error());
    v.count = *count;
    if (v.elem_type == ValueType::Array && depth + 1 >= kMaxArrayDepth)
        return parse_error(fmt::format("gguf: {} at byte {} nests arrays deeper than {} levels: the file is "
                                       "corrupt or hostile",
                                       what, at, kMaxArrayDepth));
    if (size_t sz = value_type_size(v.elem_type); sz != 0) {
        LG_TRY(check_count(c_, v.count, sz, what + " count", at + 4));
        v.raw = std::span<const std::byte>(c_.at(c_.pos()), static_cast<size_t>(v.count * sz));
        if (v.elem_type == ValueType::Bool)
            for (std::byte b : v.raw)
                if (static_cast<uint8_t>(b) > 1)
                    return parse_error(fmt::format("gguf: {} at byte {} holds a BOOL that is not 0 or 1", what, at));
        return c_.skip(v.count * sz, what);
    }
    if (v.elem_type == ValueType::String) {
        LG_TRY(check_count(c_, v.count, 8, what + " count", at + 4));
        v.strings.reserve(static_cast<size_t>(v.count));
        for (uint64_t i = 0; i < v.count; ++i) {
            auto s = c_.str(what + " item");
            if (!s) return core::fail(std::move(s).error());
            v.strings.push_back(*s);
        }
        return core::ok();
    }
    LG_TRY(check_count(c_, v.count, kMinArrayItemBytes, what + " count", at + 4));
    v.items.reserve(static_cast<size_t>(v.count));
    for (uint64_t i = 0; i < v.count; ++i) {
        auto item = value(ValueType::Array, depth + 1, key);
        if (!item) return core::fail(std::move(item).error());
        v.items.push_back(std::move(*item));
    }
    return core::ok();
}

core::Result<Value> Parser::value(ValueType type, int depth, std::string_view key) {
    Value v;
    v.type = type;
    if (type == ValueType::Array) {
        LG_TRY(array(v, depth, key));
    } else {
        LG_TRY(scalar(v, fmt::format("value of '{}'", key)));
    }
    return v;
}

std::string dims_text(const TensorInfo& t) {
    std::string s = "[";
    for (uint32_t i = 0; i < t.n_dims; ++i) s += fmt::format("{}{}", i ? ", " : "", t.ne[i]);
    return s + "]";
}

// Reads one tensor info (name, dims, type, offset) and computes its element and byte counts.
core::Result<TensorInfo> read_tensor_info(Cursor& c, uint64_t index, uint32_t alignment) {
    TensorInfo t;
    uint64_t at = c.pos();
    auto name = c.str(fmt::format("tensor #{} name", index));
    if (!name) return core::fail(std::move(name).error());
    t.name = *name;
    if (t.name.empty()) return parse_error(fmt::format("gguf: tensor #{} at byte {} has an empty name", index, at));
    std::string what = fmt::format("tensor '{}'", t.name);
    auto n_dims = c.u32(what + " n_dims");
    if (!n_dims) return core::fail(std::move(n_dims).error());
    if (*n_dims < 1 || *n_dims > kMaxDims)
        return parse_error(fmt::format("gguf: {} at byte {} has n_dims {} (expected 1..{})", what, at, *n_dims,
                                       kMaxDims));
    t.n_dims = *n_dims;
    uint64_t n = 1;
    bool overflow = false;
    for (uint32_t i = 0; i < t.n_dims; ++i) {
        auto d = c.u64(what + " dim");
        if (!d) return core::fail(std::move(d).error());
        t.ne[i] = *d;
        overflow |= __builtin_mul_overflow(n, *d, &n);
    }
    if (overflow || n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return parse_error(fmt::format("gguf: {} at byte {} has dims {} whose element count overflows 64 bits: "
                                       "the file is corrupt",
                                       what, at, dims_text(t)));
    t.n_elements = n;
    uint64_t type_at = c.pos();
    auto type = c.u32(what + " type");
    if (!type) return core::fail(std::move(type).error());
    const TensorTypeInfo* info = tensor_type_info(*type);
    if (info == nullptr)
        return parse_error(fmt::format("gguf: {} at byte {} has unknown tensor type id {}: the file is newer than "
                                       "this reader or corrupt",
                                       what, type_at, *type));
    t.type = info->type;
    if (t.ne[0] % info->block_size != 0)
        return parse_error(fmt::format("gguf: {} has row length {}, not a multiple of the {} block size {}", what,
                                       t.ne[0], info->name, info->block_size));
    if (__builtin_mul_overflow(n / info->block_size, static_cast<uint64_t>(info->type_size), &t.n_bytes))
        return parse_error(fmt::format("gguf: {} at byte {} has dims {} whose byte size overflows 64 bits", what,
                                       at, dims_text(t)));
    uint64_t off_at = c.pos();
    auto offset = c.u64(what + " offset");
    if (!offset) return core::fail(std::move(offset).error());
    t.offset = *offset;
    if (t.offset % alignment != 0)
        return parse_error(fmt::format("gguf: {} at byte {} has data offset {}, not a multiple of the alignment {}: "
                                       "the file is corrupt",
                                       what, off_at, t.offset, alignment));
    return t;
}


// Header: magic, version, n_tensors, n_kv (the counts checked against the bytes left).
core::Status read_header(Cursor& c, uint32_t* version, uint64_t* n_tensors, uint64_t* n_kv) {
    auto magic = c.u32("magic");
    if (!magic) return core::fail(std::move(magic).error());
    if (*magic != kMagic)
        return parse_error(fmt::format("gguf: bad magic at byte 0: expected \"GGUF\" (47 47 55 46), found {:02x} "
                                       "{:02x} {:02x} {:02x}: not a GGUF file",
                                       *magic & 0xff, (*magic >> 8) & 0xff, (*magic >> 16) & 0xff, *magic >> 24));
    auto v = c.u32("version");
    if (!v) return core::fail(std::move(v).error());
    *version = *v;
    if (*v == 1)
        return core::fail(ErrorCode::Unsupported,
                          "gguf: version 1 at byte 4 is not supported (it used 32-bit counts): convert the file "
                          "with a current llama.cpp");
    if (*v != 2 && *v != 3) {
        if ((*v & 0xffff) == 0 && *v != 0)
            return core::fail(ErrorCode::Unsupported,
                              fmt::format("gguf: version {:#x} at byte 4 looks byte-swapped: big-endian GGUF files "
                                          "are not supported",
                                          *v));
        return core::fail(ErrorCode::Unsupported, fmt::format("gguf: unknown version {} at byte 4: expected 2 or 3", *v));
    }
    auto nt = c.u64("header n_tensors");
    if (!nt) return core::fail(std::move(nt).error());
    auto nkv = c.u64("header n_kv");
    if (!nkv) return core::fail(std::move(nkv).error());
    LG_TRY(check_count(c, *nt, kMinTensorInfoBytes, "header n_tensors", 8));
    LG_TRY(check_count(c, *nkv, kMinKvBytes, "header n_kv", 16));
    *n_tensors = *nt;
    *n_kv = *nkv;
    return core::ok();
}

// One key/value pair: key, value type, value.
core::Result<MetadataEntry> read_kv(Parser& p, uint64_t index) {
    Cursor& c = p.cursor();
    MetadataEntry e;
    e.offset = c.pos();
    auto key = c.str(fmt::format("metadata key #{}", index));
    if (!key) return core::fail(std::move(key).error());
    e.key = *key;
    if (e.key.empty()) return parse_error(fmt::format("gguf: metadata key #{} at byte {} is empty", index, e.offset));
    uint64_t type_at = c.pos();
    auto type = c.u32(fmt::format("type of metadata key '{}'", e.key));
    if (!type) return core::fail(std::move(type).error());
    if (*type >= kValueTypeCount)
        return parse_error(fmt::format("gguf: metadata key '{}' at byte {} has unknown value type {} (expected 0..12)",
                                       e.key, type_at, *type));
    auto v = p.value(static_cast<ValueType>(*type), 0, e.key);
    if (!v) return core::fail(std::move(v).error());
    e.value = std::move(*v);
    return e;
}

// general.alignment: an unsigned integer, a power of two up to 2^30.
core::Result<uint32_t> alignment_of(const Value& a) {
    const bool is_signed = a.type == ValueType::Int8 || a.type == ValueType::Int16 || a.type == ValueType::Int32 ||
                           a.type == ValueType::Int64;
    if (!a.is_integer() || (is_signed && a.i64 < 0))
        return parse_error(fmt::format("gguf: general.alignment has type {}: expected UINT32", value_type_name(a.type)));
    if (a.u64 == 0 || (a.u64 & (a.u64 - 1)) != 0 || a.u64 > (1u << 30))
        return parse_error(fmt::format("gguf: general.alignment = {} is not a power of two between 1 and 2^30: the "
                                       "file is corrupt",
                                       a.u64));
    return static_cast<uint32_t>(a.u64);
}

}  // namespace

core::Status GgufFile::parse() {
    Parser p(bytes_);
    Cursor& c = p.cursor();
    uint64_t n_tensors = 0, n_kv = 0;
    LG_TRY(read_header(c, &version_, &n_tensors, &n_kv));

    kv_.reserve(static_cast<size_t>(n_kv));
    for (uint64_t i = 0; i < n_kv; ++i) {
        auto e = read_kv(p, i);
        if (!e) return core::fail(std::move(e).error());
        auto [it, inserted] = kv_index_.emplace(e->key, kv_.size());
        if (!inserted)
            return parse_error(fmt::format("gguf: duplicate metadata key '{}' at byte {} (first at byte {})", e->key,
                                           e->offset, kv_[it->second].offset));
        kv_.push_back(std::move(*e));
    }
    if (const Value* a = find("general.alignment")) {
        auto al = alignment_of(*a);
        if (!al) return core::fail(std::move(al).error());
        alignment_ = *al;
    }

    tensors_.reserve(static_cast<size_t>(n_tensors));
    for (uint64_t i = 0; i < n_tensors; ++i) {
        uint64_t at = c.pos();
        auto t = read_tensor_info(c, i, alignment_);
        if (!t) return core::fail(std::move(t).error());
        auto [it, inserted] = tensor_index_.emplace(t->name, tensors_.size());
        if (!inserted) return parse_error(fmt::format("gguf: duplicate tensor name '{}' at byte {}", t->name, at));
        tensors_.push_back(*t);
    }

    // The data section starts at the next multiple of the alignment (pos <= size < 2^63 here).
    data_offset_ = (c.pos() + alignment_ - 1) / alignment_ * alignment_;
    if (!tensors_.empty() && data_offset_ > c.size())
        return parse_error(fmt::format("gguf: data section starts at byte {}, past the end of the file ({} bytes): "
                                       "the file is truncated",
                                       data_offset_, c.size()));
    return check_tensor_extents();
}

core::Status GgufFile::check_tensor_extents() {
    const uint64_t size = bytes_.size();
    for (auto& t : tensors_) {
        uint64_t start = 0, end = 0;
        if (__builtin_add_overflow(data_offset_, t.offset, &start) || __builtin_add_overflow(start, t.n_bytes, &end) ||
            end > size)
            return parse_error(fmt::format("gguf: tensor {} ends at byte {}, past the end of the file ({} bytes): the "
                                           "file is truncated",
                                           t.name,
                                           end < start ? std::string("2^64+") : fmt::format("{}", end), size));
        t.data = bytes_.data() + start;
    }
    // Tensors must not overlap: sort by offset and compare neighbours.
    std::vector<const TensorInfo*> order;
    order.reserve(tensors_.size());
    for (const auto& t : tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < order.size(); ++i) {
        const TensorInfo* a = order[i - 1];
        const TensorInfo* b = order[i];
        if (a->n_bytes != 0 && b->n_bytes != 0 && b->offset < a->offset + a->n_bytes)
            return parse_error(fmt::format("gguf: tensors {} (data bytes {}..{}) and {} (from byte {}) overlap: the "
                                           "file is corrupt",
                                           a->name, a->offset, a->offset + a->n_bytes, b->name, b->offset));
    }
    return core::ok();
}

}  // namespace engine::gguf
