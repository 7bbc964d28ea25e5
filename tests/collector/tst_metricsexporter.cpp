// SPDX-License-Identifier: GPL-3.0-or-later
// /metrics (collector/metricsexporter.h): every metric is named once, under one HELP and TYPE, even when the
// collector's own figures are both in its stats and among its series (perfdash.push.*, perfdash.alerts.*).
#include "collector/metricsexporter.h"

#include "../fleet/fleetframes.h"

#include <QJsonObject>
#include <QTest>

#include <map>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;

class TestMetricsExporter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eachMetricHasOneHelpLine()
    {
        MetricsExporter exporter(PromSchema::Labels { { QByteArray("host"), u"gpu-07"_s } });
        const QJsonObject stats { { u"live_series"_s, 3 }, { u"alerts"_s, QJsonObject { { u"evaluations"_s, 12 } } },
            { u"push"_s, QJsonObject { { u"failures"_s, 2 } } } };
        // The same figures as self-metrics, as CollectorService::addSelfMetrics makes them, and one of a model.
        exporter.ingest(
            { LiveFrame { 100,
                { test::gauge(u"perfdash.alerts.evaluations"_s, 12), test::gauge(u"perfdash.push.failures"_s, 2),
                    test::gauge(u"perfdash.ingest.live_series"_s, 3), test::gauge(u"perfdash.alerts.interval_s"_s, 60),
                    test::timer(u"lat|model:m1"_s, { 1, 2, 3 }) } } },
            stats);
        const QByteArray text = exporter.render();
        std::map<QByteArray, int> helps;
        for (const QByteArray &line : text.split('\n')) {
            if (line.startsWith("# HELP "))
                ++helps[line.mid(7, line.indexOf(' ', 7) - 7)];
        }
        for (const auto &[name, count] : helps)
            QVERIFY2(count == 1, name.constData());
        // The stats' figure stays, unlabelled; the series of the same name is left out of the fleet part.
        QVERIFY2(text.contains("\nperfdash_alerts_evaluations 12\n"), text.constData());
        QVERIFY(text.contains("\nperfdash_push_failures 2\n"));
        QVERIFY(!text.contains("perfdash_alerts_evaluations{"));
        QVERIFY(!text.contains("perfdash_alerts_evaluations_samples_total"));
        // The collector's other own series are left out too: the stats name them, in base units.
        QVERIFY(!text.contains("perfdash_alerts_interval_s"));
        // Series that collide with nothing are all there, with the host: the heartbeat and the model's timer.
        QVERIFY(text.contains("perfdash_ingest_live_series{host=\"gpu-07\""));
        QVERIFY(text.contains("lat_count{host=\"gpu-07\",model=\"m1\""));
        QVERIFY(helps.count("perfdash_live_series"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsExporter)
#include "tst_metricsexporter.moc"
