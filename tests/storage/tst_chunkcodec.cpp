// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/chunkcodec.h"

#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTest>

#include <cmath>
#include <cstring>

using namespace perfdash;

Q_DECLARE_METATYPE(std::vector<perfdash::StoredPoint>)

namespace {

using Rows = std::vector<StoredPoint>;

bool sameDouble(double a, double b)
{
    // Bit for bit, so -0.0 differs from 0.0 (a double has one representation per value otherwise).
    quint64 x = 0;
    quint64 y = 0;
    std::memcpy(&x, &a, sizeof a);
    std::memcpy(&y, &b, sizeof b);
    return (std::isnan(a) && std::isnan(b)) || x == y;
}

StoredPoint timerRow(qint64 t, qint64 n, double lo, double p50, double p99, double hi, double sum)
{
    StoredPoint p;
    p.time = t;
    p.count = n;
    p.sum = sum;
    p.min = lo;
    p.max = hi;
    p.q = { p50, p50 + (p99 - p50) * 0.5, p50 + (p99 - p50) * 0.75, p99, std::min(hi, p99 * 1.1) };
    return p;
}

Rows timers(int n, quint32 seed)
{
    QRandomGenerator rng(seed);
    Rows rows;
    for (int i = 0; i < n; ++i) {
        const double lo = 1 + rng.bounded(1000) / 1000.0;
        const double p50 = 20 + rng.bounded(2000) / 100.0;
        // As the aggregator makes them: samples with 3 decimals, a float-accumulated sum of ~1000 of them.
        double sum = 0;
        for (int j = 0; j < 1000; ++j)
            sum += double(rng.bounded(100000)) / 1000.0;
        rows.push_back(timerRow(
            1000 + i, 900 + rng.bounded(200), lo, p50, p50 * 4, double(rng.bounded(300000, 400000)) / 1000.0, sum));
    }
    return rows;
}

} // namespace

