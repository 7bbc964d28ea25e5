// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevent.h"
#include "models/alertrule.h"
#include "models/alertstate.h"
#include "models/coverage.h"
#include "models/kpi.h"
#include "models/modeloutlook.h"
#include "models/qualitymetrics.h"
#include "models/seriesstore.h"
#include "models/sourcecatalog.h"

#include <QHash>
#include <QMap>

#include <functional>
#include <map>
#include <memory>

namespace perfdash {

// What alert rules are evaluated on: the points of the series they need over a span, as storage reads them (the
// collector reads the last windows every interval; the replay reads a whole range once). The evaluator is the same
// for both, so a replay gives the transitions the collector gave on the same stored data (docs/alerts.md).
struct AlertData {
    qint64 step = 60; // seconds per point; windows and evaluation times are multiples of it
    qint64 from = 0, to = 0; // the span read
    QHash<QString, QVector<SeriesPoint>> points; // by series key, sorted by second
    QHash<QString, MetricKind> kinds; // every series known, by key (series rules match these)
    QMap<QString, SourceRoles> models; // every model and its roles (ModelHistoryReader::seriesOf)
    Coverage coverage; // of the span at `step`
    // Quality metrics per model and bucket start, merged over the model's keys (stored prediction outcomes).
    QHash<QString, std::map<qint64, QualityMetrics>> quality;
    // The model's baselines and trends as of an hour's start (Outlook::compute on what was stored before it); null
    // when unknown. Only rules with outside_baseline or breach_projected_within call it.
    std::function<const ModelOutlook *(const QString &model, qint64 hourStart)> outlook;

    const QVector<SeriesPoint> &pointsOf(const QString &key) const;
    // The decoded sketches of a key's points, decoded once however many windows merge them. Filled on use: an
    // AlertData is read by one thread at a time, and its points must not change once this is used.
    Kpi::DecodedSketches *sketchesOf(const QString &key) const;

private:
    // A copy starts with no decoded sketches of its own (its points may change; nothing is shared between copies).
    struct DecodeCache {
        DecodeCache() = default;
        DecodeCache(const DecodeCache &) { }
        DecodeCache &operator=(const DecodeCache &)
        {
            byKey.clear();
            return *this;
        }
        QHash<QString, std::shared_ptr<Kpi::DecodedSketches>> byKey;
    };
    mutable DecodeCache m_decoded;
};

// One evaluation of a rule for one instance at time t, over [t - window, t).
struct AlertReading {
    double value = AlertRule::nan; // what the condition compares, in the rule's unit (percent, days…)
    double metric = AlertRule::nan; // the metric itself in its unit (the KPI value; days for projections)
    double thresholdLine = AlertRule::nan; // where the threshold lies in the metric's unit (for charts)
    double recoveryLine = AlertRule::nan;
    AlertState::Reading reading = AlertState::Reading::NoData;
};

namespace AlertEvaluator {
// The instances a rule applies to in the data: "model:NAME" per model (one, or every model), or the matching keys.
QStringList instancesOf(const AlertRule &rule, const AlertData &data);
AlertReading read(const AlertRule &rule, const QString &instance, const AlertData &data, qint64 t, qint64 interval);
// Whether the rule is evaluated at t: every interval, and projections once an hour, at the first evaluation time in
// it (trends move with the hourly tier).
bool isDue(const AlertRule &rule, qint64 t, qint64 interval);
// The bucket step a rule reads: 60 s (the 1-minute tier, with mergeable sketches) when the interval and its window are
// whole minutes, else 1 s. Each rule reads at its own step, so one rule's short window does not move the others to the
// 1 s tier.
qint64 stepOf(const AlertRule &rule, qint64 interval);
// The rule's window in seconds (its own, else the interval), rounded up to whole `step`s.
qint64 windowOf(const AlertRule &rule, qint64 interval, qint64 step);
// The longest window of the rules, the span the collector reads before each evaluation.
qint64 maxWindow(const QVector<AlertRule> &rules, qint64 interval, qint64 step);
// A reading or a threshold in the rule's terms, for people: a KPI's value as the tiles write it ("0.50 %", "143 ms"),
// a deviation in percent, days until a breach ("never" for none), a series' number with the rule's unit.
QString formatValue(const AlertRule &rule, double value);
// "latency_p95 of resnet50 is 143 ms, above 100 ms over 15m"
QString messageFor(const AlertRule &rule, const QString &instance, const AlertReading &reading, const QString &state);
} // namespace AlertEvaluator

// The alerts of a set of rules: one AlertState per rule and instance, stepped at each evaluation time. The collector
// keeps one for its life; the replay makes a fresh one.
class AlertEngine {
public:
    explicit AlertEngine(qint64 interval = 60)
        : m_interval(interval)
    { }

