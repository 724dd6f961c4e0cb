# Kernels: scalar reference always; x86-64 SIMD files compiled with their own flags
# (flags.cmake) and chosen at start-up from CPUID (dispatch.cpp, cpu.cpp).
list(APPEND LG_ENGINE_SOURCES
    kernels/cpu.cpp
    kernels/dequant_matmul.cpp
    kernels/dispatch.cpp
    kernels/matmul.cpp
    kernels/ref_attention.cpp
    kernels/ref_quantize.cpp
    kernels/ref_quantize_k.cpp
    kernels/ref_vec_dot.cpp
    kernels/thread_pool.cpp)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    list(APPEND LG_ENGINE_SOURCES kernels/x86_avx2.cpp kernels/x86_avx2_attention.cpp
        kernels/x86_avx512.cpp)
endif()
