// SPDX-License-Identifier: GPL-3.0-or-later
// The Runs view's table: newest first, its columns and roles, under QAbstractItemModelTester.
#include "models/runlistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kT0 = 1795464000;

RunRecord run(double start, double seconds, bool success, int steps)
{
    RunRecord r;
    r.workflow = u"inference"_s;
    r.start = start;
    r.end = start + seconds;
    r.executionS = seconds;
    r.success = success;
    for (int i = 0; i < steps; ++i)
        r.steps.push_back({ u"step%1"_s.arg(i), start + i * 0.01, 0.01 });
    return r;
}

} // namespace

class TestRunListModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rowsNewestFirstWithTheirColumns()
    {
        RunListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(RunListModel::ColumnCount));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setRuns({ run(kT0 + 1, 0.25, true, 5), run(kT0 + 9, 2.5, false, 3), run(kT0 + 5, 150, true, 0) });
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.run(0).start, double(kT0 + 9));
        QCOMPARE(model.run(2).start, double(kT0 + 1));

        const auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(0, RunListModel::DurationColumn), u"2.50 s"_s);
        QCOMPARE(text(2, RunListModel::DurationColumn), u"250.0 ms"_s);
        QCOMPARE(text(1, RunListModel::DurationColumn), u"2 min 30 s"_s);
        QCOMPARE(text(0, RunListModel::StatusColumn), u"failed"_s);
        QCOMPARE(text(2, RunListModel::StatusColumn), u"ok"_s);
        QCOMPARE(model.index(2, RunListModel::StepsColumn).data().toInt(), 5);
        QVERIFY(!text(0, RunListModel::ErrorColumn).isEmpty());
        QVERIFY(text(2, RunListModel::ErrorColumn).isEmpty());
        QCOMPARE(text(0, RunListModel::WorkflowColumn), u"inference"_s);
        QVERIFY(!text(0, RunListModel::StartColumn).isEmpty());
        QCOMPARE(model.index(0, 0).data(RunListModel::StartRole).toDouble(), double(kT0 + 9));
        QCOMPARE(model.index(0, 0).data(RunListModel::DurationRole).toDouble(), 2.5);
        QCOMPARE(model.index(0, 0).data(RunListModel::SuccessRole).toBool(), false);
        QCOMPARE(model.headerData(RunListModel::ErrorColumn, Qt::Horizontal).toString(), u"Error"_s);
        // A failed run's own error text, with its category when it has one.
        RunRecord failed = run(kT0 + 20, 1, false, 1);
        failed.error = u"fit: out of memory"_s;
        failed.errorCategory = u"memory"_s;
        RunRecord bare = run(kT0 + 21, 1, false, 1);
        bare.error = u"timeout"_s;
        model.setRuns({ failed, bare });
        QCOMPARE(text(0, RunListModel::ErrorColumn), u"timeout"_s);
        QCOMPARE(text(1, RunListModel::ErrorColumn), u"memory: fit: out of memory"_s);

        model.setRuns({});
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRunListModel)
#include "tst_runlistmodel.moc"
