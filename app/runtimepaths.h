// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCommandLineOption>
#include <QString>

class QCommandLineParser;

namespace perfdash {

// XDG defaults shared by perfdash and perfdashd, so both find each other without options.
struct RuntimePaths {
    static QString defaultRuntimeDir(); // $XDG_RUNTIME_DIR/perfdash
    static QString defaultDatabase(); // $XDG_DATA_HOME/perfdash/perfdash.db
    static QString liveSocket(const QString &runtimeDir);
    // --runtime-dir DIR, as perfdashd and its subcommands take it.
    static QCommandLineOption runtimeDirOption(const QString &description);
    // Its value made absolute against the current folder, once, when the command line is read: socket names that
    // are not absolute mean something else to QLocalSocket (a relative one failed with "Invalid name").
    static QString runtimeDir(const QCommandLineParser &parser, const QCommandLineOption &option);
};

} // namespace perfdash
