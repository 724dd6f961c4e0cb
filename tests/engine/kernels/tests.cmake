# Kernel tests: conversions, block formats, every SIMD kernel against the scalar reference,
# thread pool and matmul.
lg_test(engine_kernels_tests
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/attention_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/dequant_matmul_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/fp16_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/matmul_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/quantize_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/thread_pool_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/vec_dot_test.cpp
    DEPS lg_engine
    LABEL unit
    TIMEOUT 300)

# Kernels on real llama.cpp-quantized tensors (../shared/reference; skips loudly without it).
lg_test(engine_kernels_reference_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/reference_test.cpp
    DEPS lg_engine
    LABEL reference
    TIMEOUT 300)
