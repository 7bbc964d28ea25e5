// SPDX-License-Identifier: GPL-3.0-or-later
// The operations table (seed 003): its roles under QAbstractItemModelTester, numeric sorting through its proxy, the
// filter, and the session statistics, against hand-computed values and against the C++ SDK's own ModuleMetrics fed the
// same operations.
#include "models/operationfiltermodel.h"
#include "models/operationlistmodel.h"
#include "models/operationstats.h"

#include "perfdash/modulemetrics.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kT0 = 1795464000; // 2026-11-23T20:00:00Z

OperationRecord op(qint64 id, const QString &name, const QString &module, std::optional<qint64> items, double elapsed,
    double rate, double memory, bool success = true, const QString &category = {}, const QString &error = {})
{
    OperationRecord r;
    r.id = id;
    r.timeMs = (kT0 + id) * 1000;
    r.name = name;
    r.opCode = module;
    r.items = items;
    r.elapsedS = elapsed;
    r.itemsPerS = rate;
    r.memoryMb = memory;
    r.success = success;
    r.errorCategory = category;
    r.error = error;
    return r;
}

const double kNan = std::numeric_limits<double>::quiet_NaN();

// Newest first, as storage answers.
QVector<OperationRecord> sample()
{
    return { op(4, u"predict"_s, u"inference"_s, 25, 0.25, 100, 90, false, u"validation"_s, u"bad input"_s),
        op(3, u"export"_s, u"exporter"_s, std::nullopt, 1.5, kNan, kNan),
        op(2, u"import"_s, u"importer"_s, 300, 0.5, 600, 130, false, u"network"_s,
            u"timeout after 3 retries\nat fetch() line 12"_s),
        op(1, u"import"_s, u"importer"_s, 1000, 2.0, 500, 120.5) };
}

// The SDK's clock, moved by hand.
double steadyNow = 100;
double steady()
{
    return steadyNow;
}

client::SessionStats sdkStats(const QVector<OperationRecord> &records)
{
    client::ModuleMetrics::Options options;
    options.enabled = false; // statistics only, nothing sent
    options.measureMemory = false;
    options.clock.monotonicSeconds = &steady;
    options.clock.wallSeconds = &steady;
    client::ModuleMetrics metrics("module", options);
    for (const OperationRecord &r : records) {
        auto operation = metrics.operation(r.name.toStdString());
        if (r.items)
            operation.setItems(quint64(*r.items));
        if (!r.success)
            operation.fail(r.error.toStdString(), r.errorCategory.toStdString());
        steadyNow += r.elapsedS;
        operation.end();
    }
    return metrics.stats();
}

QStringList column(const QAbstractItemModel &model, int column, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, column).data(role).toString();
    return out;
}

} // namespace

class TestOperationListModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void rolesUnderTheModelTester()
    {
        OperationListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        OperationFilterModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        model.setOperations(sample());
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int(OperationListModel::ColumnCount));
        QCOMPARE(model.headerData(OperationListModel::ModuleColumn, Qt::Horizontal).toString(), u"Module"_s);

        const auto at
            = [&](int row, int column, int role = Qt::DisplayRole) { return model.index(row, column).data(role); };
        // Display: formatted, "–" where a number is absent, the error's first line.
        QCOMPARE(at(3, OperationListModel::ItemsColumn).toString(), u"1,000"_s);
        QCOMPARE(at(3, OperationListModel::ElapsedColumn).toString(), u"2.000 s"_s);
        QCOMPARE(at(3, OperationListModel::RateColumn).toString(), u"500.00"_s);
        QCOMPARE(at(3, OperationListModel::MemoryColumn).toString(), u"120.50 MB"_s);
        QCOMPARE(at(3, OperationListModel::SuccessColumn).toString(), u"ok"_s);
        QCOMPARE(at(2, OperationListModel::SuccessColumn).toString(), u"failed"_s);
        QCOMPARE(at(2, OperationListModel::ModuleColumn).toString(), u"importer"_s);
        QCOMPARE(at(2, OperationListModel::CategoryColumn).toString(), u"network"_s);
        QCOMPARE(at(2, OperationListModel::ErrorColumn).toString(), u"timeout after 3 retries…"_s);
        QCOMPARE(at(1, OperationListModel::ItemsColumn).toString(), u"–"_s);
        QCOMPARE(at(1, OperationListModel::MemoryColumn).toString(), u"–"_s);
        // Sort: raw numbers, an absent one invalid; tooltip: the whole error.
        QCOMPARE(at(3, OperationListModel::ItemsColumn, OperationListModel::SortRole), QVariant(qint64(1000)));
        QCOMPARE(at(3, OperationListModel::MemoryColumn, OperationListModel::SortRole), QVariant(120.5));
        QVERIFY(!at(1, OperationListModel::ItemsColumn, OperationListModel::SortRole).isValid());
        QVERIFY(!at(1, OperationListModel::RateColumn, OperationListModel::SortRole).isValid());
        QCOMPARE(at(2, OperationListModel::ErrorColumn, Qt::ToolTipRole).toString(),
            u"timeout after 3 retries\nat fetch() line 12"_s);
        QVERIFY(!at(3, OperationListModel::ErrorColumn, Qt::ToolTipRole).isValid());

        // The same stored rows again keep the model as it is (a periodic reload); others reset it.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setOperations(sample());
        QCOMPARE(resets.size(), 0);
        model.setOperations(sample().mid(1));
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.rowCount(), 3);
        model.setOperations({});
        QCOMPARE(proxy.rowCount(), 0);
    }

    void proxySortsNumbersAsNumbers_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QStringList>("ascending");
        // As text "1,000" < "25" and "120.50 MB" < "90.00 MB"; absent values sort last.
        QTest::newRow("items") << int(OperationListModel::ItemsColumn)
                               << QStringList { u"25"_s, u"300"_s, u"1,000"_s, u"–"_s };
        QTest::newRow("memory") << int(OperationListModel::MemoryColumn)
                                << QStringList { u"90.00 MB"_s, u"120.50 MB"_s, u"130.00 MB"_s, u"–"_s };
        QTest::newRow("items/s") << int(OperationListModel::RateColumn)
                                 << QStringList { u"100.00"_s, u"500.00"_s, u"600.00"_s, u"–"_s };
        QTest::newRow("elapsed") << int(OperationListModel::ElapsedColumn)
                                 << QStringList { u"0.250 s"_s, u"0.500 s"_s, u"1.500 s"_s, u"2.000 s"_s };
        QTest::newRow("module, as text") << int(OperationListModel::ModuleColumn)
                                         << QStringList { u"exporter"_s, u"importer"_s, u"importer"_s, u"inference"_s };
    }
    void proxySortsNumbersAsNumbers()
    {
        QFETCH(int, column);
        QFETCH(QStringList, ascending);
        OperationListModel model;
        OperationFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setOperations(sample());
        proxy.sort(column, Qt::AscendingOrder);
        QCOMPARE(::column(proxy, column), ascending);
    }

    void filterKeepsNameModuleCategoryOrError_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("failuresOnly");
        QTest::addColumn<QStringList>("ids");
        QTest::newRow("everything") << QString() << false << QStringList { u"4"_s, u"3"_s, u"2"_s, u"1"_s };
        QTest::newRow("name, any case") << u"IMPORT"_s << false << QStringList { u"2"_s, u"1"_s };
        QTest::newRow("module") << u"export"_s << false << QStringList { u"3"_s };
        QTest::newRow("module only") << u"inference"_s << false << QStringList { u"4"_s };
        QTest::newRow("category") << u"network"_s << false << QStringList { u"2"_s };
        QTest::newRow("error, past its first line") << u"fetch()"_s << false << QStringList { u"2"_s };
        QTest::newRow("failures only") << QString() << true << QStringList { u"4"_s, u"2"_s };
        QTest::newRow("both") << u"import"_s << true << QStringList { u"2"_s };
        QTest::newRow("nothing") << u"no such thing"_s << false << QStringList {};
    }
    void filterKeepsNameModuleCategoryOrError()
    {
        QFETCH(QString, text);
        QFETCH(bool, failuresOnly);
        QFETCH(QStringList, ids);
        OperationListModel model;
        model.setOperations(sample());
        OperationFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setText(text);
        proxy.setFailuresOnly(failuresOnly);
        QStringList shown;
        QVector<OperationRecord> kept;
        for (int row = 0; row < proxy.rowCount(); ++row) {
            const OperationRecord &r = model.operation(proxy.mapToSource(proxy.index(row, 0)).row());
            shown << QString::number(r.id);
            kept << r;
        }
        QCOMPARE(shown, ids);
        // The statistics are those of the rows kept.
        const OperationStats s = proxy.shownStats();
        const OperationStats expected = OperationStats::of(kept);
        QCOMPARE(s.operations, qint64(ids.size()));
        QCOMPARE(s.items, expected.items);
        QCOMPARE(s.errors, expected.errors);
        QCOMPARE(s.totalTime, expected.totalTime);
    }

    void sessionStatisticsByHand()
    {
        const OperationStats s = OperationStats::of(sample());
        QCOMPARE(s.operations, qint64(4));
        QCOMPARE(s.items, qint64(1325)); // the export sent no count: 0
        QCOMPARE(s.totalTime, 4.25);
        QCOMPARE(s.errors, qint64(2));
        QCOMPARE(s.averageRate(), 1325 / 4.25); // Σ items ÷ Σ elapsed, not the mean of the rows' items/s
        QCOMPARE(s.errorRate(), 0.5);
        // Nothing: zeros, as the SDKs print for an empty session.
        const OperationStats none = OperationStats::of({});
        QCOMPARE(none.averageRate(), 0.0);
        QCOMPARE(none.errorRate(), 0.0);
        OperationStats instant;
        instant.add(op(9, u"noop"_s, u"m"_s, 5, 0, kNan, kNan));
        QCOMPARE(instant.averageRate(), 0.0);
    }

    void sessionStatisticsAreTheSdks()
    {
        const QVector<OperationRecord> records = sample();
        const OperationStats ours = OperationStats::of(records);
        const client::SessionStats sdk = sdkStats(records);
        QCOMPARE(ours.operations, qint64(sdk.operations));
        QCOMPARE(ours.items, qint64(sdk.items));
        QCOMPARE(ours.totalTime, sdk.totalTime);
        QCOMPARE(ours.errors, qint64(sdk.errors));
        QCOMPARE(ours.averageRate(), sdk.averageRate());
        QCOMPARE(ours.errorRate(), sdk.errorRate());
    }
};

QTEST_GUILESS_MAIN(TestOperationListModel)
#include "tst_operationlistmodel.moc"
