// SPDX-License-Identifier: GPL-3.0-or-later
// A KPI tile's baseline comparison offscreen: the line, the status chip's word and colour, and that it fits the
// dashboard's tiles in the smallest window.
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/kpitile.h"
#include "widgets/mainwindow.h"
#include "widgets/sourcedashboard.h"
#include "widgets/theme.h"

#include <QDir>
#include <QImage>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    return p;
}

// The visible label showing exactly this text, or nullptr.
// The label that shows `text`, whole or (a tile's text lines in a narrow window) elided with its whole text kept.
QLabel *visibleLabel(const QWidget *parent, const QString &text)
{
    for (auto *label : parent->findChildren<QLabel *>()) {
        if (label->isVisible() && (label->text() == text || label->property("perfdashFullText").toString() == text))
            return label;
    }
    return nullptr;
}

int distance(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}
} // namespace

class TestKpiTile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); } // keep the user's settings untouched

    void statusWordAndColour_data()
    {
        QTest::addColumn<KpiTile::Status>("status");
        QTest::addColumn<bool>("dark");
        QTest::addColumn<QString>("word");
        QTest::addColumn<int>("role"); // ThemeColor, or -1: no chip
        for (const bool dark : { false, true }) {
            const char *theme = dark ? "dark" : "light";
            QTest::addRow("none, %s", theme) << KpiTile::Status::None << dark << QString() << -1;
            QTest::addRow("ok, %s", theme) << KpiTile::Status::Ok << dark << u"ok"_s << int(ThemeColor::Good);
            QTest::addRow("degraded, %s", theme)
                << KpiTile::Status::Degraded << dark << u"degraded"_s << int(ThemeColor::Warning);
            QTest::addRow("breached, %s", theme)
                << KpiTile::Status::Breached << dark << u"breached"_s << int(ThemeColor::Bad);
        }
    }

    void statusWordAndColour()
    {
        QFETCH(KpiTile::Status, status);
        QFETCH(bool, dark);
        QFETCH(QString, word);
        QFETCH(int, role);
        KpiTile tile(u"p95 latency"_s);
        if (dark)
            tile.setPalette(darkPalette());
        tile.setValue(u"24.1 ms"_s, u"last 10 s · n = 2,500"_s);
        tile.setBaseline(u"baseline 22.5 ms"_s, u"+7 %"_s, status, u"p95 over the same hour last week"_s);
        tile.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tile));
        QCOMPARE(tile.status(), status);
        QCOMPARE(tile.baselineText(), u"baseline 22.5 ms · +7 %"_s);
        QVERIFY(visibleLabel(&tile, u"baseline 22.5 ms · +7 %"_s));
        QCOMPARE(tile.statusText(), word);
        if (role < 0) {
            QCOMPARE(tile.statusColor(), tile.palette().color(QPalette::PlaceholderText));
            for (const QString &w : { u"ok"_s, u"degraded"_s, u"breached"_s })
                QVERIFY(!visibleLabel(&tile, w));
            return;
        }
        const QColor expected = themeColor(ThemeColor(role), dark);
        QCOMPARE(tile.statusColor(), expected);
        // The word is always on screen, and the chip is painted in the status colour (its border).
        QLabel *chip = visibleLabel(&tile, word);
        QVERIFY(chip);
        QCOMPARE(chip->toolTip(), u"p95 over the same hour last week"_s);
        const QImage image = chip->grab().toImage();
        int matching = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x)
                matching += distance(image.pixelColor(x, y), expected) < 30 ? 1 : 0;
        }
        QVERIFY2(matching >= image.width(), qPrintable(QString::number(matching))); // at least a border's length
    }

    void colourFollowsThePalette()
    {
        KpiTile tile(u"p95 latency"_s);
        tile.setBaseline(u"baseline 22.5 ms"_s, u"+40 %"_s, KpiTile::Status::Breached);
        QCOMPARE(tile.statusColor(), themeColor(ThemeColor::Bad, false));
        tile.setPalette(darkPalette());
        QCOMPARE(tile.statusColor(), themeColor(ThemeColor::Bad, true));
    }

    void hiddenWhenEmpty()
    {
        KpiTile tile(u"p95 latency"_s);
        tile.setValue(u"24.1 ms"_s, u"last 10 s"_s);
        tile.setDelta(u"▲ 7% vs previous hour"_s, KpiTile::Tone::Bad);
        tile.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tile));
        const int plainHeight = tile.sizeHint().height();
        QCOMPARE(tile.baselineText(), QString());
        QCOMPARE(tile.status(), KpiTile::Status::None);

        tile.setBaseline(u"baseline 22.5 ms"_s, {}, KpiTile::Status::Ok);
        QCOMPARE(tile.baselineText(), u"baseline 22.5 ms"_s); // no dangling " · "
        QVERIFY(visibleLabel(&tile, u"ok"_s));
        QVERIFY(tile.sizeHint().height() > plainHeight);

        tile.setBaseline({}, u"+7 %"_s, KpiTile::Status::Breached);
        QCOMPARE(tile.baselineText(), QString());
        QCOMPARE(tile.status(), KpiTile::Status::None);
        QCOMPARE(tile.statusText(), QString());
        QVERIFY(!visibleLabel(&tile, u"breached"_s));
        QVERIFY(!visibleLabel(&tile, u"ok"_s));
        QCOMPARE(tile.sizeHint().height(), plainHeight);
        // The reference period's delta line is untouched throughout.
        QCOMPARE(tile.deltaText(), u"▲ 7% vs previous hour"_s);
        QCOMPARE(tile.deltaTone(), KpiTile::Tone::Bad);
    }

    void deltaAndBaselineTogether()
    {
        KpiTile tile(u"Throughput"_s);
        tile.setValue(u"1,234/s"_s, u"last 10 s"_s);
        tile.setDelta(u"▼ 12% vs previous hour"_s, KpiTile::Tone::Bad, u"previous hour: 1,402/s"_s);
        tile.setBaseline(u"baseline 1,310/s"_s, u"−6 %"_s, KpiTile::Status::Degraded);
        tile.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tile));
        QVERIFY(visibleLabel(&tile, u"▼ 12% vs previous hour"_s));
        QVERIFY(visibleLabel(&tile, u"baseline 1,310/s · −6 %"_s));
        QVERIFY(visibleLabel(&tile, u"degraded"_s));
        // The value, then the baseline line under the delta line.
        QVERIFY(visibleLabel(&tile, u"baseline 1,310/s · −6 %"_s)->y()
            > visibleLabel(&tile, u"▼ 12% vs previous hour"_s)->y());
        QCOMPARE(visibleLabel(&tile, u"degraded"_s)->y() < visibleLabel(&tile, u"last 10 s"_s)->y(), true);
    }

    // The dashboard in the smallest window we support, every tile with a baseline and a status: nothing is cut off and
    // the window needs no more room than it has.
    void fitsTheDashboardAt1024x700()
    {
        QSettings().clear();
        SeriesStore store(3600);
        SeriesListModel seriesModel(&store);
        SourceTreeModel sources(&store);
        MainWindow window(&store, &seriesModel, &sources);
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        SourceDashboard *dashboard = window.dashboard();
        struct Row {
            int tile;
            QString value, detail, baseline, delta;
            KpiTile::Status status;
        };
        const QVector<Row> rows {
            { SourceDashboard::TileP95, u"24.1 ms"_s, u"last 10 s · n = 2,500 · ±1%"_s, u"baseline 22.5 ms"_s,
                u"+7 %"_s, KpiTile::Status::Degraded },
            { SourceDashboard::TileThroughput, u"1,234/s"_s, u"last 10 s"_s, u"baseline 1,310/s"_s, u"−6 %"_s,
                KpiTile::Status::Ok },
            { SourceDashboard::TileErrors, u"0.80 %"_s, u"8 of 1,000 requests, last 10 s"_s, u"baseline 0.20 %"_s,
                u"+0.60 pp"_s, KpiTile::Status::Breached },
            { SourceDashboard::TileQueue, u"7.0"_s, u"mean, last 10 s"_s, u"baseline 6.5"_s, u"+8 %"_s,
                KpiTile::Status::Ok },
        };
        for (const Row &r : rows) {
            KpiTile *tile = dashboard->tile(r.tile);
            tile->setValue(r.value, r.detail);
            tile->setDelta(u"▲ 12% vs previous hour"_s, KpiTile::Tone::Bad);
            tile->setBaseline(r.baseline, r.delta, r.status);
        }
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QVERIFY2(
            window.minimumSizeHint().width() <= 1024, qPrintable(QString::number(window.minimumSizeHint().width())));
        QVERIFY2(
            window.minimumSizeHint().height() <= 700, qPrintable(QString::number(window.minimumSizeHint().height())));
        const QRect visible = window.rect();
        for (const Row &r : rows) {
            KpiTile *tile = dashboard->tile(r.tile);
            QVERIFY(visible.contains(QRect(tile->mapTo(&window, QPoint(0, 0)), tile->size())));
            for (const QString &text : { tile->baselineText(), tile->statusText() }) {
                QLabel *label = visibleLabel(tile, text);
                QVERIFY2(label, qPrintable(text));
                // Whole, or elided with "…" and whole in the tooltip: never cut off mid-glyph.
                QVERIFY2(label->text() == text || (label->text().endsWith(u'…') && label->toolTip().contains(text)),
                    qPrintable(label->text()));
                QVERIFY2(label->width() >= label->fontMetrics().horizontalAdvance(label->text()), qPrintable(text));
                QVERIFY(tile->rect().contains(QRect(label->mapTo(tile, QPoint(0, 0)), label->size())));
            }
        }
        const QString dir = qEnvironmentVariable("PERFDASH_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            QVERIFY(QDir().mkpath(dir));
            for (const bool dark : { false, true }) {
                applyTheme(dark ? Theme::Dark : Theme::Light);
                QCoreApplication::processEvents();
                const QString file = dir % u"/tiles-1024x700-"_s % (dark ? u"dark"_s : u"light"_s) % u".png"_s;
                QVERIFY(window.grab().save(file));
                qInfo("wrote %s", qPrintable(file));
            }
            applyTheme(Theme::Light);
        }
    }
};

QTEST_MAIN(TestKpiTile)
#include "tst_kpitile.moc"
