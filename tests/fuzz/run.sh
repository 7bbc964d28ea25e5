#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures a clang + libFuzzer + ASan/UBSan build, builds every fuzz target and runs each for N seconds.
# Usage: tests/fuzz/run.sh [seconds=60] [build-dir=<source>/build-fuzz]
# Each target fuzzes a scratch copy of its kept corpus (tests/fuzz/corpus/<name without fuzz_>), so a run never
# changes the committed files; crash reproducers land in <build-dir>/artifacts/<target>/. Exits non-zero when a
# target crashes, leaks, or trips a sanitizer. Environment: JOBS (build parallelism, default 2).
# To keep what a run found, merge by edge coverage only (counters would keep hundreds of near-duplicates):
#   build-fuzz/bin/fuzz_statsd -merge=1 -use_counters=0 tests/fuzz/corpus/statsd build-fuzz/corpus/fuzz_statsd
# Seeds from the conformance table: tests/fuzz/seed_corpus.py.
set -euo pipefail

seconds=${1:-60}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${2:-$src/build-fuzz}
jobs=${JOBS:-2}
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

cmake -S "$src" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS="$sanitize" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DPERFDASH_BUILD_FUZZERS=ON -DPERFDASH_GUI=OFF -DPERFDASH_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target perfdash_fuzzers -j"$jobs"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
status=0
shopt -s nullglob
targets=("$build"/bin/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
    echo "run.sh: no fuzz targets were built" >&2
    exit 1
fi
# One target per core at a time: each libFuzzer run is one process on one core.
fuzz_one() {
    local target=$1 name kept work artifacts
    name=$(basename "$target")
    kept="$src/tests/fuzz/corpus/${name#fuzz_}"
    work="$build/corpus/$name"
    artifacts="$build/artifacts/$name"
    mkdir -p "$work" "$artifacts"
    [ -d "$kept" ] && cp -n "$kept"/* "$work"/ 2>/dev/null || true
    local dict=()
    [ -f "$src/tests/fuzz/${name#fuzz_}.dict" ] && dict=(-dict="$src/tests/fuzz/${name#fuzz_}.dict")
    if ! "$target" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$work" 2>"$build/$name.log"; then
        {
            echo "run.sh: $name FAILED; see $build/$name.log and $artifacts/"
            tail -n 40 "$build/$name.log"
        } >&2
        return 1
    fi
    echo "== $name: ${seconds}s, corpus $work"
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)" "$build/$name.log" || true
}
# A job's exit status can be lost to `wait -n`; a marker file cannot.
rm -f "$build"/*.failed
for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    (fuzz_one "$target" || touch "$build/$(basename "$target").failed") &
done
wait
if compgen -G "$build/*.failed" >/dev/null; then
    status=1
fi
exit $status
