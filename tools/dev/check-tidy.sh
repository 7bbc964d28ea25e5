#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The clang-tidy gate: the checks of .clang-tidy on every C++ source changed since a base commit, with the bugprone
# checks as errors (the others print warnings). Needs built trees for their compile_commands.json and generated moc
# files; a source goes to the first tree that compiles it (default: build/dev). The base is tools/dev/tidy-base
# unless given: a commit whose changed files all passed, moved forward when a session's work lands. --all checks every
# source (about 10 s a file on one core).
#   tools/dev/check-tidy.sh [--all | --base REV] [BUILD_DIR...]
set -euo pipefail
cd "$(dirname "$0")/../.."

base=$(tr -d '[:space:]' < tools/dev/tidy-base)
all=0
case "${1:-}" in
--all) all=1; shift ;;
--base) base=$2; shift 2 ;;
esac
builds=("$@")
[ ${#builds[@]} -eq 0 ] && builds=(build/dev)

if [ "$all" = 0 ] && ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    echo "check-tidy: the base $base is not in this clone's history (shallow?): checking the last commit's files"
    base=HEAD~1
fi
if [ "$all" = 0 ]; then
    # A changed header brings the source of the same name (foo.h -> foo.cpp), which defines what it declares; a header
    # without one brings up to three sources that include it, through which .clang-tidy's HeaderFilterRegex checks it.
    mapfile -t changed < <(
        git diff --name-only --diff-filter=AMR "$base" HEAD -- '*.cpp' '*.h' | while read -r f; do
            case "$f" in
            *.h)
                if [ -f "${f%.h}.cpp" ]; then
                    echo "${f%.h}.cpp"
                else
                    # Included by its path from the root or, for the SDK's headers, from clients/cpp
                    # ("perfdash/run.h"). A header nothing includes brings nothing (and must not end the list).
                    git grep -l -E "#include \"([^\"]*/)?$(basename "$f")\"" -- '*.cpp' | head -n 3 || true
                fi
                ;;
            *) echo "$f" ;;
            esac
        done | sort -u
    )
fi

declare -A assigned=()
total=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for build in "${builds[@]}"; do
    if [ ! -f "$build/compile_commands.json" ]; then
        echo "check-tidy: no $build/compile_commands.json; configure and build that tree first" >&2
        exit 1
    fi
    mapfile -t known < <(python3 -c 'import json,os,sys
for e in json.load(open(sys.argv[1])):
    if "_autogen" not in e["file"]: print(os.path.relpath(e["file"]))' "$build/compile_commands.json" | sort -u)
    if [ "$all" = 1 ]; then
        candidates=("${known[@]}")
    else
        mapfile -t candidates < <(comm -12 <(printf '%s\n' "${known[@]}") <(printf '%s\n' "${changed[@]}"))
    fi
    files=()
    for f in "${candidates[@]}"; do
        if [ -n "$f" ] && [ -z "${assigned[$f]:-}" ]; then
            assigned[$f]=$build
            files+=("$f")
        fi
    done
    [ ${#files[@]} -eq 0 ] && continue
    total=$((total + ${#files[@]}))
    printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet \
        --warnings-as-errors='bugprone-*' >> "$log" 2>&1 || status=$?
done
if [ "$total" -eq 0 ]; then
    echo "check-tidy: no C++ source changed since ${base:0:12}"
    exit 0
fi
grep -E '(warning|error): ' "$log" | sort -u || true
if [ "$status" -ne 0 ]; then
    echo "check-tidy: bugprone findings above are errors (or clang-tidy failed: its output follows)" >&2
    grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log" | tail -40 >&2
    exit 1
fi
if [ "$all" = 1 ]; then
    echo "check-tidy: all $total sources, no bugprone finding"
else
    echo "check-tidy: $total sources changed since ${base:0:12}, no bugprone finding"
fi
