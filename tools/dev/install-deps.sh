#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what perfdash needs to build, run and test on Debian 12 / Ubuntu 22.04+. Idempotent and quiet when
# everything is there already. Uses sudo when not root.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev libqt6sql6-sqlite libqt6opengl6-dev libgl-dev libxkbcommon-dev
    qt6-qpa-plugins libsqlite3-dev sqlite3 zlib1g-dev
    netcat-openbsd python3 python3-statsd python3-venv
    nodejs npm
    clang libclang-rt-14-dev clang-format clang-tidy
    xvfb xauth prometheus victoria-metrics
    dbus-daemon
    locales
    faketime
)

missing=()
for p in "${packages[@]}"; do
    # A node and npm already on PATH (perhaps newer than Debian's) will do.
    if { [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; } || { [ "$p" = npm ] && command -v npm >/dev/null 2>&1; }; then
        continue
    fi
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: these packages are missing and I am not root (and there is no sudo): ${missing[*]}" >&2
        exit 1
    fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
