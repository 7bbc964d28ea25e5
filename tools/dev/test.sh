#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's test command: install, build the full and the headless configuration, run every test headless.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/dev/install-deps.sh
export QT_QPA_PLATFORM=offscreen

echo "== format"
bash tools/dev/check-format.sh

# npm's hot-shots (and unix-dgram, which may fail to build: then its test is skipped) for the client tests.
(cd tests/clients/node && npm ci --no-audit --no-fund --loglevel=error)
export PERFDASH_REQUIRE_CLIENTS=1 # so tst_clients_e2e fails, rather than skips, if hot-shots is missing after all
jobs=$(nproc)

# Two builds share the tests: the full one (Debug, -Werror, the GUI) runs those labelled gui, which need it; the
# headless one (-DPERFDASH_GUI=OFF, -Werror) runs all the others under AddressSanitizer and UBSan, where any report
# fails the test that caused it. Each test thus runs once, and every file is compiled with -Werror at least once.
echo "== full build (GUI included, -Werror): the programs and the tests labelled gui"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs" --target perfdash_gui_checks
ctest --preset dev -j "$jobs" -L gui

# The real collector under faults (docs/reliability.md); the short version, about 1.5 minutes.
echo "== reliability suite (short)"
bash tests/reliability/run.sh --short --bin build/dev/bin

echo "== headless build (-DPERFDASH_GUI=OFF, -Werror) under ASan and UBSan: every other test"
cmake --preset headless >/dev/null
cmake --build --preset headless -j "$jobs"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --preset headless -j "$jobs"

echo "== clang-tidy on the sources changed since tools/dev/tidy-base (bugprone findings are errors)"
bash tools/dev/check-tidy.sh build/headless build/dev

# The collector of the headless build must not link Qt Gui, Widgets or Charts.
if ldd build/headless/bin/perfdashd | grep -E 'libQt6(Gui|Widgets|Charts)' >/dev/null; then
    echo "test: perfdashd links Qt Gui, Widgets or Charts" >&2
    exit 1
fi
echo "test: perfdashd links no Qt Gui, Widgets or Charts"

# Every parser under libFuzzer with ASan/UBSan; FUZZ_SECONDS=0 skips it (for quick local runs).
fuzz_seconds=${FUZZ_SECONDS:-30}
if [ "$fuzz_seconds" -gt 0 ]; then
    echo "== fuzz: ${fuzz_seconds} s per target"
    bash tests/fuzz/run.sh "$fuzz_seconds" "$PWD/build/fuzz"
fi
