# Shared build settings and helpers for every lambdagram target.

set(LG_WARNINGS -Wall -Wextra -Wpedantic -Wshadow)
# g++ 12 at -O2/-O3 reports -Wrestrict inside libstdc++'s std::string for ordinary code such as
# `"a" + s` (GCC bugs 105329, 105651, fixed in 13): noise that -Werror would turn into failures.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    list(APPEND LG_WARNINGS -Wno-restrict)
endif()
if(LG_WERROR)
    list(APPEND LG_WARNINGS -Werror)
endif()

if(LG_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

# lg_library(NAME SOURCES ... DEPS ...): a static library of one layer, warnings on,
# include root at src/ so headers are included as "core/result.h".
function(lg_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(${name} PRIVATE ${LG_WARNINGS})
    target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# lg_test(NAME SOURCES ... DEPS ... LABEL unit|integration|reference|slow TIMEOUT seconds):
# one GoogleTest binary, every test discovered, labelled and time-limited.
function(lg_test name)
    cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
    if(NOT ARG_LABEL)
        set(ARG_LABEL unit)
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    add_executable(${name} ${ARG_SOURCES})
    target_compile_options(${name} PRIVATE ${LG_WARNINGS})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(${name} PRIVATE
        LG_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        LG_BINARY_DIR="${PROJECT_BINARY_DIR}"
        LG_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
    gtest_discover_tests(${name}
        PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
        DISCOVERY_TIMEOUT 60)
endfunction()
