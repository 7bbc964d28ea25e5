// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: the processes a process started (from /proc), whether a pid still runs, and rows a collector stored.

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUuid>

#include <csignal>

namespace perfdash::test {

// /proc/PID/stat's command (at most 15 bytes: "perfdash-loadge") and parent pid; empty when it is gone.
inline QString commandOf(qint64 pid, qint64 *parent = nullptr)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray stat = file.readAll();
    const qsizetype open = stat.indexOf('('), close = stat.lastIndexOf(')');
    if (open < 0 || close < open)
        return {};
    const QList<QByteArray> rest = stat.mid(close + 2).split(' '); // state, ppid, ...
    if (rest.size() < 2 || rest[0] == "Z")
        return {}; // a zombie has ended; only its parent's wait is missing
    if (parent)
        *parent = rest[1].toLongLong();
    return QString::fromUtf8(stat.mid(open + 1, close - open - 1));
}

inline bool running(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0 && !commandOf(pid).isEmpty();
}

// The children of parent whose command starts with prefix.
inline QVector<qint64> childrenOf(qint64 parent, const QString &prefix)
{
    QVector<qint64> out;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        qint64 ppid = 0;
        if (ok && commandOf(pid, &ppid).startsWith(prefix) && ppid == parent)
            out.push_back(pid);
    }
    return out;
}

// SELECT COUNT(*) FROM table, or -1 when the file cannot be read yet.
inline qint64 rowCount(const QString &dbPath, const QString &table)
{
    const QString name = QStringLiteral("rows-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    qint64 rows = -1;
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table) && q.next())
                rows = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

} // namespace perfdash::test
