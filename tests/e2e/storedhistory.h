// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: reads what a collector stored, through the same queries the GUI and the exporter use.

#include "storage/database.h"
#include "storage/historyquery.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace perfdash::test {

// Sum of the 1 s counts of one series over [from, to), or -1 if it cannot be read.
inline qint64 storedCount(
    const QString &dbPath, const QString &key, qint64 from = 0, qint64 to = std::numeric_limits<qint32>::max())
{
    const QString name = QStringLiteral("stored-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    qint64 total = -1;
    if (Database::openReadOnly(name, dbPath).ok) {
        HistoryQuery query(name);
        QVector<SeriesInfo> series;
        if (query.seriesList(&series, nullptr)) {
            total = 0;
            for (const SeriesInfo &info : series) {
                SeriesWindow window;
                if (info.key == key && query.window(info, from, to, 1, &window, nullptr)) {
                    for (const WindowPoint &p : window.points)
                        total += p.point.count;
                }
            }
        }
    }
    Database::close(name);
    return total;
}

// PRAGMA integrity_check's first line ("ok" when the file is sound).
inline QString integrityCheck(const QString &dbPath)
{
    const QString name = QStringLiteral("integrity-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString result;
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next())
                result = q.value(0).toString();
        } else {
            result = QStringLiteral("cannot open: ") + db.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

} // namespace perfdash::test
