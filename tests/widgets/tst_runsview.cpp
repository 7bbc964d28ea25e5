// SPDX-License-Identifier: GPL-3.0-or-later
// The Runs view fed by a fake RangeSource: five stacked step bands with the buckets' p50 or p95, late answers dropped,
// and Enter on a run opening its breakdown.
#include "../models/runfixture.h"
#include "models/rangesource.h"
#include "models/runlistmodel.h"
#include "widgets/runbreakdowndialog.h"
#include "widgets/runschart.h"
#include "widgets/runsview.h"

#include <QAreaSeries>
#include <QComboBox>
#include <QLineSeries>
#include <QTableView>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kT0 = 1795464000; // a multiple of 10

const QStringList kSteps = RunFixture::stepNames();

// Storage as the view sees it: run requests are recorded and answered by the test.
class FakeRunSource : public RangeSource {
public:
    struct Request {
        qint64 from, to;
        quint64 generation;
    };
    void requestBuckets(const QStringList &, qint64, qint64, qint64, quint64) override { }
    void requestMarkers(qint64, qint64, quint64) override { }
    void requestRuns(qint64 from, qint64 to, quint64 generation) override { runs.push_back({ from, to, generation }); }
    QVector<Request> runs;
};

RunRecord run(double start, const QVector<double> &elapsed, const QString &workflow = u"inference"_s)
{
    return RunFixture::run(start, elapsed, true, workflow);
}

// Bucket [kT0, kT0 + 10): 20 runs, predict 1 … 20 ms (p50 10 ms, p95 19 ms), the other steps 1 ms (p50 = p95);
// bucket [kT0 + 10, kT0 + 20): one run, every step 2 ms.
QVector<RunRecord> someRuns()
{
    QVector<RunRecord> runs;
    for (int i = 1; i <= 20; ++i)
        runs.push_back(run(kT0 + i * 0.4, { 0.001, 0.001, 0.001, i / 1000.0, 0.001 }));
    runs.push_back(run(kT0 + 12, { 0.002, 0.002, 0.002, 0.002, 0.002 }));
    return runs;
}

void compareMs(const QVector<double> &actual, const QVector<double> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (qsizetype i = 0; i < actual.size(); ++i) {
        if (std::abs(actual[i] - expected[i]) > 1e-9)
            QFAIL(qPrintable(u"bucket %1: %2 ms, expected %3 ms"_s.arg(i).arg(actual[i]).arg(expected[i])));
    }
}

} // namespace

