// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertrule.h"
#include "models/kpicatalog.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

// Seed 001's example, as written there.
const QByteArray seedRules = R"({
"model_id": "model-xyz789",
"alert_rules": [
{ "metric": "accuracy", "condition": "below", "threshold": 0.85, "window": "1h", "severity": "critical" },
{ "metric": "latency_p95", "condition": "above", "threshold": 100, "window": "15m", "severity": "warning" },
{ "metric": "error_rate", "condition": "above", "threshold": 0.05, "window": "5m", "severity": "critical" }
]
})";

QStringList errorTexts(const QByteArray &json)
{
    QVector<RuleError> errors;
    const auto set = AlertRules::parse(json, &errors);
    QStringList out;
    for (const RuleError &e : errors)
        out << e.text();
    if (set)
        out << u"parsed"_s;
    return out;
}

QByteArray oneRule(const QByteArray &fields)
{
    return R"({"alert_rules": [{"id": "r", )" + fields + "}]}";
}

} // namespace

class TstAlertRule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void seedExampleLoadsAsWritten()
    {
        QVector<RuleError> errors;
        const auto set = AlertRules::parse(seedRules, &errors);
        QVERIFY2(set, qPrintable(errorTexts(seedRules).join(u'\n')));
        QCOMPARE(set->modelId, u"model-xyz789"_s);
        QCOMPARE(set->rules.size(), 3);
        const AlertRule &accuracy = set->rules[0];
        QCOMPARE(accuracy.metric, u"accuracy"_s);
        QCOMPARE(accuracy.model, u"model-xyz789"_s);
        QCOMPARE(accuracy.condition, AlertRule::Condition::Below);
        QCOMPARE(accuracy.threshold, 0.85);
        QCOMPARE(accuracy.window, 3600);
        QCOMPARE(accuracy.severity, AlertRule::Severity::Critical);
        QCOMPARE(set->rules[1].window, 900);
        QCOMPARE(set->rules[1].severity, AlertRule::Severity::Warning);
        QCOMPARE(set->rules[2].threshold, 0.05);
        // Ids are made up where the file has none, distinct and stable.
        QCOMPARE(set->rules[0].id, u"model-xyz789-accuracy-below"_s);
        QCOMPARE(set->rules[1].id, u"model-xyz789-latency_p95-above"_s);
        QCOMPARE(set->rules[0].describe(), u"accuracy (model-xyz789) below 85.0 % over 1h"_s);
    }

    void ourFieldsAreRead()
    {
        QVector<RuleError> errors;
        const auto set = AlertRules::parse(oneRule(R"("name": "p95 high", "metric": "latency_p95_ms",
            "condition": "above", "threshold": 0.2, "unit": "s", "recovery": 0.15, "window": "10m", "for": "5m",
            "keep_firing_for": 120, "severity": "info", "no_data": "alerting", "labels": {"team": "ml"},
            "enabled": false)"),
            &errors);
        QVERIFY(set);
        const AlertRule &r = set->rules[0];
        QCOMPARE(r.metric, u"latency_p95"_s); // the producer's spelling, canonical
        QCOMPARE(r.threshold, 200.0); // seconds converted to the KPI's milliseconds
        QCOMPARE(r.recovery, 150.0);
        QCOMPARE(r.forSeconds, 300);
        QCOMPARE(r.keepFiringFor, 120);
        QCOMPARE(r.noData, AlertRule::NoData::Alerting);
        QCOMPARE(r.labels.value(u"team"_s), u"ml"_s);
        QVERIFY(!r.enabled);
        QCOMPARE(r.metricUnit(), u"ms"_s);
        // Written back in the user's own unit, and read again to the same rule.
        const QByteArray written = AlertRules::serialize(*set);
        QVERIFY(written.contains("\"threshold\": 0.2"));
        const auto again = AlertRules::parse(written, &errors);
        QVERIFY(again);
        QCOMPARE(again->rules[0], r);
    }

    void seriesRules()
    {
        QVector<RuleError> errors;
        const auto set = AlertRules::parse(oneRule(R"("metric": "op.elapsed_ms{module=importer,model=m1}",
            "aggregation": "p99", "condition": "above", "threshold": 250)"),
            &errors);
        QVERIFY(set);
        const AlertRule &r = set->rules[0];
        QVERIFY(!r.isKpi());
        QCOMPARE(r.metric, u"op.elapsed_ms"_s);
        QCOMPARE(r.model, u"m1"_s);
        QCOMPARE(r.tags, QStringList { u"module:importer"_s });
        const auto again = AlertRules::parse(AlertRules::serialize(*set), &errors);
        QVERIFY(again);
        QCOMPARE(again->rules[0], r);
    }

    void errorsNameTheRuleAndTheField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("threshold not a number")
            << oneRule(R"("metric": "latency_p95", "condition": "above", "threshold": "high")")
            << u"rule 1 (r), field \"threshold\": must be a number"_s;
        QTest::newRow("ratio above 1") << oneRule(R"("metric": "error_rate", "condition": "above", "threshold": 5)")
                                       << u"field \"threshold\": error_rate is a ratio from 0 to 1"_s;
        QTest::newRow("unknown metric") << oneRule(R"("metric": "latncy", "condition": "above", "threshold": 5)")
                                        << u"field \"metric\": \"latncy\" is not a KPI"_s;
        QTest::newRow("typo in a field") << oneRule(
            R"("metric": "cpu", "condition": "above", "treshold": 5, "threshold": 1)")
                                         << u"field \"treshold\": is not a rule field"_s;
        QTest::newRow("bad condition") << oneRule(R"("metric": "cpu", "condition": "over", "threshold": 5)")
                                       << u"field \"condition\": \"over\" is not above, below"_s;
        QTest::newRow("recovery beyond threshold")
            << oneRule(R"("metric": "cpu", "condition": "above", "threshold": 50, "recovery": 60)")
            << u"field \"recovery\": must be at or below the threshold (50)"_s;
        QTest::newRow("bad window") << oneRule(
            R"("metric": "cpu", "condition": "above", "threshold": 5, "window": "5x")")
                                    << u"field \"window\": must be a duration"_s;
        QTest::newRow("bad unit") << oneRule(
            R"("metric": "latency_p95", "condition": "above", "threshold": 5, "unit": "kg")")
                                  << u"field \"unit\": \"kg\" does not fit latency_p95 (ms, s or us)"_s;
        QTest::newRow("bad severity") << oneRule(
            R"("metric": "cpu", "condition": "above", "threshold": 5, "severity": "loud")")
                                      << u"field \"severity\": \"loud\" is not info, warning or critical"_s;
        QTest::newRow("duplicate id") << QByteArray(
            R"([{"id": "a", "metric": "cpu", "condition": "above", "threshold": 1},
            {"id": "a", "metric": "gpu", "condition": "above", "threshold": 1}])")
                                      << u"rule 2 (a), field \"id\": is used by an earlier rule"_s;
        QTest::newRow("not JSON") << QByteArray("{\n\"alert_rules\": [\n{\"metric\": }]}")
                                  << u"not valid JSON at line 3"_s;
        QTest::newRow("series without aggregation on baseline")
            << oneRule(R"("metric": "x.y", "aggregation": "p95", "condition": "outside_baseline", "threshold": 5)")
            << u"field \"condition\": baselines and trends exist for KPIs only"_s;
    }
    void errorsNameTheRuleAndTheField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const QStringList texts = errorTexts(json);
        QVERIFY2(!texts.contains(u"parsed"_s), qPrintable(texts.join(u'\n')));
        const bool found
            = std::any_of(texts.begin(), texts.end(), [&](const QString &t) { return t.contains(expected); });
        QVERIFY2(found, qPrintable(u"wanted \""_s % expected % u"\" in:\n"_s % texts.join(u'\n')));
    }

    void percentIsAcceptedForRatios()
    {
        QVector<RuleError> errors;
        const auto set = AlertRules::parse(
            oneRule(R"("metric": "error_rate", "condition": "above", "threshold": 5, "unit": "%")"), &errors);
        QVERIFY(set);
        QCOMPARE(set->rules[0].threshold, 0.05);
    }

    void defaultsComeFromTheEnvironment()
    {
        qputenv("PERF_LATENCY_P95_MAX_MS", "250");
        qputenv("PERF_ERROR_RATE_MAX", "lots");
        qputenv("PERF_MONITORING_INTERVAL", "30");
        QStringList warnings;
        const RuleSet set = AlertRules::defaults(&warnings);
        qunsetenv("PERF_LATENCY_P95_MAX_MS");
        qunsetenv("PERF_ERROR_RATE_MAX");
        qunsetenv("PERF_MONITORING_INTERVAL");
        QVERIFY(set.fromDefaults);
        QCOMPARE(set.rules.size(), 3);
        QCOMPARE(set.rules[0].condition, AlertRule::Condition::OutsideBaseline);
        QCOMPARE(set.rules[0].threshold, 5.0); // PERF_ACCURACY_THRESHOLD 0.05, relative, in percent
        QCOMPARE(set.rules[1].threshold, 250.0);
        QCOMPARE(set.rules[1].window, 30);
        QCOMPARE(set.rules[2].threshold, 0.01); // the bad value kept the default…
        QCOMPARE(warnings.size(), 1); // …and said so
        QVERIFY(warnings[0].contains(u"PERF_ERROR_RATE_MAX=lots"_s));
        qputenv("PERF_MONITORING_INTERVAL", "-5");
        warnings.clear();
        QCOMPARE(AlertRules::intervalFromEnvironment(&warnings), 60);
        qunsetenv("PERF_MONITORING_INTERVAL");
        QCOMPARE(warnings.size(), 1);
    }

    // Every unit the editor offers for a KPI is one the parser takes, and the first is the KPI's own.
    void unitsOfAreAccepted()
    {
        for (const KpiCatalog::Definition &d : KpiCatalog::all()) {
            const QStringList units = AlertRules::unitsOf(d.name);
            QVERIFY2(!units.isEmpty(), qPrintable(d.name));
            QVERIFY2(units.first() == d.unit, qPrintable(d.name));
            for (const QString &unit : units) {
                QJsonObject o { { u"metric"_s, d.name }, { u"condition"_s, u"above"_s }, { u"threshold"_s, 0.5 } };
                if (!unit.isEmpty())
                    o.insert(u"unit"_s, unit);
                QVector<RuleError> errors;
                QVERIFY2(AlertRules::parseRule(o, 0, {}, &errors),
                    qPrintable(
                        d.name % u" in "_s % unit % u": "_s % (errors.isEmpty() ? QString() : errors.first().text())));
            }
        }
        QVERIFY(AlertRules::unitsOf(u"no_such_kpi"_s).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstAlertRule)
#include "tst_alertrule.moc"
