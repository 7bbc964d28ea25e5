// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/decimation.h"

#include <QTest>

#include <cmath>

using namespace perfdash;

class TestDecimation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void smallInputPassesThrough()
    {
        const QVector<QPointF> in { { 0, 1 }, { 1, 2 }, { 2, 3 } };
        QCOMPARE(decimateMinMax(in, 0, 2, 100), in);
    }
    void keepsSpikesAndBoundsSize()
    {
        QVector<QPointF> in;
        for (int i = 0; i < 100000; ++i)
            in.push_back({ double(i), i == 51234 ? 1000.0 : std::sin(i * 0.01) });
        const auto out = decimateMinMax(in, 0, 99999, 500);
        QVERIFY(out.size() <= 2 * 500 + 4);
        QVERIFY(out.size() >= 500);
        double top = 0;
        for (const auto &p : out)
            top = std::max(top, p.y());
        QCOMPARE(top, 1000.0);
        for (int i = 1; i < out.size(); ++i)
            QVERIFY(out[i - 1].x() <= out[i].x());
    }
    void dropsNanAndOutOfRange()
    {
        QVector<QPointF> in;
        for (int i = 0; i < 1000; ++i)
            in.push_back({ double(i), i % 7 == 0 ? std::nan("") : 1.0 });
        const auto out = decimateMinMax(in, 100, 200, 10);
        for (const auto &p : out) {
            QVERIFY(!std::isnan(p.y()));
            QVERIFY(p.x() >= 99 && p.x() <= 201);
        }
    }
    void degenerateInputs()
    {
        QVERIFY(decimateMinMax({}, 0, 1, 10).isEmpty());
        QVERIFY(decimateMinMax({ { 0, 1 } }, 1, 1, 10).isEmpty());
        QVERIFY(decimateMinMax({ { 0, 1 } }, 0, 1, 0).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDecimation)
#include "tst_decimation.moc"
