// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/quantilesketch.h"

#include <QTest>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

enum class Shape { LogNormal, Pareto, Bimodal, Constant, WideRange, Negative, MixedWithZeros };

std::vector<double> generate(Shape shape, int n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::lognormal_distribution<double> latency(3.0, 1.0); // median ~20 ms
    std::normal_distribution<double> normal(0.0, 50.0);
    std::normal_distribution<double> standard(0.0, 1.0);
    std::vector<double> values;
    values.reserve(size_t(n));
    for (int i = 0; i < n; ++i) {
        switch (shape) {
        case Shape::LogNormal:
            values.push_back(latency(rng));
            break;
        case Shape::Pareto: // x_m = 1, tail index 1.1: a heavy tail reaching ~1e4 and beyond
            values.push_back(1.0 / std::pow(1.0 - unit(rng), 1.0 / 1.1));
            break;
        case Shape::Bimodal: // cache hits around 2 ms, misses around 150 ms
            values.push_back(
                unit(rng) < 0.7 ? 2.0 * std::exp(0.2 * standard(rng)) : 150.0 * std::exp(0.3 * standard(rng)));
            break;
        case Shape::Constant:
            values.push_back(42.0);
            break;
        case Shape::WideRange: // log-uniform from 1 us to one hour, in seconds
            values.push_back(std::exp(std::log(1e-6) + unit(rng) * (std::log(3600.0) - std::log(1e-6))));
            break;
        case Shape::Negative:
            values.push_back(-latency(rng));
            break;
        case Shape::MixedWithZeros: {
            const double u = unit(rng);
            values.push_back(u < 0.1 ? 0.0 : u < 0.15 ? 1e-12 * normal(rng) : normal(rng));
            break;
        }
        }
    }
    if (shape == Shape::WideRange && n >= 2) {
        values[0] = 1e-6;
        values[1] = 3600.0;
    }
    return values;
}

QuantileSketch sketchOf(const std::vector<double> &values, double alpha = 0.01, int maxBuckets = 2048)
{
    QuantileSketch sketch(alpha, maxBuckets);
    for (double v : values)
        sketch.add(v);
    return sketch;
}

// The documented definition: the value at 0-based rank floor(q * (n - 1)) of the sorted values.
double exactQuantile(const std::vector<double> &sorted, double q)
{
    return sorted[size_t(q * double(sorted.size() - 1))];
}

bool withinRelativeError(double estimate, double exact, double alpha)
{
    // Below kMinIndexableValue values count as zero, so the error there is absolute.
    const double slack = std::fabs(exact) < QuantileSketch::kMinIndexableValue ? QuantileSketch::kMinIndexableValue : 0;
    return std::fabs(estimate - exact) <= alpha * std::fabs(exact) * (1.0 + 1e-9) + slack;
}

// Forces QStringBuilder expressions (QT_USE_QSTRINGBUILDER) into a QByteArray.
std::optional<QuantileSketch> parse(const QByteArray &blob)
{
    return QuantileSketch::deserialize(blob);
}

const double kQuantiles[] = { 0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 };

} // namespace

Q_DECLARE_METATYPE(Shape)
Q_DECLARE_METATYPE(perfdash::QuantileSketch)

