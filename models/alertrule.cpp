// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertrule.h"

#include "models/baseline.h"
#include "models/duration.h"
#include "models/kpicatalog.h"
#include "models/seriesselector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QStandardPaths>

#include <cmath>
#include <cstdlib>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

using C = AlertRule::Condition;

// Ratios (0..1) that a rule may also write in percent.
bool isRatio(const QString &kpi)
{
    static const QStringList ratios { u"accuracy"_s, u"f1_score"_s, u"auc_roc"_s, u"error_rate"_s,
        u"cache_hit_rate"_s };
    return ratios.contains(kpi);
}

// Factor from `unit` to the KPI's own unit; nullopt when the unit does not fit the KPI.
std::optional<double> unitFactor(const QString &kpi, const QString &unit)
{
    const KpiCatalog::Definition *d = KpiCatalog::find(kpi);
    if (!d)
        return std::nullopt;
    const QString u = unit.trimmed();
    if (u.isEmpty() || u == d->unit)
        return 1.0;
    if (d->unit == u"ms") {
        if (u == u"s")
            return 1000.0;
        if (u == u"us" || u == u"µs")
            return 0.001;
    }
    if (d->unit == u"req/s") {
        if (u == u"rps" || u == u"/s" || u == u"per second")
            return 1.0;
        if (u == u"req/min" || u == u"rpm" || u == u"/min")
            return 1.0 / 60;
    }
    if (d->unit == u"MB") {
        if (u == u"GB")
            return 1024.0;
        if (u == u"KB" || u == u"kB")
            return 1.0 / 1024;
    }
    if (isRatio(kpi)) {
        if (u == u"%")
            return 0.01;
        if (u == u"ratio")
            return 1.0;
    }
    return std::nullopt;
}

QString unitsFor(const QString &kpi)
{
    const KpiCatalog::Definition *d = KpiCatalog::find(kpi);
    if (!d)
        return {};
    if (d->unit == u"ms")
        return u"ms, s or us"_s;
    if (d->unit == u"req/s")
        return u"req/s, rps or req/min"_s;
    if (d->unit == u"MB")
        return u"MB, GB or KB"_s;
    if (isRatio(kpi))
        return u"a ratio from 0 to 1, or % with unit \"%\""_s;
    return d->unit.isEmpty() ? u"no unit"_s : d->unit;
}

QString number(double v)
{
    return QString::number(v, 'g', 10);
}

const QMap<QString, AlertRule::Aggregation> &aggregations()
{
    using A = AlertRule::Aggregation;
    static const QMap<QString, A> map { { u"p50"_s, A::P50 }, { u"p95"_s, A::P95 }, { u"p99"_s, A::P99 },
        { u"mean"_s, A::Mean }, { u"min"_s, A::Min }, { u"max"_s, A::Max }, { u"last"_s, A::Last },
        { u"rate"_s, A::Rate }, { u"count"_s, A::Count } };
    return map;
}

const QStringList &knownFields()
{
    static const QStringList fields { u"id"_s, u"name"_s, u"metric"_s, u"aggregation"_s, u"model"_s, u"model_id"_s,
        u"condition"_s, u"threshold"_s, u"unit"_s, u"recovery"_s, u"recovery_threshold"_s, u"direction"_s, u"window"_s,
        u"for"_s, u"keep_firing_for"_s, u"severity"_s, u"no_data"_s, u"labels"_s, u"enabled"_s };
    return fields;
}

// A duration field: "15m" or a number of seconds; 0 allowed where zeroOk.
std::optional<qint64> durationField(const QJsonValue &v, bool zeroOk, QString *why)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d == std::floor(d) && d >= (zeroOk ? 0 : 1) && d <= 400.0 * 86400)
            return qint64(d);
    } else if (v.isString()) {
        const QString s = v.toString().trimmed();
        if (zeroOk && (s == u"0" || s == u"0s"))
            return 0;
        if (const auto parsed = Duration::parse(s); parsed && *parsed <= 400 * 86400)
            return *parsed;
    }
    *why = zeroOk ? u"must be a duration such as \"30s\", \"5m\", \"1h\" or 0"_s
                  : u"must be a duration such as \"30s\", \"5m\", \"1h\" (at most 400d)"_s;
    return std::nullopt;
}

} // namespace

