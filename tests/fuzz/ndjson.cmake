# SPDX-License-Identifier: GPL-3.0-or-later
# The native-record parser's libFuzzer target. Include it from a clang build whose libraries are compiled with
# -fsanitize=address,undefined,fuzzer-no-link (tests/fuzz/CMakeLists.txt under PERFDASH_BUILD_FUZZERS); the target
# itself gets -fsanitize=fuzzer,address,undefined. Corpus: corpus/ndjson/, dictionary: ndjson.dict. A 60 s run:
#   fuzz_ndjson -max_total_time=60 -dict=tests/fuzz/ndjson.dict <scratch-corpus> tests/fuzz/corpus/ndjson
add_executable(fuzz_ndjson "${CMAKE_CURRENT_LIST_DIR}/fuzz_ndjson.cpp")
perfdash_compile_settings(fuzz_ndjson)
target_compile_options(fuzz_ndjson PRIVATE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
target_link_options(fuzz_ndjson PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(fuzz_ndjson PRIVATE perfdash::collector)