class TestQuantileSketch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void addingNCopiesIsAddingNTimes()
    {
        QuantileSketch once;
        QuantileSketch weighted;
        const std::pair<double, quint64> values[] = { { 3.5, 7 }, { -2.0, 3 }, { 0.0, 4 }, { 1e6, 1 }, { 42.0, 0 } };
        for (const auto &[v, n] : values) {
            for (quint64 i = 0; i < n; ++i)
                once.add(v);
            QVERIFY(weighted.add(v, n));
        }
        QVERIFY(!weighted.add(std::numeric_limits<double>::infinity(), 3));
        QCOMPARE(weighted.count(), once.count());
        QCOMPARE(weighted.serialize(), once.serialize());
        for (double q : { 0.0, 0.1, 0.5, 0.9, 1.0 })
            QCOMPARE(weighted.quantile(q), once.quantile(q));
    }
    void fastIndexMatchesStdLog_data()
    {
        QTest::addColumn<double>("alpha");
        QTest::newRow("1%") << 0.01;
        QTest::newRow("0.1%") << 0.001;
        QTest::newRow("min") << QuantileSketch::kMinRelativeAccuracy;
        QTest::newRow("max") << QuantileSketch::kMaxRelativeAccuracy;
        QTest::newRow("odd") << 0.0137;
    }
    void fastIndexMatchesStdLog()
    {
        QFETCH(double, alpha);
        const QuantileSketch sketch(alpha);
        const double gamma = (1.0 + alpha) / (1.0 - alpha);
        const double multiplier = 1.0 / std::log(gamma);
        const auto reference = [&](double v) { return int(std::ceil(std::log(v) * multiplier)); };

        // Random magnitudes over the whole indexable range.
        std::mt19937_64 rng(1);
        std::uniform_real_distribution<double> logUniform(std::log(QuantileSketch::kMinIndexableValue), 709.0);
        for (int i = 0; i < 200000; ++i) {
            const double v = std::exp(logUniform(rng));
            QCOMPARE(sketch.indexOf(v), reference(v));
        }
        // Right at the bucket boundaries, where the fast logarithm has to defer to std::log.
        for (int i = reference(QuantileSketch::kMinIndexableValue); i < reference(1e300); i += 7) {
            double v = std::pow(gamma, double(i));
            for (int step = 0; step < 4; ++step) {
                QCOMPARE(sketch.indexOf(v), reference(v));
                QCOMPARE(sketch.indexOf(std::nextafter(v, 0.0)), reference(std::nextafter(v, 0.0)));
                v = std::nextafter(v, HUGE_VAL);
            }
        }
        QCOMPARE(sketch.indexOf(std::numeric_limits<double>::max()), reference(std::numeric_limits<double>::max()));
        QCOMPARE(sketch.indexOf(1.0), 0);
    }

    void accuracy_data()
    {
        QTest::addColumn<Shape>("shape");
        QTest::addColumn<int>("n");
        QTest::newRow("lognormal") << Shape::LogNormal << 100000;
        QTest::newRow("pareto") << Shape::Pareto << 100000;
        QTest::newRow("bimodal") << Shape::Bimodal << 100000;
        QTest::newRow("constant") << Shape::Constant << 100000;
        QTest::newRow("1us-to-1h") << Shape::WideRange << 100000;
        QTest::newRow("negative") << Shape::Negative << 100000;
        QTest::newRow("mixed-signs-and-zeros") << Shape::MixedWithZeros << 100000;
        QTest::newRow("n=1") << Shape::LogNormal << 1;
        QTest::newRow("n=2") << Shape::LogNormal << 2;
        QTest::newRow("n=10") << Shape::Pareto << 10;
        QTest::newRow("n=10-mixed") << Shape::MixedWithZeros << 10;
    }
    void accuracy()
    {
        QFETCH(Shape, shape);
        QFETCH(int, n);
        for (double alpha : { 0.01, 0.001 }) {
            std::vector<double> values = generate(shape, n, 42);
            // At 0.1% the 1 us..1 h range needs ~11000 buckets.
            const QuantileSketch sketch = sketchOf(values, alpha, alpha < 0.01 ? 65536 : 2048);
            QVERIFY(!sketch.collapsed());
            std::sort(values.begin(), values.end());
            QCOMPARE(sketch.count(), quint64(n));
            QCOMPARE(sketch.relativeAccuracy(), alpha);
            QCOMPARE(sketch.min(), values.front());
            QCOMPARE(sketch.max(), values.back());
            long double exactSum = 0;
            long double magnitudes = 0;
            for (double v : values) {
                exactSum += v;
                magnitudes += std::fabs(v);
            }
            QVERIFY(std::fabs(sketch.sum() - double(exactSum)) <= 1e-13 * double(magnitudes));
            for (double q : kQuantiles) {
                const double exact = exactQuantile(values, q);
                const double estimate = sketch.quantile(q);
                if (!withinRelativeError(estimate, exact, alpha))
                    QFAIL(qPrintable(u"q=%1 alpha=%2: estimate %3, exact %4"_s.arg(q)
                                         .arg(alpha)
                                         .arg(estimate, 0, 'g', 17)
                                         .arg(exact, 0, 'g', 17)));
            }
        }
    }

    void zeroAndNegativeZero()
    {
        QuantileSketch a;
        QuantileSketch b;
        a.add(-0.0);
        a.add(0.0);
        b.add(0.0);
        b.add(-0.0);
        QCOMPARE(a.serialize(), b.serialize());
        QCOMPARE(a.zeroCount(), 2u);
        QCOMPARE(a.quantile(0.5), 0.0);
        QVERIFY(!std::signbit(a.min()));
    }

    void rejectsNonFinite()
    {
        QuantileSketch sketch;
        QVERIFY(!sketch.add(std::numeric_limits<double>::quiet_NaN()));
        QVERIFY(!sketch.add(std::numeric_limits<double>::infinity()));
        QVERIFY(!sketch.add(-std::numeric_limits<double>::infinity()));
        QVERIFY(sketch.isEmpty());
        QVERIFY(std::isnan(sketch.quantile(0.5)));
        QVERIFY(sketch.add(std::numeric_limits<double>::max()));
        QVERIFY(sketch.add(-std::numeric_limits<double>::max()));
        QCOMPARE(sketch.quantile(1.0), std::numeric_limits<double>::max());
        QCOMPARE(sketch.quantile(0.0), -std::numeric_limits<double>::max());
        QVERIFY(std::isnan(sketch.quantile(-0.1)));
        QVERIFY(std::isnan(sketch.quantile(1.1)));
        QVERIFY(std::isnan(sketch.quantile(std::numeric_limits<double>::quiet_NaN())));
        QVERIFY(QuantileSketch::deserialize(sketch.serialize()).has_value());
    }

    void mergeOrderDoesNotMatter_data()
    {
        QTest::addColumn<Shape>("shape");
        QTest::addColumn<int>("maxBuckets");
        QTest::newRow("lognormal") << Shape::LogNormal << 2048;
        QTest::newRow("pareto") << Shape::Pareto << 2048;
        QTest::newRow("mixed-signs-and-zeros") << Shape::MixedWithZeros << 2048;
        QTest::newRow("1us-to-1h-collapsing") << Shape::WideRange << 64;
    }
    void mergeOrderDoesNotMatter()
    {
        QFETCH(Shape, shape);
        QFETCH(int, maxBuckets);
        // 60 one-second sketches of ~1000 values each, against one sketch fed every value directly.
        std::mt19937_64 rng(7);
        std::uniform_int_distribution<int> perSecond(500, 1500);
        std::vector<QuantileSketch> seconds;
        QuantileSketch direct(0.01, maxBuckets);
        std::vector<double> all;
        for (int s = 0; s < 60; ++s) {
            const std::vector<double> values = generate(shape, perSecond(rng), 1000 + s);
            seconds.push_back(sketchOf(values, 0.01, maxBuckets));
            for (double v : values)
                direct.add(v);
            all.insert(all.end(), values.begin(), values.end());
        }
        const QByteArray expected = direct.serialize();
        QCOMPARE(maxBuckets < 2048, direct.collapsed());

        for (int trial = 0; trial < 6; ++trial) {
            std::vector<int> order(seconds.size());
            std::iota(order.begin(), order.end(), 0);
            std::shuffle(order.begin(), order.end(), rng);
            QuantileSketch merged(0.01, maxBuckets);
            if (trial % 2 == 0) {
                for (int i : order)
                    QVERIFY(merged.merge(seconds[size_t(i)]));
            } else {
                // Tree-shaped: pairs, then pairs of pairs, as minute and hour rollups do.
                std::vector<QuantileSketch> level;
                for (int i : order)
                    level.push_back(seconds[size_t(i)]);
                while (level.size() > 1) {
                    std::vector<QuantileSketch> next;
                    for (size_t i = 0; i + 1 < level.size(); i += 2) {
                        QVERIFY(level[i].merge(level[i + 1]));
                        next.push_back(level[i]);
                    }
                    if (level.size() % 2)
                        next.push_back(level.back());
                    level = std::move(next);
                }
                merged = level.front();
            }
            QCOMPARE(merged.serialize(), expected);
            QCOMPARE(merged.count(), direct.count());
            QCOMPARE(merged.collapsedCount(), direct.collapsedCount());
            for (double q : kQuantiles)
                QCOMPARE(merged.quantile(q), direct.quantile(q));
        }

        if (!direct.collapsed()) {
            std::sort(all.begin(), all.end());
            for (double q : kQuantiles)
                QVERIFY(withinRelativeError(direct.quantile(q), exactQuantile(all, q), 0.01));
        }
    }

    void mergeRejectsMismatch()
    {
        QuantileSketch a(0.01);
        QuantileSketch b(0.02);
        QuantileSketch c(0.01, 512);
        a.add(1.0);
        b.add(2.0);
        c.add(3.0);
        const QByteArray before = a.serialize();
        QVERIFY(!a.merge(b));
        QVERIFY(!a.merge(c));
        QCOMPARE(a.serialize(), before);
        QVERIFY(a.merge(QuantileSketch(0.01)));
        QCOMPARE(a.serialize(), before);
        QVERIFY(a.merge(a));
        QCOMPARE(a.count(), 2u);
        QCOMPARE(a.sum(), 2.0);
    }

    void collapse()
    {
        // 64 buckets at 1% span a ratio of 3.6, against 3.6e9 for the data: most values collapse.
        const int maxBuckets = 64;
        const double alpha = 0.01;
        std::vector<double> values = generate(Shape::WideRange, 100000, 3);
        QuantileSketch sketch = sketchOf(values, alpha, maxBuckets);
        QVERIFY(sketch.collapsed());

        // Exactly the values below the kept window are reported as collapsed.
        const auto expectedCollapsed = [&] {
            int highest = std::numeric_limits<int>::min();
            for (double v : values)
                highest = std::max(highest, sketch.indexOf(v));
            return quint64(std::count_if(
                values.begin(), values.end(), [&](double v) { return sketch.indexOf(v) < highest - maxBuckets + 1; }));
        };
        QCOMPARE(sketch.collapsedCount(), expectedCollapsed());

        // Quantiles whose rank lies above the collapsed values keep the guarantee: p99 and p999 among them.
        std::vector<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        const auto n = sorted.size();
        QVERIFY(quint64(0.99 * double(n - 1)) >= sketch.collapsedCount());
        for (double q : kQuantiles) {
            if (quint64(q * double(n - 1)) < sketch.collapsedCount())
                continue;
            QVERIFY(withinRelativeError(sketch.quantile(q), exactQuantile(sorted, q), alpha));
        }

        // Values far below the window collapse one by one and are counted.
        const quint64 before = sketch.collapsedCount();
        for (double v : { 1e-8, 2e-8 }) {
            sketch.add(v);
            values.push_back(v);
        }
        QCOMPARE(sketch.collapsedCount(), before + 2);
        // A value far above moves the window up: everything below it collapses, earlier collapses included.
        sketch.add(1e9);
        values.push_back(1e9);
        QCOMPARE(sketch.collapsedCount(), expectedCollapsed());
        QCOMPARE(sketch.collapsedCount(), sketch.count() - 1);
        QCOMPARE(sketch.quantile(1.0), 1e9);

        const auto back = QuantileSketch::deserialize(sketch.serialize());
        QVERIFY(back.has_value());
        QCOMPARE(back->serialize(), sketch.serialize());
        QCOMPARE(back->collapsedCount(), sketch.collapsedCount());
    }

    void roundTrip_data()
    {
        QTest::addColumn<QuantileSketch>("sketch");
        QTest::newRow("empty") << QuantileSketch();
        QTest::newRow("one") << sketchOf({ 12.5 });
        QTest::newRow("zeros") << sketchOf({ 0.0, 0.0, 1e-12 });
        QTest::newRow("mixed") << sketchOf(generate(Shape::MixedWithZeros, 5000, 5));
        QTest::newRow("lognormal-0.1%") << sketchOf(generate(Shape::LogNormal, 5000, 5), 0.001);
        QTest::newRow("collapsed") << sketchOf(generate(Shape::WideRange, 5000, 5), 0.01, 16);
        QTest::newRow("extremes") << sketchOf({ 1e-9, 1e308, -1e308, -1e-9, 3600.0 });
    }
    void roundTrip()
    {
        QFETCH(QuantileSketch, sketch);
        const QByteArray blob = sketch.serialize();
        QCOMPARE(quint8(blob.front()), QuantileSketch::kFormatVersion);
        const auto back = QuantileSketch::deserialize(blob);
        QVERIFY(back.has_value());
        QCOMPARE(back->serialize(), blob);
        QCOMPARE(back->count(), sketch.count());
        QCOMPARE(back->zeroCount(), sketch.zeroCount());
        QCOMPARE(back->relativeAccuracy(), sketch.relativeAccuracy());
        QCOMPARE(back->maxBuckets(), sketch.maxBuckets());
        QCOMPARE(back->collapsedCount(), sketch.collapsedCount());
        if (!sketch.isEmpty()) {
            QCOMPARE(back->sum(), sketch.sum());
            QCOMPARE(back->min(), sketch.min());
            QCOMPARE(back->max(), sketch.max());
        }
        for (double q : kQuantiles)
            QCOMPARE(back->quantile(q), sketch.quantile(q));
        // A deserialized sketch merges like the original.
        QuantileSketch a = sketch;
        QuantileSketch b = *back;
        QVERIFY(a.merge(sketch));
        QVERIFY(b.merge(sketch));
        QCOMPARE(b.serialize(), a.serialize());
    }

    void blobSize()
    {
        // One second of ~1000 latencies must stay well under a SQLite page (DESIGN.md, Storage).
        const QByteArray blob = sketchOf(generate(Shape::LogNormal, 1000, 9)).serialize();
        QVERIFY2(blob.size() < 1024, qPrintable(QString::number(blob.size())));
    }

    void corruptBlobs_data()
    {
        QTest::addColumn<QByteArray>("blob");
        QTest::newRow("empty") << QuantileSketch().serialize();
        QTest::newRow("lognormal") << sketchOf(generate(Shape::LogNormal, 1000, 11)).serialize();
        QTest::newRow("mixed") << sketchOf(generate(Shape::MixedWithZeros, 1000, 11)).serialize();
        QTest::newRow("collapsed") << sketchOf(generate(Shape::WideRange, 1000, 11), 0.01, 16).serialize();
    }
    void corruptBlobs()
    {
        QFETCH(QByteArray, blob);
        QVERIFY(QuantileSketch::deserialize(blob).has_value());

        // Every proper prefix is missing a field.
        for (qsizetype len = 0; len < blob.size(); ++len)
            QVERIFY(!QuantileSketch::deserialize(QByteArrayView(blob).first(len)).has_value());
        QVERIFY(!parse(blob + '\0').has_value());

        QByteArray wrongVersion = blob;
        for (int version : { 0, 2, 255 }) {
            wrongVersion[0] = char(version);
            QVERIFY(!QuantileSketch::deserialize(wrongVersion).has_value());
        }

        // Random bit flips: rejected, or a valid sketch that behaves like one.
        std::mt19937_64 rng(13);
        std::uniform_int_distribution<qsizetype> position(0, blob.size() * 8 - 1);
        std::uniform_int_distribution<int> flips(1, 4);
        for (int trial = 0; trial < 20000; ++trial) {
            QByteArray damaged = blob;
            for (int f = flips(rng); f > 0; --f) {
                const qsizetype bit = position(rng);
                damaged[bit / 8] = char(damaged[bit / 8] ^ (1 << (bit % 8)));
            }
            const auto sketch = QuantileSketch::deserialize(damaged);
            if (!sketch)
                continue;
            QCOMPARE(sketch->serialize(), damaged); // the encoding is canonical
            for (double q : kQuantiles) {
                const double v = sketch->quantile(q);
                QVERIFY(sketch->isEmpty() || (v >= sketch->min() && v <= sketch->max()));
            }
            QuantileSketch copy = *sketch;
            copy.merge(*sketch);
            copy.add(1.0);
        }

        // Random garbage behind a valid version byte.
        std::uniform_int_distribution<int> byte(0, 255);
        std::uniform_int_distribution<int> length(1, 200);
        for (int trial = 0; trial < 20000; ++trial) {
            QByteArray garbage(length(rng), Qt::Uninitialized);
            for (char &c : garbage)
                c = char(byte(rng));
            garbage[0] = char(QuantileSketch::kFormatVersion);
            const auto sketch = QuantileSketch::deserialize(garbage);
            if (sketch)
                QCOMPARE(sketch->serialize(), garbage);
        }
    }

    void hostileHeaders()
    {
        const auto varint = [](quint64 v) {
            QByteArray out;
            while (v >= 0x80) {
                out.append(char(v | 0x80));
                v >>= 7;
            }
            out.append(char(v));
            return out;
        };
        const auto f64 = [](double v) {
            QByteArray out(8, Qt::Uninitialized);
            qToLittleEndian(v, out.data());
            return out;
        };
        const auto header = [&](double alpha, quint64 maxBuckets, quint64 count) -> QByteArray {
            return QByteArray(1, char(QuantileSketch::kFormatVersion)) + f64(alpha) + varint(maxBuckets) + varint(count)
                + f64(1.0) + f64(1.0) + f64(1.0) + varint(0);
        };
        const QByteArray oneBucket = varint(0) + varint(0) + varint(0) + varint(1) + varint(0) + varint(1);
        const QByteArray valid = header(0.01, 2048, 1) + oneBucket;
        QVERIFY(parse(valid).has_value());

        QVERIFY(!parse({}).has_value());
        // Absurd bucket counts, bounds and accuracies.
        QVERIFY(!parse(header(0.01, 2048, 1) + varint(0) + varint(quint64(1) << 40)).has_value());
        QVERIFY(!parse(header(0.01, quint64(1) << 40, 1) + oneBucket).has_value());
        QVERIFY(!parse(header(0.01, 4, 1) + oneBucket).has_value());
        QVERIFY(!parse(header(0.0, 2048, 1) + oneBucket).has_value());
        QVERIFY(!parse(header(0.9, 2048, 1) + oneBucket).has_value());
        QVERIFY(!parse(header(std::nan(""), 2048, 1) + oneBucket).has_value());
        // Counts that do not add up.
        QVERIFY(!parse(header(0.01, 2048, 2) + oneBucket).has_value());
        QVERIFY(!parse(header(0.01, 2048, quint64(-1)) + oneBucket).has_value());
        // A zero count, an index beyond the largest double, a span wider than the bound.
        QVERIFY(!parse(header(0.01, 2048, 0) + varint(0) + varint(0) + varint(0) + varint(1) + varint(0) + varint(0))
                     .has_value());
        QVERIFY(!parse(
            header(0.01, 2048, 1) + varint(0) + varint(0) + varint(0) + varint(1) + varint(2 * 100000) + varint(1))
                     .has_value());
        QVERIFY(!parse(header(0.01, 16, 2) + varint(0) + varint(0) + varint(0) + varint(2) + varint(0) + varint(1)
            + varint(20) + varint(1))
                     .has_value());
        // A collapsed count without a full window.
        QVERIFY(!parse(header(0.01, 2048, 1) + varint(0) + varint(0) + varint(1) + varint(1) + varint(0) + varint(1))
                     .has_value());
        // Varints that overflow 64 bits or are not minimal.
        QVERIFY(
            !parse(header(0.01, 2048, 1) + varint(0) + varint(0) + varint(0) + QByteArray(11, char(0xff))).has_value());
        QVERIFY(!parse(header(0.01, 2048, 1) + varint(0) + varint(0) + varint(0) + varint(1) + QByteArray("\x80\x00", 2)
            + varint(1))
                     .has_value());
        // min and max that contradict the buckets.
        QByteArray badMinMax = valid;
        std::memcpy(badMinMax.data() + 1 + 8 + 2 + 1 + 8, f64(-5.0).constData(), 8);
        QVERIFY(!parse(badMinMax).has_value());
    }

    void meaningfulCounts_data()
    {
        QTest::addColumn<double>("q");
        QTest::addColumn<quint64>("minCount");
        QTest::newRow("min") << 0.0 << quint64(1);
        QTest::newRow("p50") << 0.5 << quint64(2);
        QTest::newRow("p90") << 0.9 << quint64(10);
        QTest::newRow("p95") << 0.95 << quint64(20);
        QTest::newRow("p99") << 0.99 << quint64(100);
        QTest::newRow("p999") << 0.999 << quint64(1000);
        QTest::newRow("max") << 1.0 << quint64(1);
    }
    void meaningfulCounts()
    {
        QFETCH(double, q);
        QFETCH(quint64, minCount);
        QCOMPARE(QuantileSketch::minCountFor(q), minCount);
        QuantileSketch sketch;
        QVERIFY(!sketch.isMeaningful(q));
        for (quint64 i = 1; i < minCount; ++i)
            sketch.add(double(i));
        QVERIFY(minCount == 1 || !sketch.isMeaningful(q));
        sketch.add(1.0);
        QVERIFY(sketch.isMeaningful(q));
    }
};

QTEST_GUILESS_MAIN(TestQuantileSketch)
#include "tst_quantilesketch.moc"