QString AlertRule::metricUnit() const
{
    if (!isKpi())
        return unit;
    if (condition == Condition::OutsideBaseline)
        return u"%"_s;
    if (condition == Condition::BreachProjectedWithin)
        return u"d"_s;
    const KpiCatalog::Definition *d = KpiCatalog::find(metric);
    return d ? d->unit : QString();
}

QString AlertRule::describe() const
{
    QString what = metric;
    if (!isKpi())
        what = AlertRules::aggregationName(aggregation) % u" of "_s
            % SeriesSelector::displayName(metric % (tags.isEmpty() ? QString() : u'|' % tags.join(u',')));
    if (!model.isEmpty())
        what += u" ("_s % model % u')';
    const QString unitText = metricUnit().isEmpty() ? QString() : u' ' % metricUnit();
    QString text;
    switch (condition) {
    case C::Above:
    case C::Below:
        // A KPI's threshold as the tiles write its values ("0.50 %", "100.0 ms").
        text = what % (condition == C::Above ? u" above "_s : u" below "_s)
            % (isKpi() ? KpiCatalog::format(metric, threshold) : number(threshold) % unitText);
        break;
    case C::OutsideBaseline:
        text = what % (bothDirections ? u" outside its baseline by ±"_s : u" worse than its baseline by "_s)
            % number(threshold) % u" %"_s;
        break;
    case C::BreachProjectedWithin:
        text = what % u" projected to breach its limit within "_s % number(threshold) % u" days"_s;
        break;
    }
    if (condition != C::BreachProjectedWithin && window > 0)
        text += u" over "_s % Duration::format(window);
    if (forSeconds > 0)
        text += u" for "_s % Duration::format(forSeconds);
    return text;
}

bool AlertRule::operator==(const AlertRule &o) const
{
    const auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
    return id == o.id && name == o.name && metric == o.metric && aggregation == o.aggregation && model == o.model
        && tags == o.tags && condition == o.condition && same(threshold, o.threshold) && unit == o.unit
        && same(recovery, o.recovery) && bothDirections == o.bothDirections && window == o.window
        && forSeconds == o.forSeconds && keepFiringFor == o.keepFiringFor && severity == o.severity
        && noData == o.noData && labels == o.labels && enabled == o.enabled;
}

QString RuleError::text() const
{
    QString where;
    if (index >= 0)
        where = rule.isEmpty() ? u"rule %1"_s.arg(index + 1) : u"rule %1 (%2)"_s.arg(index + 1).arg(rule);
    if (!field.isEmpty())
        where += (where.isEmpty() ? QString() : u", "_s) % u"field \""_s % field % u'"';
    return where.isEmpty() ? message : where % u": "_s % message;
}

