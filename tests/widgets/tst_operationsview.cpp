// SPDX-License-Identifier: GPL-3.0-or-later
// The Operations tab fed by a fake RangeSource: it asks for the view range when shown, shows the rows, drops an older
// request's answer, narrows with its filter, and its session statistics follow the rows shown. In the main window it
// is a tab that asks for the window's view range.
#include "fakerangesource.h"
#include "models/operationfiltermodel.h"
#include "models/operationlistmodel.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/mainwindow.h"
#include "widgets/operationsview.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kT0 = 1795464000; // 2026-11-23T20:00:00Z

using test::FakeRangeSource;

OperationRecord op(qint64 id, const QString &name, qint64 items, double elapsed, bool success = true,
    const QString &category = {}, const QString &error = {})
{
    OperationRecord r;
    r.id = id;
    r.timeMs = (kT0 + id) * 1000;
    r.name = name;
    r.opCode = u"importer"_s;
    r.items = items;
    r.elapsedS = elapsed;
    r.itemsPerS = elapsed > 0 ? double(items) / elapsed : std::numeric_limits<double>::quiet_NaN();
    r.memoryMb = 100 + double(id);
    r.success = success;
    r.errorCategory = category;
    r.error = error;
    return r;
}

QVector<OperationRecord> sample()
{
    return { op(3, u"import"_s, 400, 1.0, false, u"network"_s, u"timeout"_s), op(2, u"export"_s, 100, 0.5),
        op(1, u"import"_s, 1000, 2.5) };
}

// Shows the view over [from, to): it asks the source then.
bool showOver(OperationsView &view, FakeRangeSource &source, qint64 from, qint64 to)
{
    view.setRangeSource(&source);
    view.setRange(from, to);
    view.resize(1024, 500);
    view.show();
    return QTest::qWaitForWindowExposed(&view);
}

} // namespace

