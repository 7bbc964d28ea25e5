// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleetframes.h"
#include "fleet/promencoder.h"

#include <QTest>

#include <map>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;
using namespace perfdash::test;

namespace {

struct Sample {
    QByteArray metric; // name{labels}
    double value = 0;
    qint64 timestampMs = -1;
};

QVector<Sample> parse(const QByteArray &text)
{
    QVector<Sample> samples;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty())
            continue;
        const qsizetype brace = line.lastIndexOf('}');
        const QList<QByteArray> rest = line.mid(brace + 2).split(' ');
        samples.push_back(
            { line.left(brace + 1), rest.value(0).toDouble(), rest.size() > 1 ? rest[1].toLongLong() : -1 });
    }
    return samples;
}

// The sketch a reader rebuilds from a push's cumulative buckets.
QuantileSketch rebuild(const QVector<Sample> &samples, qint64 timestampMs)
{
    QuantileSketch sketch;
    for (const Sample &s : samples) {
        if (s.timestampMs != timestampMs || !s.metric.startsWith("lat_bucket"))
            continue;
        const qsizetype at = s.metric.indexOf("vmrange=\"") + 9;
        const auto range
            = PromSchema::parseRange(QString::fromLatin1(s.metric.mid(at, s.metric.indexOf('"', at) - at)));
        if (range && range->sign == PromSchema::BucketRange::Sign::Positive)
            sketch.add(sketch.bucketValue(range->index), quint64(s.value));
    }
    return sketch;
}

} // namespace

class TestPromEncoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pushesCumulativeBucketsWithZerosForNewOnes()
    {
        PromEncoder encoder({ { "host", u"a"_s } });
        QVector<double> values;
        for (int i = 1; i <= 200; ++i)
            values.push_back(double(i));
        encoder.add({ 100, { timer(u"lat|model:m1"_s, values.mid(0, 100)) } });
        encoder.add({ 101, { timer(u"lat|model:m1"_s, values.mid(100)) } });
        encoder.add({ 102, { timer(u"lat|model:m1"_s, { 5000 }) }, {}, true }); // provisional: skipped
        const QVector<Sample> first = parse(encoder.takePush(110000));
        // Every bucket starts from zero at the interval's first second, then holds its count.
        std::map<QByteArray, double> zeros, counts;
        for (const Sample &s : first) {
            if (s.timestampMs == 100000)
                zeros[s.metric] = s.value;
            else
                QCOMPARE(s.timestampMs, 110000);
            if (s.timestampMs == 110000 && s.metric.startsWith("lat_bucket"))
                counts[s.metric] = s.value;
        }
        QVERIFY(!counts.empty());
        for (const auto &[metric, count] : counts)
            QVERIFY2(zeros.count(metric) && zeros[metric] == 0, metric.constData());
        const auto find = [](const QVector<Sample> &samples, const QByteArray &prefix) {
            for (const Sample &s : samples)
                if (s.metric.startsWith(prefix) && s.timestampMs > 100000)
                    return s.value;
            return std::nan("");
        };
        QCOMPARE(find(first, "lat_count{"), 200.0);
        QCOMPARE(find(first, "lat_sum{"), 20100.0);
        QCOMPARE(find(first, "lat_min{"), 1.0);
        QCOMPARE(find(first, "lat_max{"), 200.0);
        // The rebuilt sketch is the merged one: the same quantiles to the bit.
        QuantileSketch merged;
        for (double v : values)
            merged.add(v);
        const QuantileSketch rebuilt = rebuild(first, 110000);
        QCOMPARE(rebuilt.count(), quint64(200));
        for (double q : { 0.5, 0.95, 0.99 })
            QCOMPARE(rebuilt.quantile(q), merged.quantile(q));
        QCOMPARE(find(first,
                     "lat{host=\"a\",model=\"m1\",perfdash_kind=\"timer\",perfdash_series=\"lat\",quantile=\"0.95\"}"),
            merged.quantile(0.95));

        // The next push: cumulative counts, and zeros only for a bucket never sent.
        encoder.add({ 111, { timer(u"lat|model:m1"_s, { 1.0, 100000.0 }) } });
        const QVector<Sample> second = parse(encoder.takePush(120000));
        int zeroLines = 0;
        for (const Sample &s : second) {
            if (s.timestampMs == 110000) {
                ++zeroLines;
                QVERIFY2(s.metric.contains("...1.007486442e+05"), s.metric.constData()); // only the bucket of 100000
                QCOMPARE(s.value, 0.0);
            }
        }
        QCOMPARE(zeroLines, 1);
        QCOMPARE(find(second, "lat_count{"), 202.0);
        QCOMPARE(find(second, "lat_min{"), 1.0); // this interval's
        // Only the buckets that moved: 1's and 100000's (the rest stand as the first push left them).
        int bucketLines = 0;
        for (const Sample &s : second)
            bucketLines += s.timestampMs == 120000 && s.metric.startsWith("lat_bucket");
        QCOMPARE(bucketLines, 2);
        QCOMPARE(rebuild(second, 120000).count(), quint64(3)); // cumulative: 1 twice, 100000 once
        // Nothing new: an empty push.
        QVERIFY(encoder.takePush(130000).isEmpty());
        // A minute after its last push a series is sent whole again, changed or not, so increase() always finds the
        // sample before its window; a refresh has no interval figures.
        const QVector<Sample> refresh = parse(encoder.takePush(180000));
        QCOMPARE(rebuild(refresh, 180000).count(), quint64(202));
        QCOMPARE(find(refresh, "lat_count{"), 202.0);
        QVERIFY(std::isnan(find(refresh, "lat_min{")));
        QVERIFY(encoder.takePush(190000).isEmpty());
    }

    void countersAndGaugesAreCumulative()
    {
        PromEncoder encoder;
        SeriesStats counter;
        counter.key = u"req|status:ok"_s;
        counter.kind = MetricKind::Counter;
        counter.sum = 2.5;
        SeriesStats gauge;
        gauge.key = u"queue"_s;
        gauge.kind = MetricKind::Gauge;
        gauge.count = 1;
        gauge.last = gauge.min = gauge.max = 7;
        encoder.add({ 10, { counter, gauge } });
        gauge.last = gauge.min = gauge.max = 3;
        encoder.add({ 11, { counter, gauge } });
        const QByteArray text = encoder.takePush(20000);
        QVERIFY2(text.contains("req_total{perfdash_kind=\"counter\",perfdash_series=\"req\",status=\"ok\"} 0 10000"),
            text.constData());
        QVERIFY(text.contains("req_total{perfdash_kind=\"counter\",perfdash_series=\"req\",status=\"ok\"} 5 20000"));
        QVERIFY(text.contains("queue{perfdash_kind=\"gauge\",perfdash_series=\"queue\"} 3 20000"));
        QVERIFY(text.contains("queue_samples_total{perfdash_kind=\"gauge\",perfdash_series=\"queue\"} 2 20000"));
        QVERIFY(text.contains("queue_max{perfdash_kind=\"gauge\",perfdash_series=\"queue\"} 7 20000"));
        // A scrape: the cumulative state, no timestamps, no interval figures.
        const QByteArray scrape = encoder.renderScrape();
        QVERIFY2(scrape.contains("req_total{perfdash_kind=\"counter\",perfdash_series=\"req\",status=\"ok\"} 5\n"),
            scrape.constData());
        QVERIFY(!scrape.contains("_max"));
        QCOMPARE(encoder.seriesCount(), 2);
    }
};

QTEST_GUILESS_MAIN(TestPromEncoder)
#include "tst_promencoder.moc"