namespace AlertRules {

QString conditionName(AlertRule::Condition c)
{
    switch (c) {
    case C::Above:
        return u"above"_s;
    case C::Below:
        return u"below"_s;
    case C::OutsideBaseline:
        return u"outside_baseline"_s;
    case C::BreachProjectedWithin:
        return u"breach_projected_within"_s;
    }
    return {};
}

QString severityName(AlertRule::Severity s)
{
    switch (s) {
    case AlertRule::Severity::Info:
        return u"info"_s;
    case AlertRule::Severity::Warning:
        return u"warning"_s;
    case AlertRule::Severity::Critical:
        return u"critical"_s;
    }
    return {};
}

QString noDataName(AlertRule::NoData n)
{
    switch (n) {
    case AlertRule::NoData::KeepState:
        return u"keep_state"_s;
    case AlertRule::NoData::Ok:
        return u"ok"_s;
    case AlertRule::NoData::Alerting:
        return u"alerting"_s;
    }
    return {};
}

QString aggregationName(AlertRule::Aggregation a)
{
    return aggregations().key(a);
}

std::optional<AlertRule::Aggregation> aggregationFrom(const QString &name)
{
    const auto it = aggregations().constFind(name.trimmed().toLower());
    if (it == aggregations().constEnd())
        return std::nullopt;
    return *it;
}

std::optional<AlertRule> parseRule(
    const QJsonObject &o, int index, const QString &fileModel, QVector<RuleError> *errors)
{
    AlertRule r;
    const QString label = o.value(u"id").isString() ? o.value(u"id").toString() : o.value(u"name").toString();
    const qsizetype before = errors->size();
    const auto fail = [&](const QString &field, const QString &message) {
        errors->append({ index, label, field, message });
    };
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (!knownFields().contains(it.key()))
            fail(it.key(), u"is not a rule field (known: "_s % knownFields().join(u", "_s) % u')');
    }
    const auto text = [&](const QString &field) -> QString {
        const QJsonValue v = o.value(field);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isString()) {
            fail(field, u"must be a string"_s);
            return {};
        }
        return v.toString().trimmed();
    };
    r.id = text(u"id"_s);
    r.name = text(u"name"_s);
    if (r.id.isEmpty())
        r.id = r.name;

    // metric [+ aggregation]
    const QString metric = text(u"metric"_s);
    const QString aggregation = text(u"aggregation"_s);
    r.model = text(u"model"_s);
    if (r.model.isEmpty())
        r.model = text(u"model_id"_s);
    if (r.model.isEmpty())
        r.model = fileModel;
    if (r.model == u"*")
        r.model.clear();
    if (metric.isEmpty()) {
        fail(u"metric"_s, u"is required: a KPI ("_s % KpiCatalog::names().join(u", "_s) % u") or a series"_s);
    } else if (aggregation.isEmpty()) {
        r.metric = KpiCatalog::canonicalName(metric);
        if (r.metric.isEmpty())
            fail(u"metric"_s,
                u"\""_s % metric % u"\" is not a KPI of docs/metrics.md ("_s % KpiCatalog::names().join(u", "_s)
                    % u"); a series needs an \"aggregation\" (p50, p95, p99, mean, min, max, last, rate, count)"_s);
    } else {
        const auto agg = aggregationFrom(aggregation);
        if (!agg)
            fail(u"aggregation"_s,
                u"\""_s % aggregation
                    % u"\" is not one of p50, p95, p99, mean, min, max, last, "
                      u"rate, count"_s);
        else
            r.aggregation = *agg;
        QString why;
        const auto selector = SeriesSelector::parse(metric, &why);
        if (!selector) {
            fail(u"metric"_s, why);
        } else {
            r.metric = selector->name;
            for (const QString &tag : selector->tags) {
                if (tag.startsWith(u"model:"))
                    r.model = tag.mid(6);
                else
                    r.tags.append(tag);
            }
        }
    }

    // condition and direction
    const QString condition = text(u"condition"_s).toLower();
    static const QMap<QString, C> conditions { { u"above"_s, C::Above }, { u"below"_s, C::Below },
        { u"outside_baseline"_s, C::OutsideBaseline }, { u"breach_projected_within"_s, C::BreachProjectedWithin } };
    if (condition.isEmpty())
        fail(u"condition"_s, u"is required: above, below, outside_baseline or breach_projected_within"_s);
    else if (!conditions.contains(condition))
        fail(u"condition"_s,
            u"\""_s % condition % u"\" is not above, below, outside_baseline or breach_projected_within"_s);
    else
        r.condition = conditions.value(condition);
    if (!r.isKpi() && (r.condition == C::OutsideBaseline || r.condition == C::BreachProjectedWithin))
        fail(u"condition"_s, u"baselines and trends exist for KPIs only; a series rule takes above or below"_s);
    const QString direction = text(u"direction"_s).toLower();
    if (direction == u"both")
        r.bothDirections = true;
    else if (!direction.isEmpty() && direction != u"worse")
        fail(u"direction"_s, u"must be \"worse\" (default) or \"both\""_s);

    // threshold, unit, recovery
    r.unit = text(u"unit"_s);
    double factor = 1;
    if (r.isKpi() && !r.metric.isEmpty()) {
        if (r.condition == C::OutsideBaseline) {
            if (!r.unit.isEmpty() && r.unit != u"%")
                fail(u"unit"_s, u"outside_baseline takes a percent of the baseline: unit \"%\" or none"_s);
        } else if (r.condition == C::BreachProjectedWithin) {
            if (!r.unit.isEmpty() && r.unit != u"d" && r.unit != u"days")
                fail(u"unit"_s, u"breach_projected_within takes days: unit \"d\" or none"_s);
        } else if (const auto f = unitFactor(r.metric, r.unit)) {
            factor = *f;
        } else {
            fail(u"unit"_s, u"\""_s % r.unit % u"\" does not fit "_s % r.metric % u" (" % unitsFor(r.metric) % u')');
        }
    }
    const auto numberField = [&](const QString &field, bool required) -> double {
        const QJsonValue v = o.value(field);
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(field, u"is required: a number"_s);
            return AlertRule::nan;
        }
        if (!v.isDouble() || !std::isfinite(v.toDouble())) {
            fail(field, u"must be a number"_s);
            return AlertRule::nan;
        }
        return v.toDouble() * factor;
    };
    r.threshold = numberField(u"threshold"_s, true);
    r.recovery = numberField(o.contains(u"recovery_threshold") ? u"recovery_threshold"_s : u"recovery"_s, false);
    const auto checkRange = [&](const QString &field, double v) {
        if (std::isnan(v))
            return;
        if (r.condition == C::BreachProjectedWithin) {
            if (v <= 0 || v > 365)
                fail(field, u"must be a number of days from 0 to 365"_s);
        } else if (r.condition == C::OutsideBaseline) {
            if (v <= 0 || v > 1000)
                fail(field, u"must be a percent of the baseline above 0 (20 means ±20 %)"_s);
        } else if (r.isKpi() && v < 0) {
            fail(field, u"cannot be negative for "_s % r.metric);
        } else if (r.isKpi() && isRatio(r.metric) && v > 1) {
            fail(field,
                u"%1 is a ratio from 0 to 1 (%2 would be %3 %); write %4, or %2 with unit \"%\""_s.arg(
                    r.metric, number(v / factor), number(v / factor * 100), number(v / factor / 100)));
        }
    };
    checkRange(u"threshold"_s, r.threshold);
    checkRange(u"recovery"_s, r.recovery);
    if (std::isfinite(r.threshold) && std::isfinite(r.recovery)) {
        // The recovery threshold lies on the safe side of the threshold (hysteresis).
        const bool upward = r.condition == C::Above || r.condition == C::OutsideBaseline;
        if (upward ? r.recovery > r.threshold : r.recovery < r.threshold)
            fail(u"recovery"_s,
                u"must be %1 the threshold (%2): an alert recovers on the safe side of where it fires"_s.arg(
                    upward ? u"at or below"_s : u"at or above"_s, number(r.threshold / factor)));
    }

    // durations
    QString why;
    if (o.contains(u"window")) {
        if (const auto w = durationField(o.value(u"window"), false, &why))
            r.window = *w;
        else
            fail(u"window"_s, why);
    }
    if (o.contains(u"for")) {
        if (const auto w = durationField(o.value(u"for"), true, &why))
            r.forSeconds = *w;
        else
            fail(u"for"_s, why);
    }
    if (o.contains(u"keep_firing_for")) {
        if (const auto w = durationField(o.value(u"keep_firing_for"), true, &why))
            r.keepFiringFor = *w;
        else
            fail(u"keep_firing_for"_s, why);
    }

    // severity, no data, labels, enabled
    const QString severity = text(u"severity"_s).toLower();
    if (severity == u"info")
        r.severity = AlertRule::Severity::Info;
    else if (severity == u"critical")
        r.severity = AlertRule::Severity::Critical;
    else if (severity.isEmpty() || severity == u"warning")
        r.severity = AlertRule::Severity::Warning;
    else
        fail(u"severity"_s, u"\""_s % severity % u"\" is not info, warning or critical"_s);
    const QString noData = text(u"no_data"_s).toLower();
    if (noData == u"ok")
        r.noData = AlertRule::NoData::Ok;
    else if (noData == u"alerting")
        r.noData = AlertRule::NoData::Alerting;
    else if (!noData.isEmpty() && noData != u"keep_state")
        fail(u"no_data"_s, u"\""_s % noData % u"\" is not keep_state, ok or alerting"_s);
    const QJsonValue labels = o.value(u"labels");
    if (labels.isObject()) {
        const QJsonObject l = labels.toObject();
        for (auto it = l.constBegin(); it != l.constEnd(); ++it) {
            if (!it.value().isString())
                fail(u"labels"_s, u"the label \""_s % it.key() % u"\" must have a string value"_s);
            else
                r.labels.insert(it.key(), it.value().toString());
        }
    } else if (!labels.isUndefined() && !labels.isNull()) {
        fail(u"labels"_s, u"must be an object of strings, such as {\"team\": \"ml\"}"_s);
    }
    const QJsonValue enabled = o.value(u"enabled");
    if (enabled.isBool())
        r.enabled = enabled.toBool();
    else if (!enabled.isUndefined() && !enabled.isNull())
        fail(u"enabled"_s, u"must be true or false"_s);

    if (errors->size() > before)
        return std::nullopt;
    return r;
}

