// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/promschema.h"
#include "models/quantilesketch.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;

class TestPromSchema : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesAreSanitized()
    {
        QCOMPARE(PromSchema::metricName(u"api.latency"), QByteArray("api_latency"));
        QCOMPARE(PromSchema::metricName(u"9lives:x-y"), QByteArray("_lives:x_y"));
        QCOMPARE(PromSchema::labelName(u"error-type"), QByteArray("error_type"));
        QCOMPARE(PromSchema::labelName(u"job"), QByteArray("tag_job"));
        QCOMPARE(PromSchema::labelName(u"__name__"), QByteArray("tag___name__"));
        QCOMPARE(PromSchema::labelName(u"a:b"), QByteArray("a_b"));
    }

    void valuesAreEscaped()
    {
        QCOMPARE(PromSchema::quoted(u"a\"b\\c\nd"_s), QByteArray("\"a\\\"b\\\\c\\nd\""));
        QCOMPARE(PromSchema::number(0.1), QByteArray("0.1"));
        QCOMPARE(PromSchema::number(std::nan("")), QByteArray("NaN"));
        QCOMPARE(PromSchema::number(-INFINITY), QByteArray("-Inf"));
    }

    void labelsRoundTrip()
    {
        const PromSchema::Labels labels = PromSchema::seriesLabels(
            u"api.latency|job:etl,model:m1,warm"_s, MetricKind::Timer, { { "host", u"node-a"_s } });
        QCOMPARE(PromSchema::labelBlock(labels),
            QByteArray("{host=\"node-a\",model=\"m1\",perfdash_kind=\"timer\",perfdash_series=\"api.latency\","
                       "tag_job=\"etl\",warm=\"true\"}"));
        QHash<QString, QString> read;
        for (const auto &[name, value] : labels)
            read.insert(QString::fromLatin1(name), value);
        read.insert(u"__name__"_s, u"api_latency_bucket"_s);
        read.insert(u"vmrange"_s, u"1...2"_s);
        read.insert(u"job"_s, u"perfdash"_s); // what a scrape adds
        const auto grouped = PromSchema::parseSeries(read, true);
        QVERIFY(grouped);
        QCOMPARE(grouped->key, u"api.latency|host:node-a,job:etl,model:m1,warm:true"_s);
        QCOMPARE(grouped->kind, MetricKind::Timer);
        QCOMPARE(grouped->host, u"node-a"_s);
        QCOMPARE(PromSchema::parseSeries(read, false)->key, u"api.latency|job:etl,model:m1,warm:true"_s);
        read.remove(u"perfdash_series"_s);
        QVERIFY(!PromSchema::parseSeries(read, true));
    }

    void pushLabelsReplaceTags()
    {
        const auto labels = PromSchema::seriesLabels(u"x|host:old"_s, MetricKind::Counter, { { "host", u"new"_s } });
        QCOMPARE(PromSchema::labelBlock(labels),
            QByteArray("{host=\"new\",perfdash_kind=\"counter\",perfdash_series=\"x\"}"));
    }

    void bucketRangesRoundTrip_data()
    {
        QTest::addColumn<double>("alpha");
        QTest::newRow("1%") << 0.01;
        QTest::newRow("0.1%") << 0.001;
        QTest::newRow("5%") << 0.05;
    }
    void bucketRangesRoundTrip()
    {
        QFETCH(double, alpha);
        const QuantileSketch sketch(alpha);
        for (int index = -2000; index <= 2000; index += 7) {
            for (bool negative : { false, true }) {
                const QByteArray text = PromSchema::bucketRange(index, negative, sketch.gamma());
                const auto range = PromSchema::parseRange(QString::fromLatin1(text));
                QVERIFY2(range, text.constData());
                QCOMPARE(range->index, index);
                QCOMPARE(range->sign,
                    negative ? PromSchema::BucketRange::Sign::Negative : PromSchema::BucketRange::Sign::Positive);
                QCOMPARE(QuantileSketch((range->gamma - 1) / (range->gamma + 1)).gamma(), sketch.gamma());
            }
        }
        // A value lands in the bucket whose range holds it.
        const double value = 123.456;
        const int index = sketch.indexOf(value);
        const auto range
            = PromSchema::parseRange(QString::fromLatin1(PromSchema::bucketRange(index, false, sketch.gamma())));
        const QString text = QString::fromLatin1(PromSchema::bucketRange(index, false, sketch.gamma()));
        QVERIFY(text.section(u"..."_s, 0, 0).toDouble() < value && value <= text.section(u"..."_s, 1, 1).toDouble());
        QCOMPARE(range->index, index);
    }

    void badRangesAreRefused()
    {
        QVERIFY(!PromSchema::parseRange(u"1...1"));
        QVERIFY(!PromSchema::parseRange(u"x...2"));
        QVERIFY(!PromSchema::parseRange(u"-1...2"));
        QVERIFY(!PromSchema::parseRange(u"12"));
        QCOMPARE(PromSchema::parseRange(QString::fromLatin1(PromSchema::zeroRange()))->sign,
            PromSchema::BucketRange::Sign::Zero);
    }
};

QTEST_GUILESS_MAIN(TestPromSchema)
#include "tst_promschema.moc"