class TestRunsView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fiveStepBandsWithTheChosenQuantile()
    {
        FakeRunSource source;
        RunsView view;
        view.setRangeSource(&source);
        view.setRange(kT0, kT0 + 300);
        QVERIFY(source.runs.isEmpty()); // not shown yet: nothing asked
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(source.runs.size(), 1);
        QCOMPARE(source.runs[0].from, kT0);
        QCOMPARE(source.runs[0].to, kT0 + 300);
        Q_EMIT source.runsReady(source.runs[0].generation, someRuns());

        RunsChart *chart = view.chart();
        QCOMPARE(chart->stepSeries().size(), 5);
        int areas = 0;
        for (QAbstractSeries *s : chart->chart()->series())
            areas += qobject_cast<QAreaSeries *>(s) ? 1 : 0;
        QCOMPARE(areas, 5);
        for (int s = 0; s < 5; ++s)
            QCOMPARE(chart->stepSeries()[s]->name(), kSteps[s]);
        QCOMPARE(view.stats().buckets.size(), 30); // 300 s in 10 s buckets
        const auto expect = [](double first, double second) {
            QVector<double> v(30, 0.0);
            v[0] = first;
            v[1] = second;
            return v;
        };
        compareMs(chart->stepValuesMs(0), expect(1, 2));
        compareMs(chart->stepValuesMs(3), expect(10, 2));
        QCOMPARE(view.runModel()->rowCount(), 21);

        view.quantileBox()->setCurrentIndex(1); // p95
        compareMs(chart->stepValuesMs(0), expect(1, 2));
        compareMs(chart->stepValuesMs(3), expect(19, 2));
        compareMs(chart->stepValuesMs(4), expect(1, 2));
        QVERIFY(chart->durationSeries()->name().contains(u"p95"_s));
        QCOMPARE(chart->durationSeries()->count(), 2); // buckets with runs only
        QVERIFY(std::abs(chart->durationSeries()->at(1).y() - 10.0) < 1e-3); // start + steps - start, near 1.8e9

        view.quantileBox()->setCurrentIndex(0);
        compareMs(chart->stepValuesMs(3), expect(10, 2));
    }

    void lateAnswersAreDroppedAndWorkflowsFiltered()
    {
        FakeRunSource source;
        RunsView view;
        view.setRangeSource(&source);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setRange(kT0, kT0 + 300);
        view.setRange(kT0, kT0 + 600);
        QCOMPARE(source.runs.size(), 2);
        Q_EMIT source.runsReady(source.runs[0].generation, someRuns()); // the older range's
        QCOMPARE(view.runModel()->rowCount(), 0);
        // The model's 21 inference runs, a batch service's nightly run, and one stored before runs kept their tags.
        QVector<RunRecord> runs = someRuns();
        for (RunRecord &r : runs)
            r.tags = QStringList { u"model:m1"_s, u"tenant:a"_s };
        runs.push_back(run(kT0 + 30, { 0.5, 0.5, 0.5, 0.5, 0.5 }, u"nightly"_s));
        runs.back().tags = QStringList { u"service:batch"_s };
        runs.push_back(run(kT0 + 40, { 0.1, 0.1, 0.1, 0.1, 0.1 }, u"nightly"_s));
        view.setSource({ SourceRef::Kind::Model, u"m1"_s });
        Q_EMIT source.runsReady(source.runs[1].generation, runs);
        QCOMPARE(view.sourceBox()->count(), 4); // all, model m1, other run, service batch
        QCOMPARE(view.sourceBox()->currentData().toString(), u"model:m1"_s);
        QCOMPARE(view.runModel()->rowCount(), 21);
        view.setSource({ SourceRef::Kind::Model, u"m2"_s }); // no runs here: all of them
        QCOMPARE(view.runModel()->rowCount(), 23);
        QVERIFY(view.statusText().contains(u"m2 has no runs"_s));
        QCOMPARE(view.workflowBox()->count(), 3); // all, inference, nightly
        view.workflowBox()->setCurrentIndex(view.workflowBox()->findData(u"nightly"_s));
        QCOMPARE(view.runModel()->rowCount(), 2);
        view.setSource({ SourceRef::Kind::Service, u"batch"_s });
        QCOMPARE(view.runModel()->rowCount(), 1);
        QCOMPARE(view.stats().buckets[1].stepP50, (QVector<double> { 0.5, 0.5, 0.5, 0.5, 0.5 })); // 30 s buckets
        Q_EMIT source.runsReady(source.runs[1].generation, runs); // a reload keeps both choices
        QCOMPARE(view.runModel()->rowCount(), 1);
        Q_EMIT source.runsFailed(source.runs[1].generation, u"disk gone"_s);
        QVERIFY(view.statusText().contains(u"disk gone"_s));
    }

    void enterOpensTheBreakdown()
    {
        FakeRunSource source;
        RunsView view;
        view.setRangeSource(&source);
        view.setRange(kT0, kT0 + 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        Q_EMIT source.runsReady(source.runs.back().generation, someRuns());
        QTableView *table = view.table();
        table->setFocus();
        table->setCurrentIndex(view.runModel()->index(0, 0)); // the newest: every step 2 ms
        QVERIFY(!view.breakdown());
        QTest::keyClick(table, Qt::Key_Return);
        RunBreakdownDialog *dialog = view.breakdown();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QTableWidget *steps = dialog->table();
        QCOMPARE(steps->rowCount(), 5);
        for (int row = 0; row < 5; ++row) {
            QCOMPARE(steps->item(row, RunBreakdownDialog::StepColumn)->text(), kSteps[row]);
            QCOMPARE(steps->item(row, RunBreakdownDialog::DurationColumn)->text(), u"2.00 ms"_s);
            QCOMPARE(steps->item(row, RunBreakdownDialog::ShareColumn)->text(), u"20.0 %"_s);
        }
        QCOMPARE(steps->item(2, RunBreakdownDialog::OffsetColumn)->text(), u"4.00 ms"_s);
        QVERIFY(dialog->summary().contains(u"inference"_s));
    }

    // The workflow fields above the tabs, a failed step marked, and the samples a sampler took in their own tab.
    void theBreakdownShowsWorkflowFieldsAndSamples()
    {
        RunRecord run = someRuns().front();
        run.success = false;
        run.tenant = u"ml"_s;
        run.retries = 2;
        run.executionMode = u"parallel"_s;
        run.memoryMb = 2048.5;
        run.stepsFailed = 1;
        run.steps[4].success = false;
        run.error = u"fit: out of memory"_s;
        run.errorCategory = u"memory"_s;
        run.tags = { u"model:m1"_s };
        run.telemetry = R"([{"ts":1796547600,"timestamp":"2026-12-06T10:00:00.000+01:00","rss_mb":812.5},)"
                        R"({"ts":1796547601,"rss_mb":1630,"phase":"fit"}])";
        run.telemetryDropped = 3;
        RunBreakdownDialog dialog;
        dialog.setRun(run);
        for (const QString &part : { u"tenant ml"_s, u"parallel mode"_s, u"2 retries"_s, u"1 steps failed"_s,
                 u"memory 2048.5 MB"_s, u"model:m1"_s, u"Error: fit: out of memory (memory)"_s })
            QVERIFY2(dialog.details().contains(part), qPrintable(dialog.details()));
        QCOMPARE(dialog.table()->item(4, RunBreakdownDialog::StepColumn)->text(), kSteps[4] + u" (failed)"_s);
        QCOMPARE(dialog.table()->item(3, RunBreakdownDialog::StepColumn)->text(), kSteps[3]);
        QVERIFY(dialog.tabs()->isTabEnabled(1));
        QCOMPARE(dialog.tabs()->tabText(1), u"S&amples (2)"_s);
        QTableWidget *samples = dialog.samplesTable();
        QCOMPARE(samples->rowCount(), 2);
        QCOMPARE(samples->columnCount(), 3); // time, phase, rss_mb
        QCOMPARE(samples->horizontalHeaderItem(1)->text(), u"phase"_s);
        QCOMPARE(samples->item(0, 2)->text(), u"812.5"_s);
        QCOMPARE(samples->item(1, 1)->text(), u"fit"_s);
        QCOMPARE(samples->item(0, 0)->toolTip(), u"2026-12-06T10:00:00.000+01:00"_s);
        // Samples stored but left out of the read (HistoryQuery's budget): the tab says so.
        RunRecord heavy = someRuns().front();
        heavy.telemetryBytes = 5000;
        dialog.setRun(heavy);
        QVERIFY(dialog.tabs()->isTabEnabled(1));
        QCOMPARE(dialog.samplesTable()->rowCount(), 0);
        QVERIFY(dialog.samplesNote().contains(u"5 KiB of samples, not loaded"_s));
        // Another run without samples or workflow fields: nothing of the first is left.
        dialog.setRun(someRuns().front());
        QVERIFY(!dialog.tabs()->isTabEnabled(1));
        QCOMPARE(dialog.samplesTable()->rowCount(), 0);
        QVERIFY(dialog.details().isEmpty());
    }

    void aRunMarkerOpensItsBreakdownOnceTheRunsArrive()
    {
        FakeRunSource source;
        RunsView view;
        view.setRangeSource(&source);
        view.setRange(kT0, kT0 + 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Asked before the answer: it waits for the runs, then opens the one that started then.
        view.openRunAt(qint64((kT0 + 12) * 1000), u"inference"_s);
        QVERIFY(!view.breakdown());
        Q_EMIT source.runsReady(source.runs.back().generation, someRuns());
        QVERIFY(view.breakdown() && view.breakdown()->isVisible());
        QCOMPARE(view.breakdown()->table()->item(0, RunBreakdownDialog::DurationColumn)->text(), u"2.00 ms"_s);
        // Another workflow's run at that time is not this one.
        view.breakdown()->hide();
        view.openRunAt(qint64((kT0 + 12) * 1000), u"training"_s);
        QVERIFY(!view.breakdown()->isVisible());
    }
};

QTEST_MAIN(TestRunsView)
#include "tst_runsview.moc"