std::optional<RuleSet> parse(const QByteArray &json, QVector<RuleError> *errors)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // The line of the offset, for people who edit the file by hand.
        const int line = int(json.left(parseError.offset).count('\n')) + 1;
        errors->append({ -1, {}, {}, u"not valid JSON at line %1: %2"_s.arg(line).arg(parseError.errorString()) });
        return std::nullopt;
    }
    RuleSet set;
    QJsonArray rules;
    if (doc.isArray()) {
        rules = doc.array();
    } else if (doc.isObject()) {
        const QJsonObject top = doc.object();
        for (auto it = top.constBegin(); it != top.constEnd(); ++it) {
            if (it.key() != u"model_id" && it.key() != u"alert_rules")
                errors->append({ -1, {}, it.key(), u"is not a field of a rules file (model_id, alert_rules)"_s });
        }
        const QJsonValue model = top.value(u"model_id");
        if (model.isString())
            set.modelId = model.toString().trimmed();
        else if (!model.isUndefined() && !model.isNull())
            errors->append({ -1, {}, u"model_id"_s, u"must be a string"_s });
        if (!top.value(u"alert_rules").isArray())
            errors->append({ -1, {}, u"alert_rules"_s, u"is required: a list of rules"_s });
        rules = top.value(u"alert_rules").toArray();
    } else {
        errors->append({ -1, {}, {}, u"must be an object with \"alert_rules\", or a list of rules"_s });
    }
    QSet<QString> ids;
    for (int i = 0; i < rules.size(); ++i) {
        if (!rules.at(i).isObject()) {
            errors->append({ i, {}, {}, u"must be an object"_s });
            continue;
        }
        auto rule = parseRule(rules.at(i).toObject(), i, set.modelId, errors);
        if (!rule)
            continue;
        if (rule->id.isEmpty())
            rule->id = uniqueId(set, *rule);
        if (ids.contains(rule->id)) {
            errors->append({ i, rule->id, u"id"_s, u"is used by an earlier rule; ids must be unique"_s });
            continue;
        }
        ids.insert(rule->id);
        set.rules.append(*rule);
    }
    if (!errors->isEmpty())
        return std::nullopt;
    return set;
}

