# bench_kernels: matvec / matmul throughput per weight type and kernel level.
#   build/<dir>/bench_kernels --benchmark_filter='matvec/Q4_0'
add_executable(bench_kernels ${CMAKE_CURRENT_LIST_DIR}/kernels_bench.cpp)
target_compile_options(bench_kernels PRIVATE ${LG_WARNINGS})
target_link_libraries(bench_kernels PRIVATE lg_engine benchmark::benchmark)
set_target_properties(bench_kernels PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
