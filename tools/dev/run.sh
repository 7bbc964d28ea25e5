#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's run command: install, build, start the collector and the demo feed, open the dashboard.
# Extra arguments go to perfdash (for example --theme dark).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/dev/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target perfdash perfdashd perfdash-loadgen

bin=build/release/bin
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]; then
    exec "$bin/perfdash" --demo "$@"
fi

shot="$PWD/perfdash-screenshot.png"
echo "run: there is no display here (DISPLAY and WAYLAND_DISPLAY are unset), so no window can open."
echo "run: running the dashboard offscreen with the demo feed for 8 seconds and saving a picture instead."
QT_QPA_PLATFORM=offscreen "$bin/perfdash" --demo --screenshot "$shot" --after 8 "$@"
echo "run: open $shot to see the dashboard; on a desktop, this command opens the live window."
