# Sampling tests: sampler distributions with fixed seeds, penalties, the stop gate.
lg_test(engine_sampling_tests
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/sampler_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/stop_controller_test.cpp
    DEPS lg_engine
    LABEL unit
    TIMEOUT 120)

# Its own binary: it replaces the global operator new to count allocations.
lg_test(engine_sampling_alloc_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/sampler_alloc_test.cpp
    DEPS lg_engine
    LABEL unit
    TIMEOUT 60)