class TestChunkCodec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<Rows>("rows");
        QTest::addColumn<qint64>("step");
        QTest::newRow("empty") << Rows {} << qint64(1);
        QTest::newRow("one timer second") << Rows { timerRow(1000, 5, 10, 30, 40, 50, 150) } << qint64(1);
        QTest::newRow("60 timer seconds, random sums (xor)") << timers(60, 7) << qint64(1);
        {
            Rows counter;
            for (int i = 0; i < 60; ++i) {
                StoredPoint p;
                p.time = 1000 + i;
                p.count = 100 + (i % 3);
                p.sum = double(p.count);
                counter.push_back(p);
            }
            QTest::newRow("counter") << counter << qint64(1);
        }
        {
            Rows gauge;
            for (int i = 0; i < 60; ++i) {
                StoredPoint p;
                p.time = 1000 + 2 * i; // every other second: time gaps
                p.count = 1;
                p.sum = p.min = p.max = p.last = 0.25 * std::floor(i / 10.0); // steps of 0.25 every 10 rows
                gauge.push_back(p);
            }
            QTest::newRow("gauge with gaps") << gauge << qint64(1);
        }
        {
            Rows dist = timers(20, 3);
            for (auto &p : dist) {
                p.min = -p.max;
                p.q[0] = -p.q[0];
                p.q[1] = 0.0;
                p.q[2] = 1e-12;
                p.unique = p.count / 3;
            }
            QTest::newRow("negative distribution, zero, unique counts") << dist << qint64(1);
        }
        {
            Rows mixed = timers(10, 5);
            mixed[3].min = std::numeric_limits<double>::quiet_NaN();
            mixed[4].q = { std::nan(""), std::nan(""), std::nan(""), std::nan(""), std::nan("") };
            mixed[5].sum = 0.1 + 0.2; // not a short decimal
            mixed[6].max = 1e300;
            mixed[7].count = -5;
            QTest::newRow("NaN, non-decimal, huge, negative count") << mixed << qint64(1);
        }
        {
            Rows hours = timers(24, 11);
            for (int i = 0; i < 24; ++i)
                hours[size_t(i)].time = 86400 * 20000 + 3600 * i;
            QTest::newRow("hour tier") << hours << qint64(3600);
        }
    }

    void roundTrip()
    {
        QFETCH(Rows, rows);
        QFETCH(qint64, step);
        const qint64 start = rows.empty() ? 0 : rows.front().time - rows.front().time % (step * 60);
        const QByteArray blob = ChunkCodec::encode(rows, start, step, 0.01);
        const auto decoded = ChunkCodec::decode(blob, start, step);
        QVERIFY(decoded);
        QCOMPARE(decoded->size(), rows.size());
        for (size_t i = 0; i < rows.size(); ++i) {
            const StoredPoint &a = rows[i];
            const StoredPoint &b = (*decoded)[i];
            QCOMPARE(b.time, a.time);
            QCOMPARE(b.count, a.count);
            QCOMPARE(b.unique, a.unique);
            QVERIFY(sameDouble(b.sum, a.sum) || std::fabs(b.sum - a.sum) <= 1e-14 * std::fabs(a.sum));
            QVERIFY(sameDouble(b.min, a.min));
            QVERIFY(sameDouble(b.max, a.max));
            QVERIFY(sameDouble(b.last, a.last));
            for (size_t q = 0; q < a.q.size(); ++q) {
                const double expected = ChunkCodec::quantize(a.q[q], a.min, a.max, 0.01);
                QVERIFY2(sameDouble(b.q[q], expected),
                    qPrintable(QStringLiteral("row %1 q%2: %3 vs %4").arg(i).arg(q).arg(b.q[q]).arg(expected)));
                if (std::isfinite(a.q[q]) && std::fabs(a.q[q]) > 1e-9)
                    QVERIFY(std::fabs(b.q[q] - a.q[q]) <= 0.01 * std::fabs(a.q[q]) * (1 + 1e-12));
            }
        }
    }

    void encoderGivesEncodesBytesForEveryPrefix_data()
    {
        roundTrip_data();
        // Column modes that change as rows arrive: NaN first, then decimals that need more digits, then a value
        // that is no decimal at all, and back.
        Rows changing;
        const double sums[] = { std::nan(""), std::nan(""), 5.0, 5.5, 5.25, 5.125, 0.1 + 0.2, 7.0 };
        const double mins[] = { std::nan(""), 1.0, 1.5, 2.0, 2.0, 1e-7, 3.0, 4.0 };
        for (int i = 0; i < 8; ++i) {
            StoredPoint p;
            p.time = 2000 + i;
            p.count = i;
            p.sum = sums[i];
            p.min = mins[i];
            p.max = 10.0 + i;
            p.q[0] = i % 2 ? 6.0 + i : std::nan("");
            changing.push_back(p);
        }
        QTest::newRow("modes change as rows arrive") << changing << qint64(1);
        // A sum stored as a decimal within its tolerance (0.1 + 0.2 as 0.3), and -0.0, before the column becomes XOR:
        // the values written again must be the ones appended, not those the decimal bytes give back.
        Rows inexact;
        const double inexactSums[] = { 0.1 + 0.2, 1.5, -0.0, 0.7 + 0.1, 1.0 / 3.0, 2.0 };
        const double inexactMins[] = { -0.0, 0.25, 0.5, 2.0, 1.0 / 3.0, 1.0 };
        for (int i = 0; i < 6; ++i) {
            StoredPoint p;
            p.time = 3000 + i;
            p.count = 1;
            p.sum = inexactSums[i];
            p.min = inexactMins[i];
            p.max = p.last = 4.0;
            inexact.push_back(p);
        }
        QTest::newRow("inexact decimals, then XOR") << inexact << qint64(1);
    }

    void encoderGivesEncodesBytesForEveryPrefix()
    {
        QFETCH(Rows, rows);
        QFETCH(qint64, step);
        const qint64 start = rows.empty() ? 0 : rows.front().time - rows.front().time % (step * 60);
        ChunkCodec::Encoder encoder(start, step, 0.01);
        QCOMPARE(encoder.blob(false), ChunkCodec::encode({}, start, step, 0.01, false));
        for (size_t n = 1; n <= rows.size(); ++n) {
            encoder.append(rows[n - 1]);
            const Rows prefix(rows.begin(), rows.begin() + qsizetype(n));
            QCOMPARE(encoder.rows(), qsizetype(n));
            QCOMPARE(encoder.blob(false), ChunkCodec::encode(prefix, start, step, 0.01, false));
            QCOMPARE(encoder.blob(true), ChunkCodec::encode(prefix, start, step, 0.01, true));
        }
    }

    void resumedEncoderContinuesEveryPrefix_data()
    {
        encoderGivesEncodesBytesForEveryPrefix_data();
        // A quantile clamped to the row's min: decoded, it equals min and would be encoded again as "equals min".
        Rows clamped = timers(6, 5);
        clamped[2].min = 10.08;
        clamped[2].q[0] = 10.09;
        QTest::newRow("a quantile clamped to min") << clamped << qint64(1);
    }

    // Resumed from the blob of every prefix, the encoder continues with the bytes it was given, and gives what
    // decode() gives for the rows the blob holds followed by the rest (a sum stored as the decimal within its
    // tolerance continues as that decimal). At another accuracy, the blob's rows are encoded again at it.
    void resumedEncoderContinuesEveryPrefix()
    {
        QFETCH(Rows, rows);
        QFETCH(qint64, step);
        const qint64 start = rows.empty() ? 0 : rows.front().time - rows.front().time % (step * 60);
        const auto sameRows = [](const Rows &a, const Rows &b) {
            const auto same = [](const StoredPoint &x, const StoredPoint &y) {
                bool q = true;
                for (size_t i = 0; i < x.q.size(); ++i)
                    q = q && sameDouble(x.q[i], y.q[i]);
                return q && x.time == y.time && x.count == y.count && x.unique == y.unique && sameDouble(x.sum, y.sum)
                    && sameDouble(x.min, y.min) && sameDouble(x.max, y.max) && sameDouble(x.last, y.last);
            };
            return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same);
        };
        for (size_t n = 0; n <= rows.size(); ++n) {
            const Rows prefix(rows.begin(), rows.begin() + qsizetype(n));
            for (bool deflate : { false, true }) {
                for (double accuracy : { 0.01, 0.02 }) {
                    const QByteArray blob = ChunkCodec::encode(prefix, start, step, 0.01, deflate);
                    auto encoder = ChunkCodec::Encoder::resume(blob, start, step, accuracy);
                    QVERIFY(encoder);
                    QCOMPARE(encoder->rows(), qsizetype(n));
                    if (accuracy == 0.01)
                        QCOMPARE(encoder->blob(false), ChunkCodec::encode(prefix, start, step, 0.01, false));
                    Rows expected = *ChunkCodec::decode(blob, start, step);
                    for (size_t i = n; i < rows.size(); ++i) {
                        encoder->append(rows[i]);
                        expected.push_back(rows[i]);
                    }
                    const auto got = ChunkCodec::decode(encoder->blob(false), start, step);
                    QVERIFY(got);
                    QVERIFY(sameRows(*got,
                        *ChunkCodec::decode(ChunkCodec::encode(expected, start, step, accuracy, false), start, step)));
                    QCOMPARE(ChunkCodec::relativeAccuracy(encoder->blob(false)), std::optional<double>(accuracy));
                }
            }
        }
    }

    void resumeRefusesWhatDecodeRefuses()
    {
        const auto previous = qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
        const auto restore = qScopeGuard([previous]() { qInstallMessageHandler(previous); });
        const Rows rows = timers(60, 9);
        for (bool deflate : { false, true }) {
            const QByteArray blob = ChunkCodec::encode(rows, 960, 1, 0.01, deflate);
            for (qsizetype cut = 0; cut < blob.size(); ++cut)
                QVERIFY(!ChunkCodec::Encoder::resume(QByteArrayView(blob).first(cut), 960, 1, 0.01));
            QRandomGenerator rng(2);
            int accepted = 0;
            for (int i = 0; i < 2000; ++i) {
                QByteArray damaged = blob;
                damaged[rng.bounded(int(damaged.size()))] ^= char(1 << rng.bounded(8));
                const auto decoded = ChunkCodec::decode(damaged, 960, 1);
                const auto resumed = ChunkCodec::Encoder::resume(damaged, 960, 1, 0.01);
                QCOMPARE(bool(resumed), bool(decoded));
                if (resumed) {
                    ++accepted;
                    QCOMPARE(resumed->rows(), qsizetype(decoded->size()));
                }
            }
            QVERIFY(accepted > 0); // some damage (a value's bits) still reads
        }
    }

    void quantizingIsIdempotent()
    {
        // A value the sketch reports is stored exactly: quantize(quantize(v)) == quantize(v).
        for (double v : { 0.5, 1.0, 12.345, 99.9, 1234.5, 1e6 }) {
            const double once = ChunkCodec::quantize(v, 0.0, 1e9, 0.01);
            QCOMPARE(ChunkCodec::quantize(once, 0.0, 1e9, 0.01), once);
        }
    }

    void damagedBlobsAreRejectedWithoutCrashing()
    {
        // qUncompress complains about every damaged deflate stream; that is the point here.
        const auto previous = qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
        const auto restore = qScopeGuard([previous]() { qInstallMessageHandler(previous); });
        const Rows rows = timers(60, 9);
        const QByteArray blob = ChunkCodec::encode(rows, 960, 1, 0.01);
        for (qsizetype cut = 0; cut < blob.size(); ++cut)
            QVERIFY(!ChunkCodec::decode(QByteArrayView(blob).first(cut), 960, 1));
        QRandomGenerator rng(1);
        for (int i = 0; i < 2000; ++i) {
            QByteArray damaged = blob;
            damaged[rng.bounded(int(damaged.size()))] ^= char(1 << rng.bounded(8));
            (void)ChunkCodec::decode(damaged, 960, 1); // any answer but a crash
        }
        QVERIFY(!ChunkCodec::decode(QByteArray("\x07\x00", 2), 0, 1)); // unknown version
    }

    void realisticTimerChunkIsCompact()
    {
        // Size is deterministic for a fixed seed; keep the 1 s tier within the budget of docs/storage.md.
        const Rows rows = timers(60, 42);
        const QByteArray blob = ChunkCodec::encode(rows, 960, 1, 0.01);
        const double perValue = double(blob.size()) / (60.0 * 9.0); // count, sum, min, max, 5 quantiles
        qInfo("60 timer seconds: %lld bytes, %.2f B per value", qint64(blob.size()), perValue);
        QVERIFY(blob.size() < 1400);
    }
};

QTEST_GUILESS_MAIN(TestChunkCodec)
#include "tst_chunkcodec.moc"
