# GGUF reader/writer tests (src/engine/gguf). Included from tests/engine/CMakeLists.txt.
lg_test(engine_gguf_tests
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/reader_broken_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/writer_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/hparams_test.cpp
    DEPS lg_engine
    LABEL unit
    TIMEOUT 120)
# The files in ../shared/reference (llama.cpp-written models and vocabularies).
lg_test(engine_gguf_reference_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/reference_test.cpp
    DEPS lg_engine
    LABEL reference
    TIMEOUT 120)
# The fuzzer corpus replayed under the regular compiler (fuzz/gguf/gguf_fuzz_body.h).
lg_test(engine_gguf_corpus_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/corpus_test.cpp
    DEPS lg_engine
    LABEL unit
    TIMEOUT 120)
target_include_directories(engine_gguf_corpus_test PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