class TestOperationsView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }
    void init() { QSettings().clear(); }

    void showsFiltersAndCountsTheRowsShown()
    {
        FakeRangeSource source;
        OperationsView view;
        QAbstractItemModelTester tester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setRangeSource(&source);
        view.setRange(kT0, kT0 + 3600);
        QVERIFY(source.operations.isEmpty()); // hidden: asks when shown
        view.resize(1024, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(source.operations.size(), 1);
        const auto request = source.operations.constLast();
        QCOMPARE(request.from, kT0);
        QCOMPARE(request.to, kT0 + 3600);
        QVERIFY(view.noteLabel()->text().contains(u"Loading"_s));

        // The answer fills the table, newest first; an older request's answer would have been dropped.
        Q_EMIT source.operationsReady(request.generation - 1, { op(99, u"stale"_s, 1, 1) });
        QCOMPARE(view.table()->model()->rowCount(), 0);
        Q_EMIT source.operationsReady(request.generation, sample());
        QCOMPARE(view.table()->model()->rowCount(), 3);
        QCOMPARE(view.table()->model()->index(0, OperationListModel::NameColumn).data().toString(), u"import"_s);
        QCOMPARE(view.table()->model()->index(0, OperationListModel::SuccessColumn).data().toString(), u"failed"_s);
        QVERIFY(view.noteLabel()->text().contains(u"3 operations"_s));
        // Seed 003's statistics over all three: 1,500 items in 4 s.
        QCOMPARE(view.statsLabel()->text(),
            u"Shown: 3 operations · 1,500 items · total time 4.00 s · average rate 375.00 items/s · 1 errors (33.3 %)"_s);

        // The filter narrows; the statistics follow.
        QTest::keyClicks(view.filterEdit(), u"export"_s);
        QCOMPARE(view.table()->model()->rowCount(), 1);
        QCOMPARE(view.statsLabel()->text(),
            u"Shown: 1 operations · 100 items · total time 0.50 s · average rate 200.00 items/s · 0 errors (0.0 %)"_s);
        view.filterEdit()->clear();
        QTest::mouseClick(view.failuresOnlyBox(), Qt::LeftButton, {}, QPoint(4, view.failuresOnlyBox()->height() / 2));
        QVERIFY(view.failuresOnlyBox()->isChecked());
        QCOMPARE(view.table()->model()->rowCount(), 1);
        QCOMPARE(view.proxy()->shownStats().errors, qint64(1));
        QVERIFY(view.statsLabel()->text().startsWith(u"Shown: 1 operations · 400 items"_s));
        view.failuresOnlyBox()->setChecked(false);

        // Sorting by a column header sorts numbers as numbers.
        view.table()->sortByColumn(OperationListModel::ItemsColumn, Qt::AscendingOrder);
        QCOMPARE(view.table()->model()->index(2, OperationListModel::ItemsColumn).data().toString(), u"1,000"_s);

        // A new range while shown asks at once; a failure says so.
        view.setRange(kT0 - 86400, kT0 + 3600);
        QCOMPARE(source.operations.size(), 2);
        Q_EMIT source.operationsFailed(source.operations.constLast().generation, u"no database"_s);
        QVERIFY(view.noteLabel()->text().contains(u"no database"_s));
        QCOMPARE(view.table()->model()->rowCount(), 0);
        QVERIFY(view.statsLabel()->text().startsWith(u"Shown: 0 operations"_s));
    }

    void saysWhenTheLimitCutRows()
    {
        FakeRangeSource source;
        OperationsView view;
        QVERIFY(showOver(view, source, kT0, kT0 + 86400));
        QVector<OperationRecord> many;
        for (int i = RangeSource::kOperationLimit; i > 0; --i)
            many.push_back(op(i, u"op"_s, 1, 0.01));
        Q_EMIT source.operationsReady(source.operations.constLast().generation, many);
        QCOMPARE(view.model()->rowCount(), RangeSource::kOperationLimit);
        QVERIFY2(view.noteLabel()->text().contains(u"newest 5,000"_s), qPrintable(view.noteLabel()->text()));
        // A hidden view does not ask; it asks when shown again.
        view.hide();
        view.setRange(kT0, kT0 + 7200);
        QCOMPARE(source.operations.size(), 1);
        view.show();
        QCOMPARE(source.operations.size(), 2);
        QCOMPARE(source.operations.constLast().to, kT0 + 7200);
    }

    void statisticsRoundAsTheSdksPrint()
    {
        // 1 failure in 16 is 6.25 %: the SDKs print "6.2%" (ties to even), so the tab must not say 6.3.
        FakeRangeSource source;
        OperationsView view;
        QVERIFY(showOver(view, source, kT0, kT0 + 3600));
        QVector<OperationRecord> ops;
        for (int i = 16; i > 0; --i)
            ops.push_back(op(i, u"op"_s, 1, 0.125, i != 3, u"io"_s, u"disk full"_s));
        Q_EMIT source.operationsReady(source.operations.constLast().generation, ops);
        QCOMPARE(view.statsLabel()->text(),
            u"Shown: 16 operations · 16 items · total time 2.00 s · average rate 8.00 items/s · 1 errors (6.2 %)"_s);
    }

    void aTabOfTheMainWindowThatAsksForItsViewRange()
    {
        SeriesStore store(3600);
        SeriesListModel series(&store);
        SourceTreeModel sources(&store);
        MainWindow window(&store, &series, &sources);
        window.setClock([]() { return kT0; });
        FakeRangeSource source;
        window.setRangeSource(&source);
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        OperationsView *view = window.operationsView();
        QVERIFY(view);
        const int tab = window.pages()->indexOf(view);
        QVERIFY(tab >= 0);
        QCOMPARE(window.pages()->tabText(tab), u"&Operations"_s);
        QVERIFY(source.operations.isEmpty()); // not shown yet
        window.pages()->setCurrentIndex(tab);
        QCOMPARE(source.operations.size(), 1);
        const auto request = source.operations.constLast();
        QVERIFY(request.to > request.from);
        QVERIFY(request.from <= kT0 && request.to >= kT0);
    }
};

QTEST_MAIN(TestOperationsView)
#include "tst_operationsview.moc"
