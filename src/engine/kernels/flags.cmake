# Per-file SIMD flags: only these files use AVX2/AVX-512 instructions, and dispatch.cpp
# calls them only when CPUID says the CPU has them, so the binary runs on any x86-64.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86_avx2.cpp
        ${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86_avx2_attention.cpp
        PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
    set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86_avx512.cpp
        PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni")
    set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/kernels/dispatch.cpp
        PROPERTIES COMPILE_DEFINITIONS "LG_KERNELS_X86=1")
endif()
