#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The format gate: every C and C++ file must be as .clang-format formats it (clang-format 14, Debian 12's). Lists
# what differs and fails. To fix: tools/dev/check-format.sh --fix (formats the files in place).
set -euo pipefail
cd "$(dirname "$0")/../.."

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.c')
else
    mapfile -t files < <(find app widgets models storage collector clients tools tests fleet live resources \
        \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) 2>/dev/null | sort)
fi
if [ "${1:-}" = "--fix" ]; then
    clang-format --style=file -i "${files[@]}"
    exit 0
fi
if ! clang-format --style=file --dry-run --Werror "${files[@]}"; then
    echo "check-format: the files above differ from .clang-format; run tools/dev/check-format.sh --fix" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files as .clang-format has them"