QJsonObject toJson(const AlertRule &r)
{
    QJsonObject o;
    o.insert(u"id"_s, r.id);
    if (!r.name.isEmpty() && r.name != r.id)
        o.insert(u"name"_s, r.name);
    if (r.isKpi()) {
        o.insert(u"metric"_s, r.metric);
    } else {
        // name{tag=value,…}; a tag without a value is written "tag=", which reads back as the same tag.
        QStringList tags;
        for (const QString &tag : r.tags) {
            const qsizetype colon = tag.indexOf(u':');
            QString value = colon < 0 ? QString() : tag.mid(colon + 1);
            // The parser trims values and strips one pair of quotes: quote what would not survive that.
            if (value != value.trimmed() || (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"')))
                value = u'"' % value % u'"';
            tags.append((colon < 0 ? tag : tag.left(colon)) % u'=' % value);
        }
        o.insert(u"metric"_s, tags.isEmpty() ? r.metric : r.metric % u'{' % tags.join(u',') % u'}');
        o.insert(u"aggregation"_s, aggregationName(r.aggregation));
    }
    if (!r.model.isEmpty())
        o.insert(u"model"_s, r.model);
    o.insert(u"condition"_s, conditionName(r.condition));
    // Thresholds are written in the rule's own unit, as the user wrote them.
    double factor = 1;
    if (r.isKpi() && r.condition != C::OutsideBaseline && r.condition != C::BreachProjectedWithin)
        factor = unitFactor(r.metric, r.unit).value_or(1.0);
    o.insert(u"threshold"_s, r.threshold / factor);
    if (!r.unit.isEmpty())
        o.insert(u"unit"_s, r.unit);
    if (std::isfinite(r.recovery))
        o.insert(u"recovery"_s, r.recovery / factor);
    if (r.bothDirections)
        o.insert(u"direction"_s, u"both"_s);
    if (r.window > 0)
        o.insert(u"window"_s, Duration::format(r.window));
    if (r.forSeconds > 0)
        o.insert(u"for"_s, Duration::format(r.forSeconds));
    if (r.keepFiringFor > 0)
        o.insert(u"keep_firing_for"_s, Duration::format(r.keepFiringFor));
    o.insert(u"severity"_s, severityName(r.severity));
    if (r.noData != AlertRule::NoData::KeepState)
        o.insert(u"no_data"_s, noDataName(r.noData));
    if (!r.labels.isEmpty()) {
        QJsonObject labels;
        for (auto it = r.labels.constBegin(); it != r.labels.constEnd(); ++it)
            labels.insert(it.key(), it.value());
        o.insert(u"labels"_s, labels);
    }
    if (!r.enabled)
        o.insert(u"enabled"_s, false);
    return o;
}

QByteArray serialize(const RuleSet &set)
{
    QJsonObject top;
    if (!set.modelId.isEmpty())
        top.insert(u"model_id"_s, set.modelId);
    QJsonArray rules;
    for (const AlertRule &r : set.rules) {
        QJsonObject o = toJson(r);
        // A rule whose model is the file's own is written without it, as seed 001 writes them.
        if (!set.modelId.isEmpty() && r.model == set.modelId)
            o.remove(u"model"_s);
        else if (!set.modelId.isEmpty() && r.model.isEmpty())
            o.insert(u"model"_s, u"*"_s);
        rules.append(o);
    }
    top.insert(u"alert_rules"_s, rules);
    return QJsonDocument(top).toJson(QJsonDocument::Indented);
}

qint64 intervalFromEnvironment(QStringList *warnings)
{
    constexpr qint64 fallback = 60;
    const char *v = std::getenv("PERF_MONITORING_INTERVAL");
    if (!v || !*v)
        return fallback;
    bool ok = false;
    const qint64 seconds = QString::fromUtf8(v).trimmed().toLongLong(&ok);
    if (ok && seconds >= 1 && seconds <= 86400)
        return seconds;
    if (warnings)
        warnings->append(u"PERF_MONITORING_INTERVAL=%1 is not a whole number of seconds from 1 to 86400; using %2"_s
                             .arg(QString::fromUtf8(v))
                             .arg(fallback));
    return fallback;
}

RuleSet defaults(QStringList *warnings)
{
    const Baseline::Limits limits = Baseline::Limits::fromEnvironment(warnings);
    const qint64 interval = intervalFromEnvironment(warnings);
    RuleSet set;
    set.fromDefaults = true;
    AlertRule accuracy;
    accuracy.id = u"accuracy-below-baseline"_s;
    accuracy.metric = u"accuracy"_s;
    accuracy.condition = C::OutsideBaseline;
    accuracy.threshold = limits.accuracyDrop * 100;
    accuracy.window = interval;
    accuracy.severity = AlertRule::Severity::Critical;
    AlertRule latency;
    latency.id = u"latency-p95-above-max"_s;
    latency.metric = u"latency_p95"_s;
    latency.condition = C::Above;
    latency.threshold = limits.latencyMaxMs;
    latency.window = interval;
    latency.severity = AlertRule::Severity::Warning;
    AlertRule errors;
    errors.id = u"error-rate-above-max"_s;
    errors.metric = u"error_rate"_s;
    errors.condition = C::Above;
    errors.threshold = limits.errorRateMax;
    errors.window = interval;
    errors.severity = AlertRule::Severity::Critical;
    set.rules = { accuracy, latency, errors };
    return set;
}

QString defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) % u"/perfdash/rules.json"_s;
}

