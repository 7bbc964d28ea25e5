// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <optional>

namespace perfdash {

// One alert rule, as the rules file holds it (docs/alerts.md): seed 001's fields (metric, condition, threshold, window,
// severity) and ours, all optional but those. Plain value type; parsing and validation in AlertRules below.
struct AlertRule {
    enum class Condition { Above, Below, OutsideBaseline, BreachProjectedWithin };
    enum class Severity { Info, Warning, Critical };
    // What a rule does while its metric has no value (no series, too few values for the figure to mean anything):
    // KeepState leaves the state as it is (the default), Ok counts as recovered, Alerting as breaching.
    enum class NoData { KeepState, Ok, Alerting };
    // A series rule's figure over the window. Timers and distributions: the quantiles and mean; counters: rate (per
    // covered second) and count; gauges: mean, min, max, last.
    enum class Aggregation { None, P50, P95, P99, Mean, Min, Max, Last, Rate, Count };

    static constexpr double nan = std::numeric_limits<double>::quiet_NaN();

    QString id; // unique in the file; stable across edits (alert_events.rule_id)
    QString name; // shown to people; the id when empty
    QString metric; // a KPI of docs/metrics.md (canonical name), or a series name for a series rule
    Aggregation aggregation = Aggregation::None; // None for a KPI rule
    // The model the rule watches; empty: every model (one alert per model). For a series rule, the model tag it
    // must carry (empty: any).
    QString model;
    QStringList tags; // a series rule's further tag selector, "key:value" sorted
    Condition condition = Condition::Above;
    // Above/below: in the metric's unit (after `unit` was converted). OutsideBaseline: percent of the baseline.
    // BreachProjectedWithin: days.
    double threshold = nan;
    QString unit; // as written in the file ("ms", "s", "%"…); empty: the metric's own unit
    double recovery = nan; // the recovery threshold in the same unit as threshold; NaN: the threshold itself
    // OutsideBaseline: false (default) only the direction in which the KPI gets worse counts; true both.
    bool bothDirections = false;
    qint64 window = 0; // seconds; 0: the evaluation interval
    qint64 forSeconds = 0; // pending this long before firing
    qint64 keepFiringFor = 0; // firing this long after the condition cleared
    Severity severity = Severity::Warning;
    NoData noData = NoData::KeepState;
    QMap<QString, QString> labels;
    bool enabled = true;

    bool isKpi() const { return aggregation == Aggregation::None; }
    QString displayName() const { return name.isEmpty() ? id : name; }
    // The metric's unit after conversion (the KPI's, or "" for a series).
    QString metricUnit() const;
    // "latency_p95 above 100 ms over 15m for 5m": one line for lists, notifications and the CLI.
    QString describe() const;
    bool operator==(const AlertRule &o) const;
    bool operator!=(const AlertRule &o) const { return !(*this == o); }
};

// A problem in a rules file: which rule (its index and id) and which field, and why.
struct RuleError {
    int index = -1; // -1: the file itself
    QString rule; // the rule's id or name as written, when it has one
    QString field;
    QString message;
    // "rule 2 (p95-high), field \"threshold\": must be a number"
    QString text() const;
};

struct RuleSet {
    QString modelId; // seed 001's file-level model_id: the model of every rule that names none
    QVector<AlertRule> rules;
    bool fromDefaults = false; // built from PERF_* because there was no rules file
};

namespace AlertRules {

QString conditionName(AlertRule::Condition c);
QString severityName(AlertRule::Severity s);
QString noDataName(AlertRule::NoData n);
QString aggregationName(AlertRule::Aggregation a);
std::optional<AlertRule::Aggregation> aggregationFrom(const QString &name);

// The rules file: seed 001's {"model_id", "alert_rules": [...]} or a bare array of rules. nullopt with every problem
// found in *errors (at least one) when any rule is invalid: a file is taken whole or not at all.
std::optional<RuleSet> parse(const QByteArray &json, QVector<RuleError> *errors);
// One rule object (the editor validates field by field with it). index: its place, for the messages.
std::optional<AlertRule> parseRule(
    const QJsonObject &object, int index, const QString &fileModel, QVector<RuleError> *errors);
// Writes every field that differs from its default, ids always; parse(serialize(s)) == s.
QByteArray serialize(const RuleSet &set);
QJsonObject toJson(const AlertRule &rule);

// The evaluation interval and default window: PERF_MONITORING_INTERVAL (seconds, default 60). A bad value keeps the
// default and adds a sentence to *warnings.
qint64 intervalFromEnvironment(QStringList *warnings = nullptr);
// The rules used when there is no rules file (seed 001's environment): accuracy below its baseline by
// PERF_ACCURACY_THRESHOLD (relative), latency_p95 above PERF_LATENCY_P95_MAX_MS, error_rate above PERF_ERROR_RATE_MAX,
// each over the evaluation interval, for every model. Bad values: the default, and a sentence in *warnings.
RuleSet defaults(QStringList *warnings = nullptr);
// $XDG_CONFIG_HOME/perfdash/rules.json (QStandardPaths' generic config location).
QString defaultPath();
// A fresh id not used by any rule of the set: "<metric>-<condition>", then "-2", "-3"…
QString uniqueId(const RuleSet &set, const AlertRule &rule);
// The units an above/below rule on this KPI may write its threshold in, its own first ("" for a ratio's own): "ms",
// "s", "us" for latencies; "", "%" for ratios. Empty for an unknown KPI. (The rule editor's unit picker.)
QStringList unitsOf(const QString &kpi);

} // namespace AlertRules

} // namespace perfdash
