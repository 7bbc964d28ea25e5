// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/runtimepaths.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

QString RuntimePaths::defaultRuntimeDir()
{
    // Without XDG_RUNTIME_DIR, Qt would warn and pick a shared fallback; a per-user folder in /tmp is quieter.
    if (!qEnvironmentVariableIsSet("XDG_RUNTIME_DIR"))
        return QDir(QDir::tempPath()).filePath(u"perfdash-%1"_s.arg(::getuid()));
    return QDir(QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation)).filePath(u"perfdash"_s);
}

QString RuntimePaths::defaultDatabase()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(u"perfdash/perfdash.db"_s);
}

QCommandLineOption RuntimePaths::runtimeDirOption(const QString &description)
{
    return QCommandLineOption(u"runtime-dir"_s, description, u"DIR"_s, defaultRuntimeDir());
}

QString RuntimePaths::runtimeDir(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    return QFileInfo(parser.value(option)).absoluteFilePath();
}

QString RuntimePaths::liveSocket(const QString &runtimeDir)
{
    return QDir(runtimeDir).filePath(u"live.sock"_s);
}

} // namespace perfdash
