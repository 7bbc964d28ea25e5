// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertevaluator.h"

#include "models/kpicatalog.h"
#include "pointfixture.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 t0 = 1'700'000'000 / 60 * 60; // a whole minute

// Two models at 1 s: m1's latency rises from ~20 ms to ~300 ms between seconds 120 and 240 after t0, and its errors
// run at 10 % in the same span; m2 stays quiet. 30 requests a second each.
test::Fixture traffic()
{
    test::Fixture f;
    for (qint64 s = 0; s < 480; ++s) {
        const bool bad = s >= 120 && s < 240;
        QVector<double> fast, slow;
        for (int i = 0; i < 30; ++i) {
            fast << 15 + (i % 10);
            slow << (bad ? 280 + (i % 10) * 4 : 15 + (i % 10));
        }
        f.timer(u"api.latency|model:m1"_s, t0 + s, slow);
        f.timer(u"api.latency|model:m2"_s, t0 + s, fast);
        f.counter(u"api.requests|model:m1,status:ok"_s, t0 + s, bad ? 27 : 30);
        if (bad)
            f.counter(u"api.requests|model:m1,status:error"_s, t0 + s, 3);
        f.counter(u"api.requests|model:m2,status:ok"_s, t0 + s, 30);
    }
    return f;
}

AlertData dataOf(const test::Fixture &f)
{
    AlertData d;
    d.step = 1;
    d.from = t0;
    d.to = t0 + 480;
    d.points = f.all();
    d.kinds = f.kinds();
    for (const QString &model : { u"m1"_s, u"m2"_s }) {
        QStringList keys;
        for (const QString &k : f.keys()) {
            if (k.contains(u"model:"_s % model))
                keys << k;
        }
        QHash<QString, MetricKind> kinds;
        for (const QString &k : keys)
            kinds.insert(k, d.kinds.value(k));
        d.models.insert(model, resolveRoles(keys, kinds));
    }
    d.coverage = Coverage::passed(d.from, d.to, 1, d.to + 10);
    return d;
}

AlertRule latencyRule()
{
    AlertRule r;
    r.id = u"p95"_s;
    r.metric = u"latency_p95"_s;
    r.condition = AlertRule::Condition::Above;
    r.threshold = 100;
    r.recovery = 50;
    r.window = 30;
    r.forSeconds = 20;
    r.severity = AlertRule::Severity::Critical;
    return r;
}

} // namespace

