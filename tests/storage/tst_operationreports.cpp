// SPDX-License-Identifier: GPL-3.0-or-later
// Seed 003's named reports on a real SQLite file: the figures, the window edges, the module (op_code) of each row and
// its filter, and the indexes that serve them.
#include "storage/database.h"
#include "storage/operationreports.h"

#include <QSqlError>
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
        QVERIFY2(OperationReports::slowest(db, { t0, t0 + 2 * day, {} }, 10, &rows, &error), qPrintable(error));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].name, u"import"_s);
        QCOMPARE(rows[0].opCode, u"IMP"_s);
        QCOMPARE(rows[0].meanSeconds, 4.0); // (2 + 4 + 6) / 3
        QCOMPARE(rows[0].operations, 3);
        QCOMPARE(rows[1].meanSeconds, 1.0);
        QCOMPARE(rows[1].opCode, u"PRS"_s);
        QVERIFY(OperationReports::slowest(db, { t0, t0 + 2 * day, {} }, 1, &rows, &error));
        QCOMPARE(rows.size(), 1);
        QVERIFY(OperationReports::slowest(db, { t0, t0 + 2 * day, u"PRS"_s }, 10, &rows, &error));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].name, u"parse"_s);
        QCOMPARE(rows[0].operations, 100);
    }

    void memoryTrendPerDayAndModule()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QVector<OperationReports::MemoryDay> rows;
        QString error;
        QVERIFY(OperationReports::memoryTrend(db, { t0, t0 + 2 * day, {} }, &rows, &error));
        QCOMPARE(rows.size(), 3); // day 0: IMP, PRS; day 1: IMP
        const QString day0 = QDateTime::fromSecsSinceEpoch(t0, Qt::UTC).date().toString(Qt::ISODate);
        QCOMPARE(rows[0].day, day0);
        QCOMPARE(rows[0].opCode, u"IMP"_s);
        QCOMPARE(rows[0].peakMb, 300.0);
        QCOMPARE(rows[0].meanMb, 200.0);
        QCOMPARE(rows[0].operations, 2);
        QCOMPARE(rows[1].day, day0);
        QCOMPARE(rows[1].opCode, u"PRS"_s);
        QCOMPARE(rows[1].operations, 100);
        QCOMPARE(rows[2].opCode, u"IMP"_s);
        QCOMPARE(rows[2].peakMb, 200.0);
        QVERIFY(OperationReports::memoryTrend(db, { t0, t0 + 2 * day, u"IMP"_s }, &rows, &error));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].operations, 2);
        QCOMPARE(rows[1].peakMb, 200.0);
    }

    void errorRateByOperation()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QVector<OperationReports::ErrorRate> rows;
        QString error;
        QVERIFY(OperationReports::errorsByOperation(db, { t0, t0 + 2 * day, {} }, 1.0, &rows, &error));
        // import: 1 of 3 failed (33.3 %); parse: 1 of 100 (1 %, not above 1 %).
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].name, u"import"_s);
        QCOMPARE(rows[0].opCode, u"IMP"_s);
        QCOMPARE(rows[0].failures, 1);
        QVERIFY(std::abs(rows[0].percent - 100.0 / 3) < 1e-9);
        QVERIFY(OperationReports::errorsByOperation(db, { t0, t0 + 2 * day, {} }, 0.5, &rows, &error));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[1].name, u"parse"_s);
    }

    // One operation name in two modules: two rows, and --module keeps one.
    void modulesAreToldApart()
    {
        add(t0 + 200, u"BATCH"_s, u"import"_s, 30, 700, false);
        add(t0 + 210, u"BATCH"_s, u"import"_s, 50, 800, true);
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        QString error;
        QVector<OperationReports::ErrorRate> errors;
        QVERIFY(OperationReports::errorsByOperation(db, { t0, t0 + 2 * day, {} }, 1.0, &errors, &error));
        QCOMPARE(errors.size(), 2);
        QCOMPARE(errors[0].opCode, u"BATCH"_s); // 50 %
        QCOMPARE(errors[1].opCode, u"IMP"_s); // 33 %
        QVERIFY(OperationReports::errorsByOperation(db, { t0, t0 + 2 * day, u"IMP"_s }, 1.0, &errors, &error));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0].failures, 1);
        QVector<OperationReports::Slowest> slow;
        QVERIFY(OperationReports::slowest(db, { t0, t0 + 2 * day, {} }, 10, &slow, &error));
        QCOMPARE(slow.size(), 3);
        QCOMPARE(slow[0].opCode, u"BATCH"_s);
        QCOMPARE(slow[0].meanSeconds, 40.0);
        QVERIFY(OperationReports::slowest(db, { t0, t0 + 2 * day, u"nobody"_s }, 10, &slow, &error));
        QVERIFY(slow.isEmpty());
    }

    // --tag: only operations sent with every tag given, matched whole ("model:m1" is not "model:m10").
    void tagsFilterOperations()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        const auto tag = [&](const QString &name, const QString &tags) {
            QSqlQuery q(db);
            QVERIFY(q.exec(u"UPDATE operations SET tags = '%1' WHERE operation_name = '%2'"_s.arg(tags, name)));
        };
        add(t0 + 300, u"IMP"_s, u"tagged-a"_s, 5, 100, true);
        add(t0 + 301, u"IMP"_s, u"tagged-b"_s, 6, 100, true);
        add(t0 + 302, u"IMP"_s, u"tagged-c"_s, 7, 100, true);
        tag(u"tagged-a"_s, u"model:m1,service:pay"_s);
        tag(u"tagged-b"_s, u"model:m10,service:pay"_s);
        tag(u"tagged-c"_s, u"model:m1"_s);
        QString error;
        QVector<OperationReports::Slowest> slow;
        const auto names = [&] {
            QStringList out;
            for (const auto &row : slow)
                out << row.name;
            out.sort();
            return out;
        };
        QVERIFY(OperationReports::slowest(db, { t0, t0 + 2 * day, {}, { u"model:m1"_s } }, 10, &slow, &error));
        QCOMPARE(names(), (QStringList { u"tagged-a"_s, u"tagged-c"_s }));
        QVERIFY(OperationReports::slowest(
            db, { t0, t0 + 2 * day, {}, { u"service:pay"_s, u"model:m1"_s } }, 10, &slow, &error));
        QCOMPARE(names(), (QStringList { u"tagged-a"_s }));
        QVERIFY(OperationReports::slowest(db, { t0, t0 + 2 * day, u"IMP"_s, { u"model"_s } }, 10, &slow, &error));
        QVERIFY(slow.isEmpty()); // a bare key matches only a tag that is the bare key
    }

    void theIndexesServeThem()
    {
        QSqlDatabase db = QSqlDatabase::database(u"reports"_s);
        // A table of some size, or the planner rightly prefers whatever reads 104 rows: 5 names in 3 modules.
        QVERIFY(db.transaction());
        for (int i = 0; i < 3000; ++i)
            add(t0 + 4 * day + i, u"M%1"_s.arg(i % 3), u"n%1"_s.arg(i % 5), 1, 10, true);
        QVERIFY(db.commit());
        QSqlQuery(db).exec(u"ANALYZE"_s);
        const QString memory = plan(db,
            u"SELECT date(time, 'unixepoch'), op_code, AVG(memory_mb), MAX(memory_mb)"
            " FROM operations WHERE time >= 0 AND time < 9999999999"
            " AND memory_mb IS NOT NULL GROUP BY 1, 2"_s);
        QVERIFY2(memory.contains(u"COVERING INDEX operations_time_memory"_s), qPrintable(memory));
        const QString errors = plan(db,
            u"SELECT op_code, operation_name, COUNT(*), SUM(success = 0) FROM operations"
            " WHERE time >= 0 AND time < 9999999999 GROUP BY operation_name, op_code"_s);
        QVERIFY2(errors.contains(u"COVERING INDEX operations_name_module_time_success"_s), qPrintable(errors));
        QVERIFY2(!errors.contains(u"TEMP B-TREE"_s), qPrintable(errors)); // grouped without a sort
        // --module: each report seeks one module's window, (op_code, time), rather than reading every module's.
        for (const QString &query : { u"SELECT op_code, operation_name, AVG(elapsed_s) FROM operations WHERE %1"
                                      " GROUP BY op_code, operation_name"_s,
                 u"SELECT date(time, 'unixepoch'), op_code, MAX(memory_mb) FROM operations WHERE %1"
                 " AND memory_mb IS NOT NULL GROUP BY 1, 2"_s,
                 u"SELECT op_code, operation_name, SUM(success = 0) FROM operations WHERE %1"
                 " GROUP BY operation_name, op_code"_s }) {
            const QString module = plan(db, query.arg(u"op_code = 'M1' AND time >= 0 AND time < 9999999999"_s));
            QVERIFY2(module.contains(u"op_code=? AND time>? AND time<?)"_s), qPrintable(module));
        }
    }

private:
    // One operation of module `code`; every operation has 100 items.
    void add(qint64 time, const QString &code, const QString &name, double elapsed, double memory, bool success)
    {
        QSqlQuery q(QSqlDatabase::database(u"reports"_s));
        QVERIFY(q.prepare(u"INSERT INTO operations(guid, time, op_code, operation_name, elapsed_s, items_per_s,"
                          " memory_mb, success) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s));
        for (const QVariant &v : { QVariant(u"g%1"_s.arg(++m_rows)), QVariant(time), QVariant(code), QVariant(name),
                 QVariant(elapsed), QVariant(100 / elapsed), QVariant(memory), QVariant(success ? 1 : 0) })
            q.addBindValue(v);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }

    QTemporaryDir m_dir;
    int m_rows = 0;
    int m_files = 0; // a fresh file per test
};

QTEST_GUILESS_MAIN(TstOperationReports)
#include "tst_operationreports.moc"
