// SPDX-License-Identifier: GPL-3.0-or-later
// The chart's context menu offscreen: the PNG it saves, the data it copies, the report it asks for.
#include "widgets/timeserieschart.h"

#include <QAction>
#include <QChartView>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QGuiApplication>
#include <QImage>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
constexpr qint64 t0 = 1'795'464'000'000; // 2026-11-23T20:00:00Z
constexpr double noValue = std::numeric_limits<double>::quiet_NaN();

// p50 every 10 s, p99 at 0 s and 15 s, a hidden line, and points either side of the range [t0, t0 + 30 s].
const QString expectedTsv = u"time\tp50\tp99\n"
                            "2026-11-23T20:00:00Z\t20.5\t41\n"
                            "2026-11-23T20:00:10Z\t0.333333\t\n"
                            "2026-11-23T20:00:15Z\t\t1234570\n"
                            "2026-11-23T20:00:20Z\t22\t\n"_s;

// Counts the context menu events a widget gets and keeps them, so no menu opens in the test.
class ContextMenuCatcher : public QObject {
public:
    int count = 0;
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() != QEvent::ContextMenu)
            return false;
        ++count;
        return true;
    }
};
} // namespace

class TestChartMenu : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<TimeSeriesChart> m_chart;

    QAction *action(const QString &text) const
    {
        for (QAction *a : m_chart->contextMenuActions()) {
            if (a->text() == text)
                return a;
        }
        return nullptr;
    }

private Q_SLOTS:
    void init()
    {
        m_chart = std::make_unique<TimeSeriesChart>(u"Latency"_s);
        const int p50 = m_chart->addLine(u"p50"_s, Qt::blue);
        const int p99 = m_chart->addLine(u"p99"_s, Qt::red);
        const int hidden = m_chart->addLine(u"max"_s, Qt::gray);
        m_chart->setLineData(p50,
            { { double(t0 - 10'000), 1 }, { double(t0), 20.5 }, { double(t0 + 10'000), 1.0 / 3 },
                { double(t0 + 20'000), 22 }, { double(t0 + 25'000), noValue }, { double(t0 + 40'000), 5 } });
        m_chart->setLineData(p99, { { double(t0), 41 }, { double(t0 + 15'000), 1234567 } });
        m_chart->setLineData(hidden, { { double(t0 + 5'000), 99 } });
        m_chart->setLineVisible(hidden, false);
        m_chart->setTimeRange(t0, t0 + 30'000);
        m_chart->resize(640, 320);
        m_chart->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_chart.get()));
        m_chart->redraw();
    }

    void cleanup() { m_chart.reset(); }

    void actionsCreatedOnce()
    {
        QCOMPARE(m_chart->contextMenuActions().size(), 3);
        QCOMPARE(m_chart->actions(), m_chart->contextMenuActions());
        QCOMPARE(m_chart->contextMenuPolicy(), Qt::ActionsContextMenu);
        QVERIFY(action(u"Save chart as PNG…"_s));
        QVERIFY(action(u"Copy data"_s));
        QVERIFY(action(u"Export report…"_s));
    }

    // The Menu key and Shift+F10 reach the focused view as a keyboard context menu event; the view hands it to the
    // chart.
    void keyboardReachesTheMenu()
    {
        auto *view = m_chart->findChild<QChartView *>();
        QVERIFY(view);
        ContextMenuCatcher catcher;
        m_chart->installEventFilter(&catcher);
        QContextMenuEvent keyboard(
            QContextMenuEvent::Keyboard, view->rect().center(), view->mapToGlobal(view->rect().center()));
        QCoreApplication::sendEvent(view, &keyboard);
        QCOMPARE(catcher.count, 1);
        QContextMenuEvent mouse(QContextMenuEvent::Mouse, view->viewport()->rect().center(),
            view->viewport()->mapToGlobal(view->viewport()->rect().center()));
        QCoreApplication::sendEvent(view->viewport(), &mouse);
        QCOMPARE(catcher.count, 2);
    }

    void savePngWritesTheChart()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"latency.png"_s);
        QString error;
        QVERIFY2(m_chart->savePng(path, &error), qPrintable(error));
        QImage image;
        QVERIFY(image.load(path, "PNG"));
        const qreal dpr = m_chart->devicePixelRatioF();
        QCOMPARE(image.size(), (QSizeF(m_chart->size()) * dpr).toSize());
    }

    void savePngToMissingFolderFails()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        QVERIFY(!m_chart->savePng(dir.filePath(u"no/such/folder/latency.png"_s), &error));
        QVERIFY(!error.isEmpty());
    }

    void dataAsText()
    {
        QCOMPARE(m_chart->dataAsText(u'\t'), expectedTsv);
        QCOMPARE(m_chart->dataAsText(u','), QString(expectedTsv).replace(u'\t', u','));
    }

    void dataFollowsTheRange()
    {
        m_chart->setTimeRange(t0 + 12'000, t0 + 50'000);
        QCOMPARE(m_chart->dataAsText(u'\t'),
            u"time\tp50\tp99\n"
            "2026-11-23T20:00:15Z\t\t1234570\n"
            "2026-11-23T20:00:20Z\t22\t\n"
            "2026-11-23T20:00:40Z\t5\t\n"_s);
    }

    void copyDataFillsTheClipboard()
    {
        QClipboard *clipboard = QGuiApplication::clipboard();
        clipboard->clear();
        QSignalSpy changed(clipboard, &QClipboard::dataChanged);
        action(u"Copy data"_s)->trigger();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(clipboard->text(), expectedTsv);
        const QMimeData *mime = clipboard->mimeData();
        QVERIFY(mime);
        QCOMPARE(QString::fromUtf8(mime->data(u"text/csv"_s)), QString(expectedTsv).replace(u'\t', u','));
    }

    void exportReportAsksTheOwner()
    {
        QSignalSpy requested(m_chart.get(), &TimeSeriesChart::exportRequested);
        action(u"Export report…"_s)->trigger();
        QCOMPARE(requested.size(), 1);
    }
};

QTEST_MAIN(TestChartMenu)
#include "tst_chartmenu.moc"
