// SPDX-License-Identifier: GPL-3.0-or-later
// Seed 003's named reports on a real SQLite file: the figures, the window edges, and the indexes that serve them.
#include "storage/database.h"
#include "storage/operationreports.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 day = 86400;
constexpr qint64 t0 = 1'796'000'000 / day * day; // a UTC midnight

QString plan(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    q.exec(u"EXPLAIN QUERY PLAN "_s % sql);
    QStringList lines;
    while (q.next())
        lines << q.value(3).toString();
    return lines.join(u" | "_s);
}

} // namespace

class TstOperationReports : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(Database::openWritable(u"reports"_s, m_dir.filePath(u"p%1.db"_s.arg(++m_files))).ok);
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QSqlQuery q(db);
        QVERIFY(q.prepare(u"INSERT INTO operations(guid, time, op_code, operation_name, elapsed_s, items_per_s,"
                          " memory_mb, success) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s));
        int n = 0;
        const auto add = [&](qint64 time, const QString &code, const QString &name, double elapsed, double memory,
                             bool success) {
            q.addBindValue(u"g%1"_s.arg(++n));
            q.addBindValue(time);
            q.addBindValue(code);
            q.addBindValue(name);
            q.addBindValue(elapsed);
            q.addBindValue(100 / elapsed);
            q.addBindValue(memory);
            q.addBindValue(success ? 1 : 0);
            QVERIFY(q.exec());
        };
        // Day 0: import 2 s and 4 s (one failed of two), parse 1 s x 100 (one failed); day 1: import 6 s.
        add(t0 + 10, u"IMP"_s, u"import"_s, 2, 100, true);
        add(t0 + 20, u"IMP"_s, u"import"_s, 4, 300, false);
        for (int i = 0; i < 100; ++i)
            add(t0 + 30 + i, u"PRS"_s, u"parse"_s, 1, 50, i != 0);
        add(t0 + day + 5, u"IMP"_s, u"import"_s, 6, 200, true);
        add(t0 + 3 * day, u"IMP"_s, u"import"_s, 60, 900, false); // outside the windows below
    }
    void cleanup() { Database::close(u"reports"_s); }

    void slowestOperations()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QVector<OperationReports::Slowest> rows;
        QString error;
        QVERIFY2(OperationReports::slowest(db, t0, t0 + 2 * day, 10, &rows, &error), qPrintable(error));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].name, u"import"_s);
        QCOMPARE(rows[0].opCode, u"IMP"_s);
        QCOMPARE(rows[0].meanSeconds, 4.0); // (2 + 4 + 6) / 3
        QCOMPARE(rows[0].operations, 3);
        QCOMPARE(rows[1].meanSeconds, 1.0);
        QVERIFY(OperationReports::slowest(db, t0, t0 + 2 * day, 1, &rows, &error));
        QCOMPARE(rows.size(), 1);
    }

    void memoryTrendPerDay()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QVector<OperationReports::MemoryDay> rows;
        QString error;
        QVERIFY(OperationReports::memoryTrend(db, t0, t0 + 2 * day, &rows, &error));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].day, QDateTime::fromSecsSinceEpoch(t0, Qt::UTC).date().toString(Qt::ISODate));
        QCOMPARE(rows[0].peakMb, 300.0);
        QCOMPARE(rows[0].operations, 102);
        QCOMPARE(rows[0].meanMb, (100.0 + 300.0 + 100 * 50.0) / 102);
        QCOMPARE(rows[1].peakMb, 200.0);
    }

    void errorRateByOperation()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QVector<OperationReports::ErrorRate> rows;
        QString error;
        QVERIFY(OperationReports::errorsByOperation(db, t0, t0 + 2 * day, 1.0, &rows, &error));
        // import: 1 of 3 failed (33.3 %); parse: 1 of 100 (1 %, not above 1 %).
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].name, u"import"_s);
        QCOMPARE(rows[0].failures, 1);
        QVERIFY(std::abs(rows[0].percent - 100.0 / 3) < 1e-9);
        QVERIFY(OperationReports::errorsByOperation(db, t0, t0 + 2 * day, 0.5, &rows, &error));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[1].name, u"parse"_s);
    }

    void theIndexesServeThem()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QSqlQuery(db).exec(u"ANALYZE"_s);
        QVERIFY2(plan(db, u"SELECT date(time, 'unixepoch'), AVG(memory_mb), MAX(memory_mb) FROM operations"
                          " WHERE time >= 0 AND time < 9999999999 AND memory_mb IS NOT NULL GROUP BY 1"_s)
                     .contains(u"COVERING INDEX operations_time_memory"_s),
            qPrintable(plan(db, u"SELECT AVG(memory_mb) FROM operations WHERE time >= 0"_s)));
        const QString errors = plan(db, u"SELECT operation_name, COUNT(*), SUM(success = 0) FROM operations"
                                        " WHERE time >= 0 AND time < 9999999999 GROUP BY operation_name"_s);
        QVERIFY2(errors.contains(u"operations_name_time_success"_s), qPrintable(errors));
        QVERIFY2(!errors.contains(u"TEMP B-TREE"_s), qPrintable(errors)); // grouped without a sort
    }

private:
    QTemporaryDir m_dir;
    int m_files = 0; // a fresh file per test
};

QTEST_GUILESS_MAIN(TstOperationReports)
#include "tst_operationreports.moc"
