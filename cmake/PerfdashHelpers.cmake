# SPDX-License-Identifier: GPL-3.0-or-later
# Shared compile settings and the one helper that registers tests.

# STYLE.md 13: these hold from the first commit on.
function(perfdash_compile_settings target)
    target_compile_definitions(${target} PRIVATE
        QT_NO_KEYWORDS
        QT_NO_CAST_FROM_ASCII
        QT_NO_CAST_TO_ASCII
        QT_USE_QSTRINGBUILDER
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
        QT_NO_URL_CAST_FROM_STRING)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(PERFDASH_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# perfdash_add_library(NAME folder-name SOURCES ... ) -> perfdash_<name> with ALIAS perfdash::<name>
function(perfdash_add_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
    add_library(perfdash_${name} STATIC ${ARG_SOURCES})
    add_library(perfdash::${name} ALIAS perfdash_${name})
    target_include_directories(perfdash_${name} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/..")
    perfdash_compile_settings(perfdash_${name})
endfunction()

# perfdash_add_test(tst_name SOURCES ... LIBS ... [LABELS ...] [GUI])
function(perfdash_add_test name)
    cmake_parse_arguments(ARG "GUI" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    perfdash_compile_settings(${name})
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
    add_test(NAME ${name} COMMAND ${name})
    set(env "QT_QPA_PLATFORM=offscreen;PERFDASH_BIN_DIR=${CMAKE_BINARY_DIR}/bin;PERFDASH_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    # Long tests first: ctest starts the costliest first, so they do not become the tail of a parallel run. On a fresh
    # tree ctest has no timings yet; the timeout stands in for them.
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}" TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
        COST ${ARG_TIMEOUT})
    if("gui" IN_LIST ARG_LABELS AND TARGET perfdash_gui_checks)
        add_dependencies(perfdash_gui_checks ${name})
    endif()
endfunction()
