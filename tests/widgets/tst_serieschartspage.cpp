// SPDX-License-Identifier: GPL-3.0-or-later
// The Charts tab (widgets/serieschartspage.h): a picked series is charted with its kind's figures, Ctrl overlays,
// a pinned chart comes back with its source from the settings, and the lines carry the points' values.
#include "widgets/chartgrid.h"
#include "widgets/serieschartspage.h"
#include "widgets/timeserieschart.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

MetricKind kindOf(const QString &key)
{
    return key.startsWith(u"api.latency") ? MetricKind::Timer : MetricKind::Counter;
}

const QString kLatency = u"api.latency|model:m1"_s;
const QString kRequests = u"api.requests|model:m1"_s;

} // namespace

class TestSeriesChartsPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void aPickedSeriesIsChartedWithItsFigures()
    {
        SeriesChartsPage page(kindOf);
        page.resize(1000, 700);
        page.setSource({ SourceRef::Kind::Model, u"m1"_s }, {});
        QCOMPARE(page.grid()->count(), 0);
        page.pick(kLatency, false);
        QCOMPARE(page.grid()->count(), 1);
        QCOMPARE(page.grid()->charts().first().plots.size(), 3); // p50, p95, p99
        page.pick(kRequests, true); // Ctrl: overlaid
        QCOMPARE(page.grid()->count(), 1);
        QCOMPARE(page.grid()->charts().first().plots.size(), 2); // overlaid: p95 and the rate
        page.pick(kRequests, false); // replaces
        QCOMPARE(page.picked(), QStringList { kRequests });
        QCOMPARE(page.keys(), QStringList { kRequests });

        // The line carries the rate of each point.
        QVector<SeriesPoint> points;
        for (qint64 s = 100; s < 110; ++s) {
            SeriesPoint p;
            p.second = s;
            p.stats.kind = MetricKind::Counter;
            p.stats.count = s;
            p.stats.rate = double(s - 100);
            points << p;
        }
        const Kpi::PointLookup lookup = [&](const QString &key) -> const QVector<SeriesPoint> & {
            static const QVector<SeriesPoint> empty;
            return key == kRequests ? points : empty;
        };
        page.showData(lookup, 100'000, 110'000, 1);
        const QString text = page.grid()->chart(0)->dataAsText(u',');
        QVERIFY2(text.contains(u"1970-01-01T00:01:49Z,9"_s), qPrintable(text));
    }

    void aPinnedChartComesBackWithItsSource()
    {
        const SourceRef m1 { SourceRef::Kind::Model, u"m1"_s };
        {
            SeriesChartsPage page(kindOf);
            page.setSource(m1, {});
            page.pick(kLatency, false);
            page.pick(kRequests, true);
            page.pinPicked();
            QVERIFY(page.picked().isEmpty());
            QCOMPARE(page.pins(), (QList<QStringList> { { kLatency, kRequests } }));
        }
        SeriesChartsPage again(kindOf);
        again.setSource({ SourceRef::Kind::Model, u"m2"_s }, {});
        QCOMPARE(again.grid()->count(), 0); // pins belong to their source
        again.setSource(m1, {});
        QCOMPARE(again.grid()->count(), 1);
        QVERIFY(again.grid()->charts().first().title.startsWith(u"Pinned"_s));
        QCOMPARE(again.keys(), (QStringList { kLatency, kRequests }));
        again.unpin(0);
        QCOMPARE(again.grid()->count(), 0);
        QVERIFY(again.pins().isEmpty());
    }

    void aSourcesOwnChartsComeFirstThenPins()
    {
        SeriesChartsPage page(kindOf);
        ChartSpec cpu { u"CPU"_s, u"%"_s, { { u"process.cpu_percent|pid:1"_s, SeriesFigure::Value, u"cpu"_s } } };
        page.setSource({ SourceRef::Kind::Process, u"pid 1"_s }, { cpu });
        QCOMPARE(page.grid()->count(), 1);
        page.pick(kLatency, false);
        QCOMPARE(page.grid()->count(), 2);
        QCOMPARE(page.grid()->charts().at(1).title, u"CPU"_s);
    }
};

QTEST_MAIN(TestSeriesChartsPage)
#include "tst_serieschartspage.moc"
