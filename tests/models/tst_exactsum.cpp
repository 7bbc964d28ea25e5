// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/exactsum.h"

#include <QTest>

#include <algorithm>
#include <random>

using namespace perfdash;

class TestExactSum : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sumsExactlyAndRoundsOnce_data()
    {
        QTest::addColumn<QVector<double>>("values");
        QTest::addColumn<double>("expected");
        QTest::newRow("empty") << QVector<double> {} << 0.0;
        QTest::newRow("cancellation") << QVector<double> { 1e16, 1.0, -1e16 } << 1.0;
        QTest::newRow("tenths") << QVector<double> { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 } << 1.0;
        QTest::newRow("tiny survives") << QVector<double> { 1e308, 1e-308, -1e308 } << 1e-308;
        // 1 + 2^-53 is a tie that rounds to even (1); a further 2^-105 breaks the tie upwards.
        QTest::newRow("tie to even") << QVector<double> { 1.0, std::ldexp(1.0, -53) } << 1.0;
        QTest::newRow("tie broken by the rest")
            << QVector<double> { 1.0, std::ldexp(1.0, -53), std::ldexp(1.0, -105) } << std::nextafter(1.0, 2.0);
        QTest::newRow("infinity") << QVector<double> { 1.0, std::numeric_limits<double>::infinity() }
                                  << std::numeric_limits<double>::infinity();
    }
    void sumsExactlyAndRoundsOnce()
    {
        QFETCH(QVector<double>, values);
        QFETCH(double, expected);
        std::mt19937_64 rng(3);
        for (int trial = 0; trial < 10; ++trial) {
            std::shuffle(values.begin(), values.end(), rng);
            ExactSum s;
            for (double v : values)
                s.add(v);
            QCOMPARE(s.value(), expected);
        }
    }

    void mergeIsOrderFreeAndCanonicalIsUnique()
    {
        std::mt19937_64 rng(8);
        std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
        std::uniform_int_distribution<int> exponent(-300, 300);
        std::vector<ExactSum> parts(50);
        for (auto &p : parts) {
            for (int i = 0; i < 20; ++i)
                p.add(std::ldexp(mantissa(rng), exponent(rng) / 3));
        }
        ExactSum first;
        for (const auto &p : parts)
            first.merge(p);
        std::shuffle(parts.begin(), parts.end(), rng);
        ExactSum second;
        for (auto it = parts.rbegin(); it != parts.rend(); ++it)
            second.merge(*it);
        QCOMPARE(second.value(), first.value());
        QCOMPARE(second.canonical(), first.canonical());
        QVERIFY(first.canonical().size() >= 1);
        ExactSum doubled = first;
        doubled.merge(doubled);
        QCOMPARE(doubled.value(), first.value() * 2);
        ExactSum nan;
        nan.add(std::numeric_limits<double>::infinity());
        nan.add(-std::numeric_limits<double>::infinity());
        QVERIFY(std::isnan(nan.value()));
    }
};

QTEST_GUILESS_MAIN(TestExactSum)
#include "tst_exactsum.moc"
