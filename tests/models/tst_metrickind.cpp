// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/metrickind.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestMetricKind : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        for (auto kind :
            { MetricKind::Counter, MetricKind::Gauge, MetricKind::Timer, MetricKind::Distribution, MetricKind::Set }) {
            const auto back = metricKindFromName(metricKindName(kind));
            QVERIFY(back.has_value());
            QCOMPARE(*back, kind);
        }
        QVERIFY(!metricKindFromName(u"histogramm"_s).has_value());
    }
};

QTEST_GUILESS_MAIN(TestMetricKind)
#include "tst_metrickind.moc"
