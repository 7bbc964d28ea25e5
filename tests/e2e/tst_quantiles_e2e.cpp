// SPDX-License-Identifier: GPL-3.0-or-later
// Window quantiles end to end (issue 4): heavy-tailed timer values sent over real UDP to the real perfdashd for six
// seconds come back, from one window that merges those seconds, within the sketch's relative accuracy of the exact
// quantiles of what was sent, with the exact count. Counted while the collector runs (reads merge the 1 s tail the
// rollups have not folded yet), quantiles checked after it stops, through `perfdashd export` and HistoryQuery.
#include "collectorprocess.h"
#include "models/quantilesketch.h"
#include "storage/database.h"
#include "storage/historyquery.h"
#include "storedhistory.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QTest>
#include <QThread>
#include <QTimeZone>
#include <QUuid>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <random>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kSeconds = 6;
constexpr int kPerSecond = 700;
constexpr int kLinesPerDatagram = 20;
constexpr std::array<double, 4> kLevels { 0.5, 0.9, 0.95, 0.99 };

// kPerSecond values for each second: 85% lognormal body (median 12 ms), 15% Pareto tail (x_m 30 ms, shape 1.1:
// infinite variance), fixed seed. Second s is scaled by 2^s, so averaging per-second quantiles would be far off.
std::vector<double> heavyTailed()
{
    std::mt19937_64 rng(20261123);
    std::lognormal_distribution<double> body(std::log(12.0), 0.6);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<double> values;
    for (int s = 0; s < kSeconds; ++s) {
        for (int i = 0; i < kPerSecond; ++i) {
            const double v = unit(rng) < 0.85 ? body(rng) : 30.0 * std::pow(1.0 - unit(rng), -1.0 / 1.1);
            values.push_back(v * double(1 << s));
        }
    }
    return values;
}

// Shortest fixed-notation text that parses back to the same double, so the collector sees exactly these values.
QByteArray decimal(double v)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed);
    return QByteArray(buffer, qsizetype(result.ptr - buffer));
}

// The definition quantilesketch.h estimates: the value at 0-based rank floor(q * (n - 1)) of the sorted values.
double exactQuantile(const std::vector<double> &sorted, double q)
{
    return sorted[size_t(std::floor(q * double(sorted.size() - 1)))];
}

double toDouble(const QByteArray &text)
{
    double v = std::nan("");
    const auto [ptr, ec] = std::from_chars(text.constData(), text.constData() + text.size(), v);
    return ec == std::errc() && ptr == text.constData() + text.size() ? v : std::nan("");
}

// Non-empty lines of our RFC 4180 export, split into fields (no quoted line breaks there).
QList<QList<QByteArray>> parseCsv(const QByteArray &data)
{
    QList<QList<QByteArray>> rows;
    for (QByteArray line : data.split('\n')) {
        line.chop(line.endsWith('\r') ? 1 : 0);
        if (line.isEmpty())
            continue;
        QList<QByteArray> fields { QByteArray() };
        bool quoted = false;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"')
                fields.back() += line[++i];
            else if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted)
                fields.push_back({});
            else
                fields.back() += c;
        }
        rows.push_back(fields);
    }
    return rows;
}

// A window of one series through the storage read API, on a read-only connection of its own.
bool readWindow(const QString &dbPath, const QString &key, qint64 from, qint64 to, qint64 step, SeriesWindow *out)
{
    const QString name = u"window-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool found = false;
    if (Database::openReadOnly(name, dbPath).ok) {
        HistoryQuery query(name);
        QVector<SeriesInfo> series;
        if (query.seriesList(&series, nullptr)) {
            for (const SeriesInfo &info : series) {
                if (info.key == key)
                    found = query.window(info, from, to, step, out, nullptr);
            }
        }
    }
    Database::close(name);
    return found;
}

QString relativeErrors(const std::array<double, 4> &got, const std::vector<double> &sorted)
{
    QString text;
    for (size_t i = 0; i < kLevels.size(); ++i) {
        const double exact = exactQuantile(sorted, kLevels[i]);
        text += u" p%1: %2 vs exact %3 (%4%)"_s.arg(kLevels[i] * 100)
                    .arg(got[i], 0, 'g', 10)
                    .arg(exact, 0, 'g', 10)
                    .arg((got[i] - exact) / exact * 100, 0, 'f', 3);
    }
    return text;
}

