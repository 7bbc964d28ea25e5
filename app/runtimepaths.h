// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace perfdash {

// XDG defaults shared by perfdash and perfdashd, so both find each other without options.
struct RuntimePaths {
    static QString defaultRuntimeDir(); // $XDG_RUNTIME_DIR/perfdash
    static QString defaultDatabase(); // $XDG_DATA_HOME/perfdash/perfdash.db
    static QString liveSocket(const QString &runtimeDir);
};

} // namespace perfdash
