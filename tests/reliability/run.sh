#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The reliability suite (issue 18): the real perfdashd under kill -9, corrupt and locked databases, unwritable folders,
# a full disk, SIGSTOP, clock steps, socket churn, many producers and malformed input. docs/reliability.md.
#
#   tests/reliability/run.sh [--short] [--bin DIR] [--report FILE] [--only SCENARIO]... [--keep]
#
# --short is what CI runs (under ~3 minutes on a 2-core machine); without it the long version runs (kill -9 x50, ...).
# The binaries come from --bin, else $PERFDASH_BIN_DIR, else build/dev/bin of this checkout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${PERFDASH_BIN_DIR:-$repo/build/dev/bin}
short=0
args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --bin)
        [ $# -ge 2 ] || { echo "run.sh: --bin wants a folder" >&2; exit 2; }
        bin=$2
        shift 2
        ;;
    --bin=*)
        bin=${1#--bin=}
        shift
        ;;
    --short)
        short=1
        args+=("$1")
        shift
        ;;
    -h | --help)
        sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        args+=("$1")
        shift
        ;;
    esac
done

if [ ! -x "$bin/perfdashd" ]; then
    echo "run.sh: no perfdashd in $bin (build it, or give --bin DIR or PERFDASH_BIN_DIR)" >&2
    exit 2
fi
command -v python3 >/dev/null || { echo "run.sh: python3 is missing (tools/dev/install-deps.sh installs it)" >&2; exit 2; }

# A bound on the whole run on top of each scenario's own bounds: the driver kills what it started on SIGTERM.
limit=$([ "$short" = 1 ] && echo 600 || echo 7200)
exec timeout -k 15 "$limit" python3 "$here/faults.py" --bin "$bin" ${args[@]+"${args[@]}"}
