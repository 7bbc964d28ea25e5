// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/qualitymetrics.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
struct Scored {
    double score;
    bool truth;
};

// AUC as the Mann-Whitney U with average ranks for ties: O(n log n), exact.
double exactAuc(std::vector<Scored> records)
{
    std::sort(records.begin(), records.end(), [](const Scored &a, const Scored &b) { return a.score < b.score; });
    double rankSumPositives = 0;
    double positives = 0;
    size_t i = 0;
    while (i < records.size()) {
        size_t j = i;
        while (j < records.size() && records[j].score == records[i].score)
            ++j;
        const double averageRank = (double(i + 1) + double(j)) / 2.0; // ranks i+1 .. j
        for (size_t k = i; k < j; ++k) {
            if (records[k].truth) {
                rankSumPositives += averageRank;
                positives += 1;
            }
        }
        i = j;
    }
    const double negatives = double(records.size()) - positives;
    return (rankSumPositives - positives * (positives + 1) / 2) / (positives * negatives);
}

QualityMetrics fromRecords(const std::vector<Scored> &records)
{
    QualityMetrics m;
    for (const auto &r : records)
        m.addBinary(r.score, r.truth);
    return m;
}

double sigmoid(double x)
{
    return 1.0 / (1.0 + std::exp(-x));
}
} // namespace

class TestQualityMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void binaryByHand()
    {
        // threshold 0.5: TP 0.9 0.8 0.6 | FP 0.7 0.55 | FN 0.3 | TN 0.4 0.2 0.1
        const std::vector<Scored> records { { 0.9, true }, { 0.8, true }, { 0.7, false }, { 0.6, true },
            { 0.55, false }, { 0.4, false }, { 0.3, true }, { 0.2, false }, { 0.1, false } };
        const QualityMetrics m = fromRecords(records);
        QCOMPARE(m.confusion().truePositives, quint64(3));
        QCOMPARE(m.confusion().falsePositives, quint64(2));
        QCOMPARE(m.confusion().trueNegatives, quint64(3));
        QCOMPARE(m.confusion().falseNegatives, quint64(1));
        QCOMPARE(m.accuracy(), 6.0 / 9.0);
        QCOMPARE(m.precision(), 3.0 / 5.0);
        QCOMPARE(m.recall(), 3.0 / 4.0);
        QVERIFY(qFuzzyCompare(m.f1(), 2.0 / 3.0)); // 2 * 0.6 * 0.75 / 1.35
        // The negative class: precision 3/4, recall 3/5.
        QVERIFY(qFuzzyCompare(m.macroPrecision(), (0.6 + 0.75) / 2));
        QVERIFY(qFuzzyCompare(m.macroRecall(), (0.75 + 0.6) / 2));
        QVERIFY(qFuzzyCompare(m.macroF1(), 2.0 / 3.0));
        // 16 of the 20 positive-negative pairs are ordered right; no pair shares a bin.
        QCOMPARE(m.aucRoc(), 0.8);
        QCOMPARE(m.aucErrorBound(), 0.0);
        QCOMPARE(exactAuc(records), 0.8);
    }

    void binaryTiesCountHalf()
    {
        QualityMetrics m;
        m.addBinary(0.5, true);
        m.addBinary(0.5, false);
        m.addBinary(1.0, true); // the top bin holds score 1
        m.addBinary(0.0, false);
        // Pairs: (0.5+, 0.5-) tie, (0.5+, 0-) win, (1+, 0.5-) win, (1+, 0-) win: 3.5 / 4.
        QCOMPARE(m.aucRoc(), 0.875);
        QCOMPARE(m.aucErrorBound(), 0.125); // one of 4 pairs shares a bin, half of it may be wrong
        QCOMPARE(m.confusion().truePositives, quint64(2)); // score >= threshold is positive
        QCOMPARE(m.confusion().falsePositives, quint64(1));
    }

    void multiClassByHand()
    {
        QualityMetrics m;
        const std::pair<const char16_t *, const char16_t *> records[] = {
            { u"cat", u"cat" },
            { u"cat", u"dog" },
            { u"dog", u"dog" },
            { u"bird", u"dog" },
            { u"cat", u"cat" },
            { u"dog", u"bird" },
        };
        for (const auto &[predicted, truth] : records)
            QVERIFY(m.addClass(QString::fromUtf16(predicted), QString::fromUtf16(truth)));
        // cat: P 2/3, R 1, F1 0.8; dog: P 1/2, R 1/3, F1 0.4; bird: P 0, R 0, F1 0.
        QCOMPARE(m.classRecords(), quint64(6));
        QCOMPARE(m.accuracy(), 0.5);
        QVERIFY(qFuzzyCompare(m.macroPrecision(), 7.0 / 18.0));
        QVERIFY(qFuzzyCompare(m.macroRecall(), 4.0 / 9.0));
        QVERIFY(qFuzzyCompare(m.macroF1(), 0.4));
        QVERIFY(std::isnan(m.precision())); // no binary records
        QVERIFY(std::isnan(m.aucRoc()));
    }

    void regressionByHand()
    {
        QualityMetrics m;
        // errors 1, 1, 1, 6; the zero truth is skipped by MAPE and counted.
        QVERIFY(m.addRegression(3, 2));
        QVERIFY(m.addRegression(1, 0));
        QVERIFY(m.addRegression(4, 5));
        QVERIFY(m.addRegression(2, -4));
        QCOMPARE(m.regressionRecords(), quint64(4));
        QCOMPARE(m.zeroTruths(), quint64(1));
        QCOMPARE(m.mae(), 2.25);
        QCOMPARE(m.rmse(), std::sqrt(39.0 / 4.0));
        QVERIFY(qFuzzyCompare(m.mape(), (0.5 + 0.2 + 1.5) / 3.0));
        QVERIFY(std::isnan(m.accuracy()));
    }

    void emptyAndRefused()
    {
        QualityMetrics m;
        QVERIFY(std::isnan(m.accuracy()));
        QVERIFY(std::isnan(m.f1()));
        QVERIFY(std::isnan(m.macroF1()));
        QVERIFY(std::isnan(m.rmse()));
        QVERIFY(std::isnan(m.mape()));
        QVERIFY(!m.addBinary(std::nan(""), true));
        QVERIFY(!m.addBinary(1.5, true));
        QVERIFY(!m.addBinary(-0.1, false));
        QVERIFY(!m.addRegression(std::nan(""), 1));
        QVERIFY(!m.addRegression(1e200, 1));
        QVERIFY(!m.addRegression(1, std::numeric_limits<double>::infinity()));
        QVERIFY(!m.addRegression(1e100, 1e-300)); // the percentage error would overflow
        QCOMPARE(m.rejected(), quint64(7));
        QCOMPARE(m.regressionRecords(), quint64(0));
        // Only zero truths: MAE is defined, MAPE is not.
        QVERIFY(m.addRegression(2, 0));
        QCOMPARE(m.mae(), 2.0);
        QVERIFY(std::isnan(m.mape()));
        for (int i = 0; i < QualityMetrics::kMaxClasses; ++i)
            QVERIFY(m.addClass(QString::number(i), QString::number(i)));
        QVERIFY(!m.addClass(u"one too many"_s, u"0"_s));
        QVERIFY(m.addClass(u"0"_s, u"1"_s)); // known labels are still taken
        QCOMPARE(m.rejected(), quint64(8));
        QualityMetrics otherBins(100);
        QVERIFY(!m.merge(otherBins));
        QualityMetrics otherThreshold(QualityMetrics::kDefaultScoreBins, 0.7);
        QVERIFY(!m.merge(otherThreshold));
    }

    void aucWithinHalfAPercentOfExact_data()
    {
        QTest::addColumn<int>("fixture");
        QTest::addColumn<int>("n");
        QTest::newRow("uniform, weak signal") << 0 << 20000;
        QTest::newRow("uniform, small") << 0 << 50;
        QTest::newRow("sigmoid of separated normals") << 1 << 20000;
        QTest::newRow("scores rounded to 0.01 (many ties)") << 2 << 10000;
        QTest::newRow("imbalanced, 2% positives") << 3 << 50000;
        QTest::newRow("confident model, saturated scores") << 4 << 20000;
    }
    void aucWithinHalfAPercentOfExact()
    {
        QFETCH(int, fixture);
        QFETCH(int, n);
        std::mt19937_64 rng(1000 + quint64(fixture) * 7 + quint64(n));
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::normal_distribution<double> normal(0.0, 1.0);
        std::vector<Scored> records;
        for (int i = 0; i < n; ++i) {
            const bool truth = unit(rng) < (fixture == 3 ? 0.02 : 0.4);
            double score = 0;
            switch (fixture) {
            case 0:
                score = std::clamp(unit(rng) * 0.8 + (truth ? 0.2 : 0.0), 0.0, 1.0);
                break;
            case 1:
            case 3:
                score = sigmoid(normal(rng) * 1.5 + (truth ? 1.0 : -1.0));
                break;
            case 2:
                score = std::round(sigmoid(normal(rng) + (truth ? 0.7 : -0.7)) * 100) / 100;
                break;
            case 4:
                score = sigmoid(normal(rng) * 3.0 + (truth ? 3.0 : -3.0));
                break;
            }
            records.push_back({ score, truth });
        }
        const QualityMetrics m = fromRecords(records);
        const double exact = exactAuc(records);
        const double binned = m.aucRoc();
        qInfo("exact %.6f binned %.6f error %.2e bound %.2e", exact, binned, std::fabs(binned - exact),
            m.aucErrorBound());
        QVERIFY(std::fabs(binned - exact) <= 0.005);
        QVERIFY(std::fabs(binned - exact) <= m.aucErrorBound() + 1e-12); // the bound it reports holds
    }

    void mergeOrderNeverChangesTheResult()
    {
        std::mt19937_64 rng(5);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::uniform_int_distribution<int> label(0, 4);
        std::lognormal_distribution<double> magnitude(0.0, 6.0); // errors over many orders of magnitude
        std::vector<QualityMetrics> parts(40);
        for (auto &part : parts) {
            for (int i = 0; i < 100; ++i) {
                part.addBinary(unit(rng), unit(rng) < 0.3);
                part.addClass(QString::number(label(rng)), QString::number(label(rng)));
                const double truth = i % 10 ? magnitude(rng) * (unit(rng) < 0.5 ? -1 : 1) : 0.0;
                part.addRegression(truth + magnitude(rng) * (unit(rng) < 0.5 ? -1 : 1), truth);
            }
        }
        QByteArray reference;
        for (int trial = 0; trial < 20; ++trial) {
            std::shuffle(parts.begin(), parts.end(), rng);
            QualityMetrics merged;
            if (trial % 2) {
                for (const auto &p : parts)
                    QVERIFY(merged.merge(p));
            } else {
                std::vector<QualityMetrics> pool = parts;
                while (pool.size() > 1) {
                    const size_t i = std::uniform_int_distribution<size_t>(0, pool.size() - 2)(rng);
                    QVERIFY(pool[i].merge(pool[i + 1]));
                    pool.erase(pool.begin() + qsizetype(i) + 1);
                }
                merged = pool.front();
            }
            const QByteArray bytes = merged.serialize();
            if (trial == 0)
                reference = bytes;
            QCOMPARE(bytes, reference); // every count and sum, bit for bit
        }
        const auto back = QualityMetrics::deserialize(reference);
        QVERIFY(back);
        QCOMPARE(back->regressionRecords(), quint64(4000));
        QCOMPARE(back->confusion().total(), quint64(4000));
    }

    void serializationRoundTrip()
    {
        QualityMetrics m(200, 0.3);
        QCOMPARE(QualityMetrics::deserialize(m.serialize())->serialize(), m.serialize()); // empty
        m.addBinary(0.25, true);
        m.addBinary(0.31, false);
        m.addBinary(1.0, false);
        m.addClass(u"chat"_s, u"\u00e9t\u00e9"_s);
        m.addClass(u"\u00e9t\u00e9"_s, u"\u00e9t\u00e9"_s);
        m.addRegression(0.1, 0.3);
        m.addRegression(1e-300, 0);
        m.addBinary(2, true); // rejected, and the count survives too
        const QByteArray bytes = m.serialize();
        QVERIFY(bytes.size() < 200);
        const auto back = QualityMetrics::deserialize(bytes);
        QVERIFY(back);
        QCOMPARE(back->serialize(), bytes);
        QCOMPARE(back->scoreBins(), 200);
        QCOMPARE(back->threshold(), 0.3);
        QCOMPARE(back->aucRoc(), m.aucRoc());
        QCOMPARE(back->accuracy(), m.accuracy());
        QCOMPARE(back->macroF1(), m.macroF1());
        QCOMPARE(back->mae(), m.mae());
        QCOMPARE(back->rmse(), m.rmse());
        QCOMPARE(back->mape(), m.mape());
        QCOMPARE(back->rejected(), quint64(1));
        QCOMPARE(back->classes().count(u"\u00e9t\u00e9"_s), size_t(1));
    }

    void corruptBlobsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("blob");
        QualityMetrics m(10, 0.5);
        m.addBinary(0.95, true);
        m.addClass(u"a"_s, u"b"_s);
        m.addRegression(2, 1);
        const QByteArray good = m.serialize();
        QVERIFY(QualityMetrics::deserialize(good)); // each row below breaks exactly one thing
        // Layout of `good`: 01 | 0a | f64 0.5 | tp fp tn fn | 01 bin: 09 01 00 | 02 classes ...
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("version 2") << (QByteArray(1, '\x02') + good.mid(1));
        QTest::newRow("version 0") << (QByteArray(1, '\x00') + good.mid(1));
        QTest::newRow("trailing byte") << (good + '\0');
        QTest::newRow("zero bins") << (good.left(1) + '\x00' + good.mid(2));
        QByteArray threshold = good;
        threshold[9] = '\x40'; // 0.5 -> 2.5
        QTest::newRow("threshold above 1") << threshold;
        QByteArray tp = good;
        tp[10] = '\x02'; // two true positives, but the bins hold one positive
        QTest::newRow("confusion disagrees with bins") << tp;
        QByteArray bin = good;
        bin[15] = '\x0a'; // bin index 10 of 10 bins
        QTest::newRow("bin out of range") << bin;
        QByteArray emptyBin = good;
        emptyBin[16] = '\x00';
        QTest::newRow("empty bin") << emptyBin;
        QByteArray nonCanonical = good;
        nonCanonical[14] = char(0x81); // the bin count written as a two-byte varint 0x81 0x00 would follow
        nonCanonical.insert(15, '\x00');
        QTest::newRow("non-canonical varint") << nonCanonical;
        QByteArray labels = good;
        const qsizetype a = labels.indexOf("\x01"
                                           "a");
        const qsizetype b = labels.indexOf("\x01"
                                           "b");
        QVERIFY(a > 0 && b > a);
        labels[a + 1] = 'c'; // "c" before "b": unsorted
        QTest::newRow("unsorted labels") << labels;
        QByteArray utf8 = good;
        utf8[a + 1] = char(0xff);
        QTest::newRow("invalid UTF-8 label") << utf8;
        QByteArray predicted = good;
        predicted[a + 3] = '\x02'; // class a predicted twice: predictions and truths no longer agree
        QTest::newRow("class totals disagree") << predicted;
        // A regression sum that is not the canonical expansion: 1 + 2^-60 written as (2^-60, 1) rather than largest
        // first.
        QualityMetrics r;
        r.addRegression(1, 0);
        QByteArray reg = r.serialize();
        const qsizetype sums = reg.size() - 1 - 3 * 1 - 2 * 8; // before: |e| has 1 term, e^2 1 term, |e|/|t| 0
        QVERIFY(QualityMetrics::deserialize(reg));
        QCOMPARE(reg[sums], '\x01');
        QByteArray swapped = reg.left(sums) + '\x02';
        char term[8];
        const double small = std::ldexp(1.0, -60);
        std::memcpy(term, &small, 8);
        swapped += QByteArray(term, 8) + reg.mid(sums + 1);
        QTest::newRow("non-canonical sum") << swapped;
    }
    void corruptBlobsAreRefused()
    {
        QFETCH(QByteArray, blob);
        QVERIFY(!QualityMetrics::deserialize(blob));
    }

    void truncationsAndBitFlipsNeverCrash()
    {
        QualityMetrics m;
        std::mt19937_64 rng(11);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        for (int i = 0; i < 200; ++i) {
            m.addBinary(unit(rng), unit(rng) < 0.5);
            m.addClass(QString::number(i % 3), QString::number(i % 4));
            m.addRegression(unit(rng), i % 5 ? unit(rng) : 0.0);
        }
        const QByteArray good = m.serialize();
        for (qsizetype len = 0; len < good.size(); ++len)
            QVERIFY(!QualityMetrics::deserialize(good.left(len)));
        // Every blob it accepts, it writes back byte for byte: one valid encoding per value.
        for (int i = 0; i < 5000; ++i) {
            QByteArray flipped = good;
            const auto pos = std::uniform_int_distribution<qsizetype>(0, flipped.size() - 1)(rng);
            flipped[pos] = char(flipped[pos] ^ (1 << std::uniform_int_distribution<int>(0, 7)(rng)));
            if (const auto back = QualityMetrics::deserialize(flipped))
                QCOMPARE(back->serialize(), flipped);
        }
    }
};

QTEST_GUILESS_MAIN(TestQualityMetrics)
#include "tst_qualitymetrics.moc"
