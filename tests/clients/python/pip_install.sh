#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `pip install clients/python` into a fresh venv, with pip's default build isolation and no package index at all:
# the in-tree build backend must need nothing but the standard library. Usage: pip_install.sh PYTHON SOURCE_DIR
set -eu
python=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$work/venv/bin/python" -m pip install --quiet "$source"
cd "$work"
PERFDASH_ENABLED=0 "$work/venv/bin/python" - <<'PY'
import perfdash, importlib.metadata as md
assert md.version("perfdash-client") == perfdash.__version__, md.version("perfdash-client")
assert perfdash.__file__.startswith(__import__("sys").prefix), perfdash.__file__  # the installed copy
with perfdash.Run("check") as run:
    pass
assert run.record.execution_time_formatted.endswith(" seconds")
print("installed", perfdash.__version__, "from", perfdash.__file__)
PY
