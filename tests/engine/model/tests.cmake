# Forward-pass tests: building blocks and tiny written models (unit), and the logits of the
# shared reference models against llama.cpp's (reference; precise mode: slow).
lg_test(engine_model_tests
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/blocks_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/naive_forward.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tiny_model.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tiny_model_test.cpp
    DEPS lg_engine
    LABEL unit
    TIMEOUT 300)
lg_test(engine_model_reference_tests
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/reference_check.cpp
        ${CMAKE_CURRENT_LIST_DIR}/reference_test.cpp
    DEPS lg_engine nlohmann_json::nlohmann_json
    LABEL reference
    TIMEOUT 900)
# Precise mode against the .deq references: dequantizes every matrix per call, ~4 min under ASan.
lg_test(engine_model_precise_reference_tests
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/reference_check.cpp
        ${CMAKE_CURRENT_LIST_DIR}/precise_reference_test.cpp
    DEPS lg_engine nlohmann_json::nlohmann_json
    LABEL slow
    TIMEOUT 900)