bool withinAlpha(double got, double exact)
{
    // The sketch's guarantee, with room for the last bit of rounding in bucketValue()'s exp().
    return std::fabs(got - exact) <= QuantileSketch::kDefaultRelativeAccuracy * exact * (1 + 1e-9);
}

} // namespace

class TestQuantilesE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowQuantilesAreWithinAlphaOfExact()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY2(collector.start(), qPrintable(collector.readyLine));

        const std::vector<double> values = heavyTailed();
        std::vector<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        QVERIFY2(sorted.back() / sorted.front() > 1000, "the sample is not heavy-tailed enough to test anything");

        // Start early in a second and early enough in a minute that all six seconds share one minute, so the 1 min
        // window below is a single row. At most ~10 s of waiting.
        const QDeadlineTimer startBy(70000);
        while (!startBy.hasExpired()) {
            const qint64 ms = QDateTime::currentMSecsSinceEpoch();
            const qint64 inMinute = (ms / 1000) % 60;
            if (ms % 1000 < 200 && inMinute >= 1 && inMinute <= 50)
                break;
            QThread::msleep(20);
        }
        QVERIFY(!startBy.hasExpired());
        const qint64 first = QDateTime::currentSecsSinceEpoch();
        const qint64 minute = first - first % 60;

        // kPerSecond values in each of kSeconds wall-clock seconds, kLinesPerDatagram lines per datagram.
        const QString key = u"quantiles.latency|model:m1"_s;
        size_t next = 0;
        for (int s = 0; s < kSeconds; ++s) {
            const QDeadlineTimer secondStarts(3000);
            while (QDateTime::currentSecsSinceEpoch() < first + s && !secondStarts.hasExpired())
                QThread::msleep(5);
            for (int d = 0; d < kPerSecond / kLinesPerDatagram; ++d) {
                QByteArray datagram;
                for (int l = 0; l < kLinesPerDatagram; ++l)
                    datagram += "quantiles.latency:" + decimal(values[next++]) + "|ms|#model:m1\n";
                collector.send(datagram);
                QThread::msleep(15); // spreads the second's values over ~0.5 s, far below the socket buffer
            }
        }
        QCOMPARE(next, values.size());
        const qint64 last = QDateTime::currentSecsSinceEpoch();
        QVERIFY2(last < minute + 60, "the sends spilled into the next minute");

        // Final (end of second + 2 s grace) and stored (next flush): poll the 1 s tier until every value is there.
        const auto n = qint64(values.size());
        qint64 stored = -1;
        const QDeadlineTimer storedBy(20000);
        for (int poll = 0; poll < 200 && !storedBy.hasExpired(); ++poll) {
            stored = storedCount(collector.dbPath, key, minute, minute + 60);
            if (stored >= n)
                break;
            QThread::msleep(100);
        }
        QCOMPARE(stored, n);

        // The values really are spread over the seconds: at least five 1 s rows hold them.
        SeriesWindow seconds;
        QVERIFY(readWindow(collector.dbPath, key, minute, minute + 60, 1, &seconds));
        const auto filled = std::count_if(
            seconds.points.begin(), seconds.points.end(), [](const WindowPoint &p) { return p.point.count > 0; });
        QVERIFY2(filled >= 5, qPrintable(u"only %1 seconds hold data"_s.arg(filled)));
        // And the data can tell merging from averaging: the mean of the per-second medians is far from the median.
        double medians = 0;
        for (const WindowPoint &p : seconds.points)
            medians += p.point.count > 0 ? p.point.q[0] / double(filled) : 0.0;
        const double exactMedian = exactQuantile(sorted, 0.5);
        QVERIFY2(std::fabs(medians - exactMedian) > 0.1 * exactMedian,
            qPrintable(u"mean of per-second medians %1, median %2"_s.arg(medians).arg(exactMedian)));

        // One window over all of it through `perfdashd export --step 1m`, right away: while perfdashd runs, the
        // minute's rollup row trails the 1 s tier (written every 10 s of data: docs/storage.md), and the read merges
        // the 1 s tail it has not folded yet, so the count is every value without waiting for a rollup.
        const auto iso
            = [](qint64 t) { return QDateTime::fromSecsSinceEpoch(t, QTimeZone::utc()).toString(Qt::ISODate); };
        const auto exportMinute = [&](QList<QList<QByteArray>> *rows) {
            QProcess exporter;
            exporter.start(binary(u"perfdashd"_s),
                { u"export"_s, u"--raw"_s, u"--db"_s, collector.dbPath, u"--series"_s, u"quantiles.latency{model=m1}"_s,
                    u"--from"_s, iso(minute), u"--to"_s, iso(minute + 60), u"--step"_s, u"1m"_s });
            if (!exporter.waitForFinished(30000) || exporter.exitCode() != 0)
                return false;
            *rows = parseCsv(exporter.readAllStandardOutput());
            return true;
        };
        const auto quantilesOf = [](const QList<QByteArray> &row) {
            std::array<double, 4> q {};
            for (size_t i = 0; i < kLevels.size(); ++i)
                q[i] = toDouble(row.value(qsizetype(7 + i)));
            return q;
        };
        const qint64 dayStart = minute - minute % 86400;
        QList<QList<QByteArray>> live;
        QVERIFY(exportMinute(&live));
        QCOMPARE(live.size(), 2); // the header and one window
        QCOMPARE(live[1].value(2).toLongLong(), n);
        SeriesWindow liveDay;
        QVERIFY(readWindow(collector.dbPath, key, dayStart, dayStart + 86400, 86400, &liveDay));
        QCOMPARE(liveDay.points.size(), 1);
        QCOMPARE(liveDay.points[0].point.count, n);
        const QString liveErrors = relativeErrors(quantilesOf(live[1]), sorted);

        // Once perfdashd has stopped (a clean stop writes every rollup row), the minute is one merged sketch of the
        // seconds' own sketches: within the sketch's accuracy of the exact quantiles.
        QCOMPARE(collector.stop(), 0);
        QList<QList<QByteArray>> rows;
        QVERIFY(exportMinute(&rows));
        QCOMPARE(rows.size(), 2); // the header and one window
        QCOMPARE(rows[0].value(2), QByteArray("count"));
        QCOMPARE(rows[0].mid(7, 4), (QList<QByteArray> { "p50", "p90", "p95", "p99" }));
        const auto &row = rows[1];
        QCOMPARE(row.size(), 14);
        QCOMPARE(row[13], QByteArray("timer"));
        QCOMPARE(row[1], QByteArray("quantiles.latency{model=m1}"));
        QCOMPARE(row[2].toLongLong(), n);
        QCOMPARE(toDouble(row[4]), sorted.front());
        QCOMPARE(toDouble(row[5]), sorted.back());
        const std::array<double, 4> exported = quantilesOf(row);
        const QString exportErrors = relativeErrors(exported, sorted);
        for (size_t i = 0; i < kLevels.size(); ++i)
            QVERIFY2(withinAlpha(exported[i], exactQuantile(sorted, kLevels[i])), qPrintable(exportErrors));

        // The same window through the storage read API at a 1 d step: hour-tier sketches merged at query time.
        SeriesWindow day;
        QVERIFY(readWindow(collector.dbPath, key, dayStart, dayStart + 86400, 86400, &day));
        QCOMPARE(day.points.size(), 1);
        QCOMPARE(day.points[0].point.count, n);
        std::array<double, 4> merged {};
        for (size_t i = 0; i < kLevels.size(); ++i)
            merged[i] = day.points[0].point.q[i]; // StoredPoint::kQuantileLevels begins with p50, p90, p95, p99
        const QString mergedErrors = relativeErrors(merged, sorted);
        for (size_t i = 0; i < kLevels.size(); ++i)
            QVERIFY2(withinAlpha(merged[i], exactQuantile(sorted, kLevels[i])), qPrintable(mergedErrors));

        qInfo("n = %lld over %lld seconds, max/min = %.0f, mean of per-second medians %.4g\n  export 1m while "
              "running (tail merged):%s\n  export 1m:%s\n  window 1d:%s",
            n, qint64(filled), sorted.back() / sorted.front(), medians, qPrintable(liveErrors),
            qPrintable(exportErrors), qPrintable(mergedErrors));
    }
};

QTEST_GUILESS_MAIN(TestQuantilesE2E)
#include "tst_quantiles_e2e.moc"