class TstAlertEvaluator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void kpiRuleFiresPerModelAndResolves()
    {
        const test::Fixture f = traffic();
        const AlertData data = dataOf(f);
        AlertEngine engine(10);
        engine.setRules({ latencyRule() }, t0);
        QVector<AlertEvent> events;
        for (qint64 t = t0 + 10; t <= t0 + 480; t += 10)
            events += engine.evaluate(t, data);
        QStringList seen;
        for (const AlertEvent &e : events)
            seen << u"%1 %2 @%3"_s.arg(e.instance, e.state).arg(e.time - t0);
        // The 30 s window's p95 passes 100 ms once more than 5 % of it is slow (t0+130), pending; firing 20 s
        // later; the window is clean again 30 s after the slow span ends (240 + 30 = 270).
        QCOMPARE(
            seen, (QStringList { u"model:m1 pending @130"_s, u"model:m1 firing @150"_s, u"model:m1 resolved @270"_s }));
        QCOMPARE(events[1].severity, u"critical"_s);
        QVERIFY2(events[1].message.startsWith(u"latency_p95 of m1 is "_s), qPrintable(events[1].message));
        QVERIFY(events[1].message.contains(u"above 100"_s));
        QVERIFY(events[1].value > 250);
        // m2 was evaluated and stays inactive.
        QCOMPARE(engine.alerts().count({ u"p95"_s, u"model:m2"_s }), 1u);
        QVERIFY(engine.active().isEmpty());
    }

    void errorRateAndSeriesRules()
    {
        const test::Fixture f = traffic();
        const AlertData data = dataOf(f);
        AlertRule errors;
        errors.id = u"errors"_s;
        errors.metric = u"error_rate"_s;
        errors.model = u"m1"_s;
        errors.condition = AlertRule::Condition::Above;
        errors.threshold = 0.05;
        errors.window = 60;
        AlertRule series;
        series.id = u"max"_s;
        series.metric = u"api.latency"_s;
        series.aggregation = AlertRule::Aggregation::Max;
        series.condition = AlertRule::Condition::Above;
        series.threshold = 200;
        series.window = 10;
        const auto results = AlertReplay::run({ errors, series }, data, t0 + 60, t0 + 480, 10, true);
        QCOMPARE(results.size(), 2);
        // 10 % errors from 120 to 240: a 60 s window holds exactly 5 % (not above) after 30 s of it and fires at the
        // next evaluation; it is back at 5 % (not above: recovered) when 30 s of errors are left in it.
        QCOMPARE(results[0].firings.size(), 1);
        QCOMPARE(results[0].firings[0].start, t0 + 160);
        QCOMPARE(results[0].firings[0].end, t0 + 270);
        QCOMPARE(results[0].firings[0].instance, u"model:m1"_s);
        QVERIFY(std::abs(results[0].firings[0].peak - 0.1) < 1e-9);
        // The series rule has an alert per matching series: only m1's fires.
        QCOMPARE(results[1].firings.size(), 1);
        QCOMPARE(results[1].firings[0].instance, u"api.latency|model:m1"_s);
        QCOMPARE(results[1].firings[0].start, t0 + 130);
        QCOMPARE(results[1].firings[0].end, t0 + 250);
        QVERIFY(results[1].samples.contains(u"api.latency|model:m2"_s));
        // Less than a day of data gives no rate per day: the span is said instead.
        QCOMPARE(results[0].describe(), u"would have fired once in the 7 min of stored history"_s);
    }

    void replayEqualsStepwiseEvaluation()
    {
        // The replay and a live engine stepped interval by interval over windows read up to each time give the same
        // transitions.
        const test::Fixture f = traffic();
        const AlertData all = dataOf(f);
        AlertRule errors = latencyRule();
        errors.id = u"e"_s;
        errors.metric = u"error_rate"_s;
        errors.threshold = 0.05;
        errors.recovery = AlertRule::nan;
        const QVector<AlertRule> rules { latencyRule(), errors };
        const auto replay = AlertReplay::run(rules, all, t0 + 60, t0 + 480, 10);
        AlertEngine live(10);
        live.setRules(rules, t0 + 60);
        QVector<AlertEvent> liveEvents;
        for (qint64 t = t0 + 70; t <= t0 + 480; t += 10) {
            // What the collector reads before evaluating at t: only [t - longest window, t).
            AlertData window = all;
            window.from = t - AlertEvaluator::maxWindow(rules, 10, 1);
            window.to = t;
            for (auto &points : window.points) {
                points.erase(std::remove_if(points.begin(), points.end(),
                                 [&](const SeriesPoint &p) { return p.second < window.from || p.second >= t; }),
                    points.end());
            }
            liveEvents += live.evaluate(t, window);
        }
        QVector<AlertEvent> replayed;
        for (const auto &r : replay)
            replayed += r.events;
        std::sort(replayed.begin(), replayed.end(), [](const AlertEvent &a, const AlertEvent &b) {
            return std::tie(a.time, a.ruleId) < std::tie(b.time, b.ruleId);
        });
        std::sort(liveEvents.begin(), liveEvents.end(), [](const AlertEvent &a, const AlertEvent &b) {
            return std::tie(a.time, a.ruleId) < std::tie(b.time, b.ruleId);
        });
        QCOMPARE(replayed.size(), 6);
        QCOMPARE(liveEvents, replayed);
    }

    void flapsAndRatesAreCounted()
    {
        // A gauge that crosses 80 % for 20 s every 5 minutes over one hour: 12 firings, each 4 min 40 s after the
        // last resolved, so each but the first is a flap (within 10 minutes); 288 a day.
        test::Fixture f;
        for (qint64 s = 0; s < 3600; ++s)
            f.gauge(u"process.cpu_percent|model:m"_s, t0 + s, s % 300 < 20 ? 95 : 10);
        AlertData d;
        d.step = 1;
        d.points = f.all();
        d.kinds = f.kinds();
        d.models.insert(u"m"_s, f.roles());
        d.coverage = Coverage::passed(t0, t0 + 3600, 1, t0 + 3600);
        AlertRule cpu;
        cpu.id = u"cpu"_s;
        cpu.metric = u"cpu"_s;
        cpu.condition = AlertRule::Condition::Above;
        cpu.threshold = 80;
        cpu.window = 10;
        const auto result = AlertReplay::run({ cpu }, d, t0, t0 + 3600, 10).constFirst();
        QCOMPARE(result.firings.size(), 12);
        QCOMPARE(result.flaps, 11);
        QCOMPARE(qRound(result.perDay), 288);
        QCOMPARE(result.describe(), u"would have fired 12 times, 11 flaps, in the 60 min of stored history"_s);
        AlertReplay::RuleResult day = result;
        day.coveredSeconds = 7 * 86400;
        day.perDay = 2;
        QCOMPARE(day.describe(), u"would have fired 12 times, 11 flaps, about 2 alerts a day"_s);
    }

    void outsideBaselineReadsTheBaselineOfTheHour()
    {
        const test::Fixture f = traffic();
        AlertData data = dataOf(f);
        ModelOutlook outlook;
        outlook.model = u"m1"_s;
        KpiOutlook p95;
        p95.kpi = u"latency_p95"_s;
        p95.baseline.exists = true;
        p95.baseline.value = 20;
        outlook.kpis.append(p95);
        data.outlook = [&](const QString &model, qint64) { return model == u"m1"_s ? &outlook : nullptr; };
        AlertRule r;
        r.id = u"b"_s;
        r.metric = u"latency_p95"_s;
        r.condition = AlertRule::Condition::OutsideBaseline;
        r.threshold = 50; // percent worse than 20 ms: 30 ms
        r.window = 30;
        const AlertReading quiet = AlertEvaluator::read(r, u"model:m1"_s, data, t0 + 100, 10);
        QCOMPARE(quiet.reading, AlertState::Reading::Recovered);
        QCOMPARE(quiet.thresholdLine, 30.0);
        const AlertReading slow = AlertEvaluator::read(r, u"model:m1"_s, data, t0 + 200, 10);
        QCOMPARE(slow.reading, AlertState::Reading::Breaching);
        QVERIFY(slow.value > 1000); // percent above the baseline
        // No baseline: no data (the no-data policy decides).
        QCOMPARE(AlertEvaluator::read(r, u"model:m2"_s, data, t0 + 200, 10).reading, AlertState::Reading::NoData);
    }

    void onePartGivesTheSameFigureAsAll()
    {
        // An alert rule computes only the part of the figures its KPI reads; the value is the dashboard's.
        const test::Fixture f = traffic();
        const AlertData data = dataOf(f);
        const SourceRoles roles = data.models.value(u"m1"_s);
        const Kpi::PointLookup lookup
            = [&](const QString &k) -> const QVector<SeriesPoint> & { return data.pointsOf(k); };
        for (const qint64 to : { t0 + 100, t0 + 200 }) {
            const Kpi::Figures all = Kpi::figures(lookup, roles, data.coverage, to - 60, to);
            for (const QString &kpi : KpiCatalog::names()) {
                const double a = KpiCatalog::valueOf(kpi, all);
                const double b = KpiCatalog::valueOf(
                    kpi, Kpi::figures(lookup, roles, data.coverage, to - 60, to, KpiCatalog::partOf(kpi)));
                QVERIFY2((std::isnan(a) && std::isnan(b)) || a == b, qPrintable(kpi));
            }
        }
    }

    void seriesRulesTakeWildcardSelectors()
    {
        // The rules file's "metric" is a selector of docs/series.md: its wildcards pick the instances.
        QVector<RuleError> errors;
        const auto set = AlertRules::parse(R"([{"id": "w", "metric": "api.*{model=m*}", "aggregation": "max",
            "condition": "above", "threshold": 200}])",
            &errors);
        QVERIFY(set);
        AlertData data;
        for (const QString &key : { u"api.latency|model:m1"_s, u"api.requests|model:m22"_s, u"api.latency|model:x"_s,
                 u"db.latency|model:m1"_s, u"api.latency"_s })
            data.kinds.insert(key, MetricKind::Timer);
        QCOMPARE(AlertEvaluator::instancesOf(set->rules[0], data),
            (QStringList { u"api.latency|model:m1"_s, u"api.requests|model:m22"_s }));
    }

    void valuesReadAsTheTilesWriteThem()
    {
        // A rule written in percent still holds a ratio (the KPI's unit): shown as the tile shows it, not "0.014 %".
        QVector<RuleError> errors;
        const auto set = AlertRules::parse(
            R"([{"id": "e", "metric": "error_rate", "condition": "above", "threshold": 0.5, "unit": "%"}])", &errors);
        QVERIFY(set);
        const AlertRule &r = set->rules[0];
        QCOMPARE(AlertEvaluator::formatValue(r, 0.01429), KpiCatalog::format(u"error_rate"_s, 0.01429));
        QVERIFY(AlertEvaluator::formatValue(r, 0.01429).startsWith(QLocale().toString(1.43, 'f', 2)));
        QCOMPARE(r.describe(), u"error_rate above "_s % KpiCatalog::format(u"error_rate"_s, 0.005));
    }

    void eachRuleReadsAtItsOwnStep()
    {
        // With a 60 s interval, a 15-minute window reads the 1-minute tier and a 30 s window the 1 s tier; data of one
        // step evaluates only the rules of that step, so the short window does not move the other to 1 s buckets.
        AlertRule minutes = latencyRule();
        minutes.window = 900;
        AlertRule seconds = latencyRule();
        seconds.id = u"short"_s;
        seconds.window = 30;
        QCOMPARE(AlertEvaluator::stepOf(minutes, 60), 60);
        QCOMPARE(AlertEvaluator::stepOf(seconds, 60), 1);
        QCOMPARE(AlertEvaluator::stepOf(minutes, 10), 1); // times that are not whole minutes need the 1 s tier
        const AlertData data = dataOf(traffic()); // 1 s buckets
        AlertEngine engine(60);
        engine.setRules({ minutes, seconds }, t0);
        engine.evaluate(t0 + 180, data);
        QCOMPARE(engine.alerts().count({ u"short"_s, u"model:m1"_s }), 1u);
        QCOMPARE(engine.alerts().count({ u"p95"_s, u"model:m1"_s }), 0u);
    }

    void projectionsRunOnceAnHourWhateverTheInterval()
    {
        AlertRule r;
        r.condition = AlertRule::Condition::BreachProjectedWithin;
        const qint64 hour = t0 / 3600 * 3600 + 3600;
        int due = 0;
        for (qint64 t = (hour + 419) / 420 * 420; t < hour + 6 * 3600; t += 420)
            due += AlertEvaluator::isDue(r, t, 420) ? 1 : 0;
        QCOMPARE(due, 6); // one evaluation time in each of the six hours, though 420 s rarely lands on the hour
        QVERIFY(AlertEvaluator::isDue(r, hour, 60));
        QVERIFY(!AlertEvaluator::isDue(r, hour + 60, 60));
    }

    void inactiveAlertsOfGoneInstancesAreForgotten()
    {
        const AlertData data = dataOf(traffic());
        AlertEngine engine(10);
        engine.setRules({ latencyRule() }, t0);
        engine.evaluate(t0 + 100, data);
        QCOMPARE(engine.alerts().size(), 2u); // m1 and m2
        AlertData withoutM2 = data;
        withoutM2.models.remove(u"m2"_s);
        engine.evaluate(t0 + 110, withoutM2);
        QCOMPARE(engine.alerts().size(), 1u);
        QCOMPARE(engine.alerts().count({ u"p95"_s, u"model:m1"_s }), 1u);
    }

    void changedRulesResolveTheirAlerts()
    {
        const AlertData data = dataOf(traffic());
        AlertEngine engine(10);
        AlertRule r = latencyRule();
        r.forSeconds = 0;
        engine.setRules({ r }, t0);
        QCOMPARE(engine.evaluate(t0 + 200, data).size(), 1);
        // The same rule again keeps its state; an edited one resolves the old alert, saying why.
        QVERIFY(engine.setRules({ r }, t0 + 205).isEmpty());
        QCOMPARE(engine.active().size(), 1);
        r.threshold = 500;
        const auto resolved = engine.setRules({ r }, t0 + 206);
        QCOMPARE(resolved.size(), 1);
        QCOMPARE(resolved[0].state, u"resolved"_s);
        QVERIFY(resolved[0].message.endsWith(u"the rule was changed"_s));
        QVERIFY(engine.active().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstAlertEvaluator)
#include "tst_alertevaluator.moc"
