// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace perfdash {

// Opening perfdash.db: WAL, synchronous=NORMAL, schema migrations keyed on PRAGMA user_version, and a quick_check
// that moves a corrupt file aside instead of crash-looping. Callers own the named connection and its thread.
// Corrupt means SQLite said so: SQLITE_CORRUPT, SQLITE_NOTADB or a failed quick_check. A file that cannot be checked
// (busy or locked by another program, I/O or permission errors) is an error, and is never moved.
class Database {
public:
    struct OpenResult {
        bool ok = false;
        QString error; // why it could not be opened
        QString notice; // something the user should hear about, e.g. a corrupt file moved aside
    };

    static constexpr int latestSchemaVersion = 10;

    // busyTimeoutMs: how long to wait for another connection's lock before giving up.
    static OpenResult openWritable(const QString &connectionName, const QString &path, int busyTimeoutMs = 5000);
    static OpenResult openReadOnly(const QString &connectionName, const QString &path);
    static int schemaVersion(const QSqlDatabase &db);
    static void close(const QString &connectionName);
};

} // namespace perfdash
