// SPDX-License-Identifier: GPL-3.0-or-later
// One definition of every figure: the dashboard's tiles, `perfdashd export` and `perfdashd summary` give the same
// throughput, error rate and p95 for the same window of a real collector's database.
#include "app/gui/historyrangesource.h"
#include "collectorprocess.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "perfdashdcommand.h"
#include "storage/historyreader.h"
#include "widgets/mainwindow.h"
#include "widgets/sourcedashboard.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {
QString iso(qint64 second)
{
    return QDateTime::fromSecsSinceEpoch(second, Qt::UTC).toString(Qt::ISODate);
}
} // namespace

class TestFiguresE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void dashboardExportAndSummaryAgree()
    {
        // The window is the clock hour the traffic lands in (it is sent within milliseconds; see the check below).
        const qint64 hour = QDateTime::currentSecsSinceEpoch() / 3600 * 3600;

        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        // 5 batches of 100 requests (5 failed) and their latencies; requests come from the request counters.
        for (int batch = 0; batch < 5; ++batch) {
            QByteArray datagram;
            for (int i = 1; i <= 100; ++i) {
                datagram += "serve.requests:1|c|#model:m1,status:" + QByteArray(i % 20 == 0 ? "500" : "200") + '\n';
                datagram += "serve.latency:" + QByteArray::number(i * (batch + 1)) + "|ms|#model:m1\n";
            }
            collector.send(datagram);
        }
        // Until the collector has counted all 500 latencies, then a clean stop writes every rollup.
        // Two hours from the traffic's: the latencies counted in either, then a clean stop writes every rollup.
        const QStringList hourExport { u"export"_s, u"--raw"_s, u"--db"_s, collector.dbPath, u"--series"_s,
            u"serve.latency{model=m1}"_s, u"--from"_s, iso(hour), u"--to"_s, iso(hour + 7200), u"--step"_s, u"1h"_s };
        QList<QList<QByteArray>> hourRows;
        const auto counted = [&]() {
            bool crlf = false;
            hourRows = parseCsv(runPerfdashd(hourExport).out, &crlf);
            double n = 0;
            for (qsizetype r = 1; r < hourRows.size(); ++r)
                n += toDouble(hourRows[r].value(2));
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(counted(), 500.0, 15000);
        QCOMPARE(collector.stop(), 0);
        if (hourRows.size() != 2)
            QSKIP("the traffic straddled an hour boundary: its hours cannot be compared as one window");

        // export: the request counters (every status) and the latency at 1 h.
        double requests = 0, failed = 0, seconds = 0, exportP95 = std::nan("");
        for (const QString &selector : { u"serve.requests{model=m1}"_s, u"serve.latency{model=m1}"_s }) {
            const auto exported = runPerfdashd({ u"export"_s, u"--raw"_s, u"--db"_s, collector.dbPath, u"--series"_s,
                selector, u"--from"_s, iso(hour), u"--to"_s, iso(hour + 3600), u"--step"_s, u"1h"_s });
            QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
            bool crlf = false;
            const auto rows = parseCsv(exported.out, &crlf);
            const auto header = rows.value(0);
            const qsizetype seriesCol = header.indexOf("series"), countCol = header.indexOf("count"),
                            secondsCol = header.indexOf("seconds"), p95Col = header.indexOf("p95");
            QVERIFY(seriesCol >= 0 && countCol >= 0 && secondsCol >= 0 && p95Col >= 0);
            for (qsizetype r = 1; r < rows.size(); ++r) {
                const QByteArray series = rows[r][seriesCol];
                if (series.startsWith("serve.requests")) {
                    requests += toDouble(rows[r][countCol]);
                    failed += series.contains("500") ? toDouble(rows[r][countCol]) : 0;
                    seconds = toDouble(rows[r][secondsCol]);
                } else {
                    exportP95 = toDouble(rows[r][p95Col]);
                }
            }
        }
        QCOMPARE(requests, 500.0);
        QCOMPARE(failed, 25.0);
        QVERIFY(seconds >= 1);

        // summary over the same hour.
        const auto summary = runPerfdashd({ u"summary"_s, u"--db"_s, collector.dbPath, u"--model"_s, u"m1"_s,
            u"--window"_s, u"1h"_s, u"--granularity"_s, u"hour"_s, u"--end"_s, iso(hour + 3600) });
        QCOMPARE(summary.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(summary.out).object();
        const QJsonObject serving = json.value(u"serving_metrics"_s).toObject();
        QCOMPARE(json.value(u"evidence"_s).toObject().value(u"requests_kind"_s).toString(), u"request counters"_s);

        // The dashboard: a week of history ends with that hour as its last bucket (its clock set to the hour's end).
        SeriesStore store(3600);
        SeriesListModel list(&store);
        SourceTreeModel sources(&store);
        MainWindow window(&store, &list, &sources);
        window.setClock([hour]() { return hour + 3600; });
        HistoryReader reader(collector.dbPath);
        HistoryRangeSource range(&reader);
        window.setRangeSource(&range);
        // The source tree learns the model's series from the stored seconds, as the GUI does at start.
        QSignalSpy loaded(&reader, &HistorySource::rangeReady);
        reader.requestRange(hour, hour + 3600, 1);
        QVERIFY(loaded.wait(10000));
        store.ingest(loaded.takeFirst().at(1).value<QVector<LiveFrame>>());
        window.selectSource({ SourceRef::Kind::Model, u"m1"_s });
        window.showHistory((hour + 3600 - 7 * 86400) * 1000, (hour + 3600) * 1000);
        QCOMPARE(window.historyStep(), 3600);
        const Kpi::Figures &tiles = window.dashboard()->figures();
        QTRY_VERIFY_WITH_TIMEOUT(tiles.throughput.count > 0, 10000);
        QCOMPARE(tiles.from, hour);

        // One number each, three ways.
        const double rate = requests / seconds;
        QCOMPARE(tiles.throughput.value, rate);
        QCOMPARE(serving.value(u"throughput_rps"_s).toDouble(), rate);
        QCOMPARE(tiles.errorRate.value, failed / requests);
        QCOMPARE(serving.value(u"error_rate"_s).toDouble(), failed / requests);
        QVERIFY(std::isfinite(exportP95));
        QVERIFY2(qAbs(tiles.latency.p95.value - exportP95) <= 1e-9 * exportP95,
            qPrintable(u"%1 vs %2"_s.arg(tiles.latency.p95.value).arg(exportP95)));
        QVERIFY2(qAbs(serving.value(u"latency_p95_ms"_s).toDouble() - exportP95) <= 1e-9 * exportP95,
            qPrintable(u"%1 vs %2"_s.arg(serving.value(u"latency_p95_ms"_s).toDouble()).arg(exportP95)));
        QCOMPARE(tiles.latency.n, quint64(500));
    }
};

QTEST_MAIN(TestFiguresE2E)
#include "tst_figures_e2e.moc"
