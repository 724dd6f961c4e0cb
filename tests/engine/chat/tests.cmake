# Chat tests: golden prompt texts per family, detection on real template excerpts, segments
# (injection safety), reasoning-block stripping at every split point.
lg_test(engine_chat_tests
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/chat_template_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/detect_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/reasoning_test.cpp
    DEPS lg_engine
    LABEL unit
    TIMEOUT 120)
