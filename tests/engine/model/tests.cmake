# Forward-pass tests: building blocks and tiny written models (unit), and the logits of the
# shared reference models against llama.cpp's (reference).
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
        ${CMAKE_CURRENT_LIST_DIR}/reference_test.cpp
    DEPS lg_engine nlohmann_json::nlohmann_json
    LABEL reference
    TIMEOUT 900)