    qint64 interval() const { return m_interval; }
    // New rules: alerts of rules that stay (same id and definition) keep their state; alerts of rules that were
    // removed, disabled or changed are dropped, and a firing one resolves at `now` (returned, message says why).
    QVector<AlertEvent> setRules(const QVector<AlertRule> &rules, qint64 now);
    const QVector<AlertRule> &rules() const { return m_rules; }
    // A stored state (the newest event of the rule and instance), read back at start.
    void restore(const QString &ruleId, const QString &instance, AlertState::Phase phase, qint64 since);

    // Evaluates every due rule that reads at data.step (AlertEvaluator::stepOf) at t, on data that holds
    // [t - maxWindow, t); returns the transitions, in rule order. Rules of the other step wait for their data.
    QVector<AlertEvent> evaluate(qint64 t, const AlertData &data);

    struct Alert {
        const AlertRule *rule = nullptr;
        QString instance;
        AlertState state;
        AlertReading last; // the newest reading
    };
    // Every alert that is pending or firing.
    QVector<Alert> active() const;
    // All alerts with a state (including inactive ones that have been evaluated).
    const std::map<std::pair<QString, QString>, Alert> &alerts() const { return m_alerts; }

private:
    qint64 m_interval;
    QVector<AlertRule> m_rules;
    std::map<std::pair<QString, QString>, Alert> m_alerts; // (rule id, instance)
};

// Replaying rules over stored history: the transitions the collector would have made, and what they add up to (the
// rule editor's preview, `perfdashd rules test`).
namespace AlertReplay {
struct Firing {
    QString instance;
    qint64 start = 0;
    qint64 end = -1; // resolution time; -1 while still firing at the end of the range
    double peak = AlertRule::nan; // the worst value while firing
};
struct Sample {
    qint64 time = 0;
    AlertReading reading;
    AlertState::Phase phase = AlertState::Phase::Inactive;
};
struct RuleResult {
    QString ruleId;
    QVector<AlertEvent> events;
    QVector<Firing> firings;
    int flaps = 0; // firings that began within flapWindow of the previous one's resolution
    double perDay = 0; // firings per day of the range that had data
    qint64 coveredSeconds = 0; // from the first evaluation with a value to the range's end
    QHash<QString, QVector<Sample>> samples; // by instance, when asked for
    // "would have fired 14 times, 3 flaps, about 2 alerts a day"; over less than a day of data, "… in the 40 min of
    // stored history" instead of a rate per day.
    QString describe() const;
};
// A firing that begins this soon after the previous one of the same alert resolved is a flap.
qint64 flapWindow(const AlertRule &rule, qint64 interval);
// Evaluation times: the multiples of interval in (from, to].
// data: one AlertData per step the rules read (AlertEvaluator::stepOf), or one for all when they read one step.
QVector<RuleResult> run(const QVector<AlertRule> &rules, const QVector<const AlertData *> &data, qint64 from, qint64 to,
    qint64 interval, bool keepSamples = false);
QVector<RuleResult> run(const QVector<AlertRule> &rules, const AlertData &data, qint64 from, qint64 to, qint64 interval,
    bool keepSamples = false);
} // namespace AlertReplay

} // namespace perfdash
