// SPDX-License-Identifier: GPL-3.0-or-later
// Axis rules: 1-2-5 value ticks, round time ticks, dates with a year when the range needs one, and the robust top that
// a lone outlier does not move.
#include "models/axisticks.h"
#include "models/robustrange.h"

#include <QDateTime>
#include <QLocale>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
const QTimeZone utc = QTimeZone::utc();
qint64 ms(const QString &iso)
{
    return QDateTime::fromString(iso, Qt::ISODate).toMSecsSinceEpoch();
}
QString iso(qint64 t)
{
    return QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODate);
}
} // namespace

class TestAxisTicks : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale::c()); }

    void values_data()
    {
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<int>("maxTicks");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("0..375") << 0.0 << 375.0 << 5 << QStringList { u"0"_s, u"100"_s, u"200"_s, u"300"_s, u"400"_s };
        QTest::newRow("0..375, 8") << 0.0 << 375.0 << 8
                                   << QStringList { u"0"_s, u"50"_s, u"100"_s, u"150"_s, u"200"_s, u"250"_s, u"300"_s,
                                          u"350"_s, u"400"_s };
        QTest::newRow("0..23.1") << 0.0 << 23.1 << 5
                                 << QStringList { u"0"_s, u"5"_s, u"10"_s, u"15"_s, u"20"_s, u"25"_s };
        QTest::newRow("0..4") << 0.0 << 4.0 << 5 << QStringList { u"0"_s, u"1"_s, u"2"_s, u"3"_s, u"4"_s };
        QTest::newRow("0..3.8") << 0.0 << 3.8 << 4 << QStringList { u"0"_s, u"1"_s, u"2"_s, u"3"_s, u"4"_s };
        QTest::newRow("0..1.3") << 0.0 << 1.3 << 5 << QStringList { u"0.0"_s, u"0.5"_s, u"1.0"_s, u"1.5"_s };
        QTest::newRow("0..0.27") << 0.0 << 0.27 << 5 << QStringList { u"0.0"_s, u"0.1"_s, u"0.2"_s, u"0.3"_s };
        QTest::newRow("0..62.5") << 0.0 << 62.5 << 4 << QStringList { u"0"_s, u"20"_s, u"40"_s, u"60"_s, u"80"_s };
        QTest::newRow("0..188") << 0.0 << 188.0 << 4 << QStringList { u"0"_s, u"50"_s, u"100"_s, u"150"_s, u"200"_s };
        QTest::newRow("0..3000") << 0.0 << 3000.0 << 5 << QStringList { u"0"_s, u"1000"_s, u"2000"_s, u"3000"_s };
        QTest::newRow("empty") << 0.0 << 0.0 << 5
                               << QStringList { u"0.0"_s, u"0.2"_s, u"0.4"_s, u"0.6"_s, u"0.8"_s, u"1.0"_s };
        QTest::newRow("-3..7") << -3.0 << 7.0 << 5 << QStringList { u"-5"_s, u"0"_s, u"5"_s, u"10"_s };
    }
    void values()
    {
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(int, maxTicks);
        QFETCH(QStringList, labels);
        const AxisTicks::Values v = AxisTicks::niceValues(low, high, maxTicks);
        QStringList got;
        for (double t : v.ticks())
            got << AxisTicks::valueLabel(t, v.decimals);
        QCOMPARE(got, labels);
        QVERIFY(v.first <= low && v.last >= high);
        // 1, 2 or 5 times a power of ten: never 2.5, 62.5 or 188.
        const double mantissa = v.step / std::pow(10.0, std::floor(std::log10(v.step) + 1e-9));
        QVERIFY2(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9,
            qPrintable(QString::number(v.step)));
    }

    void timeSteps_data()
    {
        QTest::addColumn<qint64>("spanMs");
        QTest::addColumn<qint64>("stepMs");
        QTest::newRow("1 min") << qint64(60'000) << qint64(10'000);
        QTest::newRow("5 min") << qint64(300'000) << qint64(60'000);
        QTest::newRow("1 h") << qint64(3'600'000) << qint64(600'000);
        QTest::newRow("6 h") << qint64(21'600'000) << qint64(3'600'000);
        QTest::newRow("1 d") << qint64(86'400'000) << qint64(21'600'000);
        QTest::newRow("7 d") << qint64(7 * 86'400'000LL) << qint64(2 * 86'400'000LL);
        QTest::newRow("1 y") << qint64(365 * 86'400'000LL) << qint64(90 * 86'400'000LL); // three months
    }
    void timeSteps()
    {
        QFETCH(qint64, spanMs);
        QFETCH(qint64, stepMs);
        QCOMPARE(AxisTicks::timeStepMs(spanMs, 6), stepMs);
    }

    void timeTicksOnRoundTimes_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QStringList>("ticks");
        QTest::newRow("5 min from 14:03:17")
            << u"2026-12-05T14:03:17Z"_s << u"2026-12-05T14:08:17Z"_s
            << QStringList { u"2026-12-05T14:04:00Z"_s, u"2026-12-05T14:05:00Z"_s, u"2026-12-05T14:06:00Z"_s,
                   u"2026-12-05T14:07:00Z"_s, u"2026-12-05T14:08:00Z"_s };
        QTest::newRow("1 h from 13:52") << u"2026-12-05T13:52:00Z"_s << u"2026-12-05T14:52:00Z"_s
                                        << QStringList { u"2026-12-05T14:00:00Z"_s, u"2026-12-05T14:10:00Z"_s,
                                               u"2026-12-05T14:20:00Z"_s, u"2026-12-05T14:30:00Z"_s,
                                               u"2026-12-05T14:40:00Z"_s, u"2026-12-05T14:50:00Z"_s };
        QTest::newRow("a day at 6 h") << u"2026-12-04T15:00:00Z"_s << u"2026-12-05T15:00:00Z"_s
                                      << QStringList { u"2026-12-04T18:00:00Z"_s, u"2026-12-05T00:00:00Z"_s,
                                             u"2026-12-05T06:00:00Z"_s, u"2026-12-05T12:00:00Z"_s };
        QTest::newRow("a year at 3 months") << u"2025-11-20T00:00:00Z"_s << u"2026-11-20T00:00:00Z"_s
                                            << QStringList { u"2026-01-01T00:00:00Z"_s, u"2026-04-01T00:00:00Z"_s,
                                                   u"2026-07-01T00:00:00Z"_s, u"2026-10-01T00:00:00Z"_s };
    }
    void timeTicksOnRoundTimes()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QStringList, ticks);
        const qint64 f = ms(from), t = ms(to);
        QStringList got;
        for (qint64 tick : AxisTicks::timeTicks(f, t, AxisTicks::timeStepMs(t - f, 6), utc))
            got << iso(tick);
        QCOMPARE(got, ticks);
    }

    void weekTicksAreMondays()
    {
        const qint64 f = ms(u"2026-10-01T00:00:00Z"_s), t = ms(u"2026-12-01T00:00:00Z"_s);
        const auto ticks = AxisTicks::timeTicks(f, t, 14 * 86'400'000LL, utc);
        QVERIFY(!ticks.isEmpty());
        for (qint64 tick : ticks)
            QCOMPARE(QDateTime::fromMSecsSinceEpoch(tick, utc).date().dayOfWeek(), 1);
    }

    void labels_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("now");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("today: times only")
            << u"2026-12-05T14:03:17Z"_s << u"2026-12-05T14:05:17Z"_s << u"2026-12-05T14:05:20Z"_s
            << QStringList { u"14:03:30"_s, u"14:04:00"_s, u"14:04:30"_s, u"14:05:00"_s };
        QTest::newRow("over midnight: the date where it changes")
            << u"2026-12-04T22:00:00Z"_s << u"2026-12-05T02:00:00Z"_s << u"2026-12-05T14:00:00Z"_s
            << QStringList { u"12-04 22:00"_s, u"23:00"_s, u"12-05 00:00"_s, u"01:00"_s, u"02:00"_s };
        QTest::newRow("over new year: with the year")
            << u"2025-12-31T22:00:00Z"_s << u"2026-01-01T02:00:00Z"_s << u"2026-12-05T14:00:00Z"_s
            << QStringList { u"2025-12-31 22:00"_s, u"23:00"_s, u"2026-01-01 00:00"_s, u"01:00"_s, u"02:00"_s };
        QTest::newRow("last year's day: with the year")
            << u"2025-06-01T10:00:00Z"_s << u"2025-06-01T14:00:00Z"_s << u"2026-12-05T14:00:00Z"_s
            << QStringList { u"2025-06-01 10:00"_s, u"11:00"_s, u"12:00"_s, u"13:00"_s, u"14:00"_s };
        QTest::newRow("a week: dates") << u"2026-11-28T00:00:00Z"_s << u"2026-12-05T00:00:00Z"_s
                                       << u"2026-12-05T14:00:00Z"_s
                                       << QStringList { u"11-29"_s, u"12-01"_s, u"12-03"_s, u"12-05"_s };
        QTest::newRow("a week over new year")
            << u"2025-12-28T00:00:00Z"_s << u"2026-01-04T00:00:00Z"_s << u"2026-12-05T14:00:00Z"_s
            << QStringList { u"2025-12-28"_s, u"2025-12-30"_s, u"2026-01-01"_s, u"2026-01-03"_s };
    }
    void labels()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, now);
        QFETCH(QStringList, labels);
        const qint64 f = ms(from), t = ms(to);
        const qint64 step = AxisTicks::timeStepMs(t - f, 4);
        QCOMPARE(AxisTicks::timeLabels(AxisTicks::timeTicks(f, t, step, utc), f, t, step, ms(now), utc), labels);
    }

    void hoverTimeHasTheYearWhenNeeded()
    {
        const qint64 now = ms(u"2026-12-05T14:00:00Z"_s);
        QCOMPARE(AxisTicks::timeText(ms(u"2026-12-05T13:59:30Z"_s), now - 60'000, now, now, utc), u"13:59:30"_s);
        QCOMPARE(AxisTicks::timeText(ms(u"2025-12-31T23:59:30Z"_s), ms(u"2025-12-31T23:00:00Z"_s),
                     ms(u"2026-01-01T01:00:00Z"_s), now, utc),
            u"2025-12-31 23:59:30"_s);
    }

    void robustTopIgnoresALoneOutlier()
    {
        QVector<double> values;
        for (int i = 0; i < 120; ++i)
            values << 30 + (i % 10) * 3; // 30..57
        values << 375;
        const RobustRange r = RobustRange::of(values);
        QVERIFY2(r.top >= 57 && r.top < 70, qPrintable(QString::number(r.top))); // 57 x 1.1
        QCOMPARE(r.outliers, 1);
        // With the axis' 1-2-5 ticks: 0..80, not 0..500.
        QCOMPARE(AxisTicks::niceValues(0, r.top, 5).last, 80.0);
    }

    void robustTopKeepsRampsStepsAndRarePeaks()
    {
        QVector<double> ramp;
        for (int i = 1; i <= 10; ++i)
            ramp << i;
        QCOMPARE(RobustRange::of(ramp).top, 10.5);
        QCOMPARE(RobustRange::of(ramp).outliers, 0);
        QVector<double> step(50, 20.0);
        step << QVector<double>(50, 35.0);
        QVERIFY(RobustRange::of(step).top >= 35);
        QVector<double> errors(200, 0.0); // an error rate: mostly 0, one bad second
        errors[120] = 4.0;
        QCOMPARE(RobustRange::of(errors).top, 4.2);
        QCOMPARE(RobustRange::of(errors).outliers, 0);
        QCOMPARE(RobustRange::of({}).top, 0.0);
        QCOMPARE(RobustRange::of({ std::nan(""), 5.0 }).top, 5.5);
    }
};

QTEST_GUILESS_MAIN(TestAxisTicks)
#include "tst_axisticks.moc"
