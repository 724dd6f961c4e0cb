# bench_tokenizer: tokenizing 1 MB of generated mixed-language text with each reference vocabulary.
add_executable(bench_tokenizer ${CMAKE_CURRENT_LIST_DIR}/tokenizer_bench.cpp)
target_compile_options(bench_tokenizer PRIVATE ${LG_WARNINGS})
target_link_libraries(bench_tokenizer PRIVATE lg_engine benchmark::benchmark)
target_compile_definitions(bench_tokenizer PRIVATE LG_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
set_target_properties(bench_tokenizer PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
