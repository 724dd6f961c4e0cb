# The forward pass: building blocks, weights, KV cache, one file per architecture family.
list(APPEND LG_ENGINE_SOURCES
    model/arch.cpp
    model/blocks.cpp
    model/forward.cpp
    model/kv_cache.cpp
    model/llama.cpp
    model/model.cpp
    model/qwen2.cpp
    model/qwen3.cpp
    model/weights.cpp)
