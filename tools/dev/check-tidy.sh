#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The clang-tidy gate: the checks of .clang-tidy on every C++ source changed since a base commit, with the bugprone
# checks as errors (the others print warnings). Needs a configured build for compile_commands.json and the generated
# moc headers (default build/dev). The base is tools/dev/tidy-base unless given: the last commit whose changed files
# all passed, moved forward when a session lands. A whole-tree run takes --all (about 10 s a file on one core).
#   tools/dev/check-tidy.sh [--all | BASE] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

base=$(tr -d '[:space:]' < tools/dev/tidy-base)
all=0
if [ "${1:-}" = "--all" ]; then
    all=1
    shift
elif [ $# -gt 0 ] && [ -n "$1" ] && [ ! -d "$1" ]; then
    base=$1
    shift
fi
build=${1:-build/dev}
if [ ! -f "$build/compile_commands.json" ]; then
    echo "check-tidy: no $build/compile_commands.json; configure and build that tree first" >&2
    exit 1
fi

# Sources in the build (the compilation database), changed since the base; a changed header brings the sources that
# share its name (foo.h -> foo.cpp), the ones that define what it declares.
mapfile -t known < <(python3 -c 'import json,os,sys; [print(os.path.relpath(e["file"])) for e in json.load(open(sys.argv[1])) if "_autogen" not in e["file"]]' "$build/compile_commands.json" | sort -u)
if [ "$all" = 1 ]; then
    files=("${known[@]}")
else
    if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
        echo "check-tidy: the base $base is not in this clone's history (shallow?): checking the last commit's files"
        base=HEAD~1
    fi
    mapfile -t changed < <(git diff --name-only --diff-filter=AMR "$base" HEAD -- '*.cpp' '*.h' | sed 's/\.h$/.cpp/' | sort -u)
    mapfile -t files < <(comm -12 <(printf '%s\n' "${known[@]}") <(printf '%s\n' "${changed[@]}"))
fi
if [ ${#files[@]} -eq 0 ] || [ -z "${files[0]}" ]; then
    echo "check-tidy: no C++ source changed since $base"
    exit 0
fi
if [ "$all" = 1 ]; then
    echo "check-tidy: all ${#files[@]} sources"
else
    echo "check-tidy: ${#files[@]} sources changed since ${base:0:12}"
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet --warnings-as-errors='bugprone-*' \
    > "$log" 2>&1 || status=$?
grep -E '(warning|error): ' "$log" | sort -u || true
if [ "$status" -ne 0 ]; then
    echo "check-tidy: bugprone findings above are errors (or clang-tidy failed: see the output)" >&2
    grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log" | tail -40 >&2
    exit 1
fi
echo "check-tidy: no bugprone finding"
