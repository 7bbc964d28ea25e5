#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's run command: install, build, start the collector and the demo feed, open the dashboard.
# Extra arguments go to perfdash (for example --theme dark).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/dev/install-deps.sh
# The dev tree the test command builds: after it, there is little or nothing left to build here.
cmake --preset dev >/dev/null
if [ ! -x build/dev/bin/perfdash ]; then
    echo "run: building perfdash (the first time takes a few minutes; after the test command it is already built)…"
else
    echo "run: building perfdash (only what changed)…"
fi
cmake --build --preset dev --target perfdash perfdashd perfdash-loadgen
echo "run: starting the dashboard with its collector and the demo feed (Ctrl+C or closing the window stops all three)"

bin=build/dev/bin
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]; then
    exec "$bin/perfdash" --demo "$@"
fi

shot="$PWD/perfdash-screenshot.png"
echo "run: there is no display here (DISPLAY and WAYLAND_DISPLAY are unset), so no window can open."
echo "run: running the dashboard offscreen with the demo feed for 8 seconds and saving a picture instead."
QT_QPA_PLATFORM=offscreen "$bin/perfdash" --demo --screenshot "$shot" --after 8 "$@"
echo "run: open $shot to see the dashboard; on a desktop, this command opens the live window."