QStringList unitsOf(const QString &kpi)
{
    const KpiCatalog::Definition *d = KpiCatalog::find(kpi);
    if (!d)
        return {};
    // The spellings unitFactor takes, one per factor.
    QStringList units;
    if (d->unit == u"ms")
        units = { u"ms"_s, u"s"_s, u"us"_s };
    else if (d->unit == u"req/s")
        units = { u"req/s"_s, u"req/min"_s };
    else if (d->unit == u"MB")
        units = { u"MB"_s, u"GB"_s, u"KB"_s };
    else if (isRatio(kpi))
        units = { QString(), u"%"_s };
    else
        units = { d->unit };
    return units;
}

QString uniqueId(const RuleSet &set, const AlertRule &rule)
{
    QString base = (rule.metric.isEmpty() ? u"rule"_s : rule.metric) % u'-' % conditionName(rule.condition);
    if (!rule.model.isEmpty())
        base = rule.model % u'-' % base;
    base.replace(u' ', u'-');
    QString id = base;
    for (int n = 2;; ++n) {
        const bool used
            = std::any_of(set.rules.begin(), set.rules.end(), [&](const AlertRule &r) { return r.id == id; });
        if (!used)
            return id;
        id = base % u'-' % QString::number(n);
    }
}

} // namespace AlertRules

} // namespace perfdash
