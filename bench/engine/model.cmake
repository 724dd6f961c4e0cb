# bench_model: prompt and decode tokens/s of the forward pass on synthetic full-size models.
#   build/<dir>/bench_model [all | mistral-7b llama3.2-1b qwen2.5-1.5b qwen2.5-0.5b] [--type Q4_0]
#                           [--threads N] [--cpu-time]      (docs/bench.md)
add_executable(bench_model ${CMAKE_CURRENT_LIST_DIR}/model_bench.cpp)
target_compile_options(bench_model PRIVATE ${LG_WARNINGS})
target_compile_definitions(bench_model PRIVATE LG_BINARY_DIR="${PROJECT_BINARY_DIR}")
target_link_libraries(bench_model PRIVATE lg_engine)
set_target_properties(bench_model PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
