// SPDX-License-Identifier: GPL-3.0-or-later
// The chart's overlays offscreen: the baseline band, the projection's cone and the limit line, read back from the
// value axis, the hover text and the pixels the chart paints.
#include "widgets/timeserieschart.h"

#include <QChartView>
#include <QDir>
#include <QFontMetricsF>
#include <QImage>
#include <QLocale>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <utility>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
constexpr qint64 t0 = 1'700'000'000'000;
constexpr qint64 minute = 60'000;

// One point a second for a minute, between 18 and 22.
QVector<QPointF> latencyMinute()
{
    QVector<QPointF> points;
    for (int s = 0; s < 60; ++s)
        points.push_back({ double(t0 + s * 1000), 20 + 2 * std::sin(s / 5.0) });
    return points;
}

QVector<ProjectionPoint> forecast()
{
    return { { t0 + minute, 20, 20, 20 }, { t0 + 90'000, 25, 21, 29 }, { t0 + 2 * minute, 30, 22, 38 } };
}

// How far a colour has moved from a reference, per channel.
int distance(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}
} // namespace

class TestTimeSeriesChart : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<TimeSeriesChart> m_chart;
    bool m_outside = false;

    void settle()
    {
        // The chart lays out (axis labels, plot area) from posted events; no clock involved.
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
    }

    void redraw()
    {
        m_chart->redraw();
        settle();
        m_chart->redraw(); // the plot area may have moved with the new axis labels
        settle();
    }

    // Where (time, value) lands in the chart widget's pixels.
    QPoint pixelFor(qint64 timeMs, double value) const
    {
        const QRectF plot = m_chart->plotArea();
        const auto [low, high] = m_chart->valueRange();
        const double x = plot.left()
            + plot.width() * double(timeMs - m_chart->fromMs()) / double(m_chart->toMs() - m_chart->fromMs());
        const double y = plot.bottom() - plot.height() * (value - low) / (high - low);
        const auto *view = m_chart->findChild<QChartView *>();
        return view->viewport()->mapTo(m_chart.get(), QPointF(x, y).toPoint());
    }

    // A pixel of the plot; reading outside it (a value off the axis) fails the test in cleanup().
    QColor pixelOf(const QImage &image, qint64 timeMs, double value, int dy = 0)
    {
        const QPoint p = pixelFor(timeMs, value) + QPoint(0, dy);
        m_outside = m_outside || !m_chart->plotArea().contains(p);
        return image.pixelColor(p);
    }

    QColor colorAt(qint64 timeMs, double value) { return pixelOf(m_chart->grab().toImage(), timeMs, value); }

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale::c()); }

    void init()
    {
        m_chart = std::make_unique<TimeSeriesChart>(u"Latency"_s);
        m_chart->addLine(u"p50"_s, QColor(0x2e, 0x86, 0xde));
        m_chart->setLineData(0, latencyMinute());
        m_chart->setTimeRange(t0, t0 + minute);
        m_chart->resize(800, 400);
        m_chart->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_chart.get()));
        redraw();
    }

    void cleanup()
    {
        m_chart.reset();
        QVERIFY2(!std::exchange(m_outside, false), "read a pixel outside the plot");
    }

    void bandSetAndCleared()
    {
        QVERIFY(!m_chart->hasBand());
        QVERIFY(std::isnan(m_chart->band().first));
        m_chart->setMinimumValueRange(50); // the same scale with and without the band, so pixels compare
        redraw();
        const QColor before = colorAt(t0 + 15'000, 35);
        m_chart->setBand(40, 30, u"baseline 35.0 ms ± 5.0"_s); // either order
        redraw();
        QVERIFY(m_chart->hasBand());
        QCOMPARE(m_chart->band(), qMakePair(30.0, 40.0));
        QCOMPARE(m_chart->bandLabel(), u"baseline 35.0 ms ± 5.0"_s);
        const QColor inside = colorAt(t0 + 15'000, 35);
        QVERIFY2(distance(inside, before) > 20, qPrintable(inside.name() % u" vs "_s % before.name()));
        // Teal on white: green and blue lead red.
        QVERIFY2(inside.green() > inside.red() + 10 && inside.blue() > inside.red() + 5, qPrintable(inside.name()));
        QCOMPARE(colorAt(t0 + 15'000, 25), before); // under the band: untouched
        m_chart->clearBand();
        redraw();
        QVERIFY(!m_chart->hasBand());
        QCOMPARE(colorAt(t0 + 15'000, 35), before);
    }

    void bandOverItsTimeSpanOnly()
    {
        m_chart->setBand(30, 40, u"baseline"_s, t0 + 30'000, t0 + 50'000);
        redraw();
        const QColor outside = colorAt(t0 + 15'000, 35);
        const QColor inside = colorAt(t0 + 45'000, 35);
        QVERIFY2(distance(inside, outside) > 20, qPrintable(inside.name() % u" vs "_s % outside.name()));
    }

    // The rule editor's firings: full-height red spans over their time only, named in the hover text.
    void shadedSpans()
    {
        m_chart->setMinimumValueRange(50);
        redraw();
        const QColor before = colorAt(t0 + 45'000, 45);
        m_chart->setShadedSpans({ { t0 + 40'000, t0 + 50'000, false, u"would fire"_s, ThemeColor::Bad } });
        redraw();
        QCOMPARE(m_chart->shadedSpans().size(), 1);
        const QColor inside = colorAt(t0 + 45'000, 45);
        QVERIFY2(distance(inside, before) > 20, qPrintable(inside.name() % u" vs "_s % before.name()));
        QVERIFY2(inside.red() > inside.green() + 10, qPrintable(inside.name())); // a red tint
        QCOMPARE(colorAt(t0 + 20'000, 45), before);
        QVERIFY(m_chart->hoverText(t0 + 45'000).contains(u"would fire"_s));
        QVERIFY(!m_chart->hoverText(t0 + 20'000).contains(u"would fire"_s));
        m_chart->setShadedSpans({});
        redraw();
        QCOMPARE(m_chart->shadedSpans().size(), 0);
        QCOMPARE(colorAt(t0 + 45'000, 45), before);
    }

    void axisIncludesBand_data()
    {
        QTest::addColumn<bool>("withData");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<qint64>("bandFrom");
        QTest::addColumn<double>("minTop"); // the axis top is at least this
        QTest::addColumn<double>("maxTop"); // and at most this
        // The data alone: 22 * 1.05 -> 25.
        QTest::newRow("below the data") << true << 5.0 << 8.0 << t0 << 25.0 << 25.0;
        QTest::newRow("above the data") << true << 30.0 << 40.0 << t0 << 42.0 << 50.0;
        // 3x the data's own top (23.1) is 69.3, rounded up to 100: the band (to 273 with headroom) is clipped.
        QTest::newRow("far above: capped") << true << 200.0 << 260.0 << t0 << 50.0 << 100.0;
        QTest::newRow("just within 3x") << true << 50.0 << 60.0 << t0 << 63.0 << 100.0;
        QTest::newRow("no data: the band sets the scale") << false << 100.0 << 120.0 << t0 << 126.0 << 200.0;
        QTest::newRow("band outside the time range") << true << 30.0 << 40.0 << t0 + 2 * minute << 25.0 << 25.0;
    }

    void axisIncludesBand()
    {
        QFETCH(bool, withData);
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(qint64, bandFrom);
        QFETCH(double, minTop);
        QFETCH(double, maxTop);
        if (!withData)
            m_chart->setLineData(0, {});
        m_chart->setBand(low, high, u"baseline"_s, bandFrom, bandFrom + minute);
        redraw();
        const auto [bottom, top] = m_chart->valueRange();
        QCOMPARE(bottom, 0.0);
        QVERIFY2(top >= minTop && top <= maxTop, qPrintable(QString::number(top)));
        if (high * 1.05 <= maxTop && bandFrom < m_chart->toMs())
            QVERIFY(top >= high); // fully visible whenever the rule allows
    }

    void projectionConeAndLine()
    {
        m_chart->setTimeRange(t0, t0 + 2 * minute); // the owner extends the range to show it
        m_chart->setMinimumValueRange(50); // the same scale with and without the projection, so pixels compare
        redraw();
        const QColor empty = colorAt(t0 + 110'000, 33);
        const QColor beforeStart = colorAt(t0 + 45'000, 35);
        m_chart->setProjection(forecast(), u"trend"_s);
        redraw();
        QCOMPARE(m_chart->projectionPointCount(), 3);
        QCOMPARE(m_chart->valueRange().second, 50.0);
        // Inside the cone (at 110 s it spans about 21.7..35.3) but off the line: tinted violet.
        const QColor cone = colorAt(t0 + 110'000, 33);
        QVERIFY2(distance(cone, empty) > 20, qPrintable(cone.name() % u" vs "_s % empty.name()));
        QVERIFY2(cone.blue() > cone.green() + 5, qPrintable(cone.name()));
        // Before the projection starts there is nothing of it.
        QCOMPARE(colorAt(t0 + 45'000, 35), beforeStart);
        // The dashed line itself: somewhere along it, close to the projection's colour.
        const QImage image = m_chart->grab().toImage();
        int onLine = 0;
        for (qint64 t = t0 + 95'000; t < t0 + 115'000; t += 250) {
            const double v = 25 + 5 * double(t - t0 - 90'000) / 30'000;
            const QColor c = pixelOf(image, t, v);
            onLine += c.blue() - c.green() > 40 ? 1 : 0; // darker violet than the cone around it
        }
        QVERIFY2(onLine >= 10, qPrintable(QString::number(onLine)));
        m_chart->clearProjection();
        redraw();
        QCOMPARE(m_chart->projectionPointCount(), 0);
        QCOMPARE(colorAt(t0 + 110'000, 33), empty);
    }

    void projectionValuesRaiseTheAxis()
    {
        m_chart->setTimeRange(t0, t0 + 2 * minute);
        // A steep trend is the thing to see: its values count as data, so the cone (200) fits within 3x of them.
        m_chart->setProjection({ { t0 + minute, 20, 20, 20 }, { t0 + 2 * minute, 100, 60, 200 } }, u"trend"_s);
        redraw();
        QVERIFY(m_chart->valueRange().second >= 200);
        // Out of the visible range, the projection does not move the axis.
        m_chart->setTimeRange(t0, t0 + 50'000);
        redraw();
        QCOMPARE(m_chart->valueRange().second, 25.0);
    }

    void thresholdLine()
    {
        QVERIFY(!m_chart->hasThreshold());
        m_chart->setThreshold(33.8, u"p95 limit 33.8 ms"_s);
        redraw();
        QVERIFY(m_chart->hasThreshold());
        QCOMPARE(m_chart->threshold(), 33.8);
        QVERIFY(m_chart->valueRange().second >= 33.8);
        m_chart->setMinimumValueRange(50); // keeps the scale once the line is gone, so pixels compare
        redraw();
        const auto redPixels = [&]() {
            const QImage image = m_chart->grab().toImage();
            int n = 0;
            for (qint64 t = t0 + 5000; t < t0 + 35'000; t += 100) {
                for (int dy : { -1, 0, 1 }) {
                    const QColor c = pixelOf(image, t, 33.8, dy);
                    n += c.red() - c.green() > 60 ? 1 : 0;
                }
            }
            return n;
        };
        QVERIFY2(redPixels() > 50, qPrintable(QString::number(redPixels())));
        m_chart->clearThreshold();
        redraw();
        QVERIFY(!m_chart->hasThreshold());
        QCOMPARE(redPixels(), 0);
    }

    void hoverTextMentionsOverlays()
    {
        m_chart->setTimeRange(t0, t0 + 2 * minute);
        m_chart->setBand(20.5, 24.5, u"baseline 22.5 ms ± 2.0"_s, t0, t0 + minute);
        m_chart->setThreshold(33.8, u"p95 limit 33.8 ms"_s);
        m_chart->setProjection(forecast(), u"trend"_s);
        redraw();
        m_chart->showCrosshairAt(t0 + 30'000);
        QVERIFY2(m_chart->crosshairText().contains(u"baseline 22.5 ms ± 2.0"_s), qPrintable(m_chart->crosshairText()));
        QVERIFY(m_chart->crosshairText().contains(u"p95 limit 33.8 ms"_s));
        QVERIFY(!m_chart->crosshairText().contains(u"trend"_s));
        // Past the band's validity: no baseline; the projection's nearest point with its range.
        m_chart->showCrosshairAt(t0 + 90'000);
        QVERIFY(!m_chart->crosshairText().contains(u"baseline"_s));
        QVERIFY2(m_chart->crosshairText().contains(u"trend: 25.0 (21.0–29.0)"_s), qPrintable(m_chart->crosshairText()));
        // The owner's own hover text (the latency chart has one) keeps the overlays' lines.
        m_chart->setHoverTextProvider([](qint64) { return u"owner's line"_s; });
        QVERIFY(m_chart->hoverText(t0 + 30'000).contains(u"owner's line"_s));
        QVERIFY(m_chart->hoverText(t0 + 30'000).contains(u"baseline 22.5 ms ± 2.0"_s));
        m_chart->clearBand();
        QVERIFY(!m_chart->hoverText(t0 + 30'000).contains(u"baseline"_s));
    }

    // A marker of model A is A's: a chart scoped to model B leaves it out; one tagged with no source is everyone's.
    void markersBelongToTheirSource()
    {
        TimeMarker a;
        a.timeMs = t0 + 10'000;
        a.endMs = a.timeMs;
        a.title = u"model a failed"_s;
        a.failure = true;
        a.tags = { u"model:a"_s };
        TimeMarker run = a;
        run.kind = TimeMarker::Kind::Run;
        run.timeMs = run.endMs = t0 + 30'000;
        run.title = u"run pipeline"_s;
        run.tags = { u"workflow:pipeline"_s };
        TimeMarker deploy = a;
        deploy.timeMs = deploy.endMs = t0 + 50'000;
        deploy.title = u"deploy"_s;
        deploy.failure = false;
        deploy.tags = {};
        m_chart->setMarkers({ a, run, deploy });
        QCOMPARE(m_chart->markerCount(), 3); // no scope: all
        m_chart->setMarkerScope(
            MarkerScope::of({ SourceRef::Kind::Model, u"b"_s }, { u"inference.latency|model:b"_s }));
        redraw();
        QCOMPARE(m_chart->markerCount(), 1);
        QVERIFY(!m_chart->hoverText(t0 + 10'000).contains(u"model a failed"_s));
        QVERIFY(m_chart->hoverText(t0 + 50'000).contains(u"deploy"_s));
        // Nothing red is drawn where A's failure would be.
        const QImage image = m_chart->grab().toImage();
        int red = 0;
        for (int dy = 1; dy < 6; ++dy) {
            const QPoint p = pixelFor(t0 + 10'000, 0) + QPoint(0, -dy);
            const QColor c = image.pixelColor(p);
            red += c.red() - c.green() > 80 ? 1 : 0;
        }
        QCOMPARE(red, 0);
        // Model A's chart has it; the pipeline's runs belong to the source whose series name the workflow.
        m_chart->setMarkerScope(
            MarkerScope::of({ SourceRef::Kind::Model, u"a"_s }, { u"inference.latency|model:a"_s }));
        QCOMPARE(m_chart->markerCount(), 2);
        m_chart->setMarkerScope(MarkerScope::of(
            { SourceRef::Kind::Service, u"etl"_s }, { u"run.count|service:etl,status:ok,workflow:pipeline"_s }));
        QCOMPARE(m_chart->markerCount(), 2);
        QVERIFY(m_chart->hoverText(t0 + 30'000).contains(u"run pipeline"_s));
    }

    void aClickOnAMarkerNamesItsMarkers()
    {
        TimeMarker run;
        run.kind = TimeMarker::Kind::Run;
        run.timeMs = run.endMs = t0 + 30'000;
        run.title = u"run pipeline"_s;
        run.tags = { u"workflow:pipeline"_s };
        m_chart->setMarkers({ run });
        redraw();
        QSignalSpy clicked(m_chart.get(), &TimeSeriesChart::markersClicked);
        auto *viewport = m_chart->findChild<QChartView *>()->viewport();
        const QPoint at = viewport->mapFrom(m_chart.get(), pixelFor(t0 + 30'000, 0)) + QPoint(0, -3);
        QTest::mouseClick(viewport, Qt::LeftButton, {}, at);
        QCOMPARE(clicked.size(), 1);
        const auto markers = clicked.first().first().value<QVector<TimeMarker>>();
        QCOMPARE(markers.size(), 1);
        QCOMPARE(markers.first().title, u"run pipeline"_s);
        // Far from any marker: nothing.
        QTest::mouseClick(viewport, Qt::LeftButton, {}, viewport->mapFrom(m_chart.get(), pixelFor(t0 + 5'000, 0)));
        QCOMPARE(clicked.size(), 1);
    }

    void denseMarkersAreSummarized()
    {
        QVector<TimeMarker> markers;
        for (int i = 0; i < 60; ++i) { // an event a second over the minute: one per 13 px at 800 px
            TimeMarker m;
            m.timeMs = m.endMs = t0 + i * 1000;
            m.title = u"event %1"_s.arg(i);
            m.detail = u"text of %1"_s.arg(i);
            m.failure = i == 3;
            markers.push_back(m);
        }
        m_chart->setMarkers(markers);
        redraw();
        QCOMPARE(m_chart->markerCount(), 60);
        QVERIFY2(m_chart->markerGroupCount() <= 800 / 24 && m_chart->markerGroupCount() >= 10,
            qPrintable(QString::number(m_chart->markerGroupCount())));
        const QString text = m_chart->hoverText(t0 + 3000);
        QVERIFY2(text.contains(u"events here"_s) && text.contains(u"1 failed"_s), qPrintable(text));
        QVERIFY2(text.contains(u"event 3: text of 3"_s), qPrintable(text)); // the failure listed first
        // Zoomed in, each stands alone again.
        m_chart->setTimeRange(t0, t0 + 10'000);
        redraw();
        QCOMPARE(m_chart->markerGroupCount(), m_chart->markerCount());
    }

    void eventTooltipHasItsText()
    {
        TimeMarker m;
        m.timeMs = m.endMs = t0 + 20'000;
        m.title = u"deploy v2"_s;
        m.detail = u"rolled out\nto 3 hosts"_s;
        m_chart->setMarkers({ m });
        redraw();
        const QString text = m_chart->hoverText(t0 + 20'000);
        QVERIFY2(text.contains(u"deploy v2: rolled out to 3 hosts"_s), qPrintable(text));
    }

    void outlierDoesNotRescaleTheAxis()
    {
        QVector<QPointF> points = latencyMinute();
        points[30].setY(375);
        m_chart->setLineData(0, points);
        redraw();
        QCOMPARE(m_chart->valueRange().second, 25.0); // as without the spike, not 500
        QCOMPARE(m_chart->outlierCount(), 1);
        const QString text = m_chart->hoverText(t0 + 30'000);
        QVERIFY2(text.contains(u"↑ p50: 375"_s), qPrintable(text));
        // On the top edge, in the line's colour.
        const QImage image = m_chart->grab().toImage();
        const QPoint edge = pixelFor(t0 + 30'000, 25.0) + QPoint(0, 4);
        QVERIFY2(
            distance(image.pixelColor(edge), QColor(0x2e, 0x86, 0xde)) < 60, qPrintable(image.pixelColor(edge).name()));
    }

    void ticksAreRound()
    {
        QVector<QPointF> points;
        for (int s = 0; s < 60; ++s)
            points.push_back({ double(t0 + 17'000 + s * 1000), 375.0 * s / 59 });
        m_chart->setLineData(0, points);
        m_chart->setTimeRange(t0 + 17'000, t0 + 77'000);
        redraw();
        const QVector<double> values = m_chart->valueTicks();
        QVERIFY(!values.isEmpty());
        QCOMPARE(values.first(), 0.0);
        for (double v : values) // 1-2-5 steps: 0, 50, 100 … or 0, 100 …
            QVERIFY2(std::fmod(v, 50) == 0, qPrintable(QString::number(v)));
        QVERIFY(values.last() >= 375);
        const QVector<qint64> times = m_chart->timeTicks();
        QVERIFY(times.size() >= 3);
        const qint64 step = times[1] - times[0];
        for (qsizetype i = 0; i < times.size(); ++i) {
            QCOMPARE(times[i] % step, 0); // on round times (UTC offsets are whole minutes)
            QVERIFY(i == 0 || times[i] - times[i - 1] == step);
        }
        QCOMPARE(m_chart->timeTickLabels().size(), times.size());
    }

    void noDuplicateLegendEntries()
    {
        m_chart->addLine(u"p95"_s, QColor(0xf3, 0x9c, 0x12));
        m_chart->addLine(u"p95/p99, too few"_s, QColor(0x9a, 0x9a, 0x9a), 1.0, true);
        m_chart->addLine(u"p99, too few"_s, QColor(0x9a, 0x9a, 0x9a), 1.0, true); // drawn alike: one entry
        m_chart->addLine(u"hidden"_s, QColor(0x27, 0xae, 0x60));
        m_chart->setLineInLegend(4, false);
        redraw();
        QCOMPARE(m_chart->legendEntries(), (QStringList { u"p50"_s, u"p95"_s, u"p95/p99, too few"_s }));
    }

    void longAxisTitleIsElided()
    {
        const QString title = u"per s (mean of a bucket's covered seconds, counted from the request counters)"_s;
        m_chart->resize(400, 160);
        m_chart->setValueLabel(title);
        redraw();
        QCOMPARE(m_chart->valueLabel(), title);
        QVERIFY(m_chart->shownValueLabel().endsWith(u'…'));
        QVERIFY(
            QFontMetricsF(QFont()).horizontalAdvance(m_chart->shownValueLabel()) <= m_chart->plotArea().height() + 8);
    }

    void darkThemeKeepsOverlays()
    {
        m_chart->setTimeRange(t0, t0 + 2 * minute);
        m_chart->setMinimumValueRange(50);
        m_chart->setDarkTheme(true);
        redraw();
        const QColor plain = colorAt(t0 + 15'000, 35);
        const QColor plainCone = colorAt(t0 + 110'000, 33);
        m_chart->setBand(30, 40, u"baseline"_s);
        m_chart->setProjection(forecast(), u"trend"_s);
        m_chart->setThreshold(45, u"limit"_s);
        m_chart->setDarkTheme(false);
        m_chart->setDarkTheme(true);
        redraw();
        QVERIFY(m_chart->hasBand());
        QVERIFY(m_chart->hasThreshold());
        QCOMPARE(m_chart->projectionPointCount(), 3);
        QVERIFY(plain.lightness() < 80); // the dark theme's plot
        const QColor band = colorAt(t0 + 15'000, 35);
        QVERIFY2(distance(band, plain) > 20 && band.green() > band.red(), qPrintable(band.name()));
        const QColor cone = colorAt(t0 + 110'000, 33);
        QVERIFY2(distance(cone, plainCone) > 20 && cone.blue() > cone.green(), qPrintable(cone.name()));
    }

    // With PERFDASH_SCREENSHOT_DIR set, writes what a person should look at: every overlay, light and dark, at a
    // dashboard's width and at the narrow width of a small chart.
    void screenshots()
    {
        const QString dir = qEnvironmentVariable("PERFDASH_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("set PERFDASH_SCREENSHOT_DIR to write the overlay screenshots");
        QVERIFY(QDir().mkpath(dir));
        m_chart->setValueLabel(u"ms"_s);
        m_chart->setTimeRange(t0, t0 + 2 * minute);
        m_chart->setBand(20.5, 24.5, u"baseline 22.5 ms ± 2.0"_s, t0, t0 + minute);
        m_chart->setBandCentre(22.5);
        m_chart->setProjection(forecast(), u"trend, 80 % range"_s);
        m_chart->setThreshold(33.8, u"p95 limit 33.8 ms"_s);
        for (const bool dark : { false, true }) {
            for (const QSize size : { QSize(800, 400), QSize(330, 200) }) {
                m_chart->setDarkTheme(dark);
                m_chart->resize(size);
                redraw();
                m_chart->showCrosshairAt(t0 + 45'000);
                const QString file = dir % u"/chart-overlays-"_s % (dark ? u"dark"_s : u"light"_s) % u'-'
                    % QString::number(size.width()) % u".png"_s;
                QVERIFY(m_chart->grab().save(file));
                qInfo("wrote %s", qPrintable(file));
            }
        }
        // A band far above the data: clipped at 3x, its caption pinned to the top edge.
        m_chart->setDarkTheme(false);
        m_chart->resize(800, 400);
        m_chart->clearProjection();
        m_chart->setTimeRange(t0, t0 + minute);
        m_chart->setBand(200, 260, u"baseline 230 ms ± 30"_s);
        m_chart->setThreshold(400, u"p95 limit 400 ms"_s);
        redraw();
        const QString file = dir % u"/chart-overlays-far.png"_s;
        QVERIFY(m_chart->grab().save(file));
        qInfo("wrote %s", qPrintable(file));
    }
};

QTEST_MAIN(TestTimeSeriesChart)
#include "tst_timeserieschart.moc"
