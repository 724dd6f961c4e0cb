# Tokenizer tests: unit cases on hand-built vocabularies, and the llama.cpp reference vocabularies.
lg_test(engine_tokenizer_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tokenizer_test.cpp
            ${CMAKE_CURRENT_LIST_DIR}/stream_decoder_test.cpp
            ${CMAKE_CURRENT_LIST_DIR}/token_format_test.cpp
    DEPS lg_engine
    LABEL unit TIMEOUT 60)
lg_test(engine_tokenizer_reference_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/reference_test.cpp
    DEPS lg_engine
    LABEL reference TIMEOUT 120)
