// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertevaluator.h"

#include "models/duration.h"
#include "models/kpi.h"
#include "models/kpicatalog.h"
#include "models/qualitystats.h"
#include "models/seriesselector.h"
#include "models/serieskey.h"
#include "models/timebucket.h"

#include <QLocale>
#include <QSet>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

using C = AlertRule::Condition;
using R = AlertState::Reading;

const QString modelPrefix = u"model:"_s;

// The figures of one model over one window, computed once per evaluation time however many rules read them.
struct FiguresCache {
    qint64 t = -1;
    std::map<std::tuple<QString, qint64, unsigned>, Kpi::Figures> figures; // (model, window, parts)
    std::map<std::pair<QString, qint64>, std::optional<QualityStats>> quality;
};

Kpi::PointLookup lookupOf(const AlertData &data)
{
    return [&data](const QString &key) -> const QVector<SeriesPoint> & { return data.pointsOf(key); };
}

const Kpi::Figures &figuresOf(
    const QString &model, const AlertData &data, qint64 from, qint64 to, unsigned parts, FiguresCache &cache)
{
    const auto key = std::make_tuple(model, to - from, parts);
    auto it = cache.figures.find(key);
    if (it == cache.figures.end()) {
        const SourceRoles roles = data.models.value(model);
        const Kpi::SketchLookup sketches = [&data](const QString &k) { return data.sketchesOf(k); };
        it = cache.figures.emplace(key, Kpi::figures(lookupOf(data), roles, data.coverage, from, to, parts, sketches))
                 .first;
    }
    return it->second;
}

const QualityStats *qualityOf(const QString &model, const AlertData &data, qint64 from, qint64 to, FiguresCache &cache)
{
    const auto key = std::make_pair(model, to - from);
    auto it = cache.quality.find(key);
    if (it == cache.quality.end()) {
        std::optional<QualityStats> stats;
        const auto q = data.quality.constFind(model);
        if (q != data.quality.constEnd()) {
            QualityMetrics merged;
            bool any = false;
            for (auto b = q->lower_bound(from); b != q->end() && b->first < to; ++b)
                any = merged.merge(b->second) || any;
            if (any)
                stats = QualityStats::from(u"prediction.quality|model:"_s % model, merged, false);
        }
        it = cache.quality.emplace(key, stats).first;
    }
    return it->second ? &*it->second : nullptr;
}

// A series rule's figure over [from, to).
double aggregate(const AlertRule &rule, const QString &key, const AlertData &data, qint64 from, qint64 to)
{
    const QVector<SeriesPoint> &points = data.pointsOf(key);
    using A = AlertRule::Aggregation;
    switch (rule.aggregation) {
    case A::P50:
    case A::P95:
    case A::P99: {
        const Kpi::Latency l = Kpi::latency(points, from, to, data.sketchesOf(key));
        const QuantileEstimate &e = rule.aggregation == A::P50 ? l.p50 : rule.aggregation == A::P95 ? l.p95 : l.p99;
        return e.meaningful ? e.value : Kpi::nan;
    }
    case A::Rate: {
        const double count = Kpi::countOf(lookupOf(data), { key }, from, to);
        const qint64 seconds = data.coverage.seconds(from, to);
        return seconds > 0 ? count / double(seconds) : Kpi::nan;
    }
    case A::Count:
        return Kpi::countOf(lookupOf(data), { key }, from, to);
    case A::Mean:
        return Kpi::gauge(points, from, to).value;
    case A::Min:
    case A::Max:
    case A::Last: {
        double out = Kpi::nan;
        for (const SeriesPoint &p : points) {
            if (p.second < from || p.second >= to || p.stats.count <= 0)
                continue;
            const double v = rule.aggregation == A::Min ? p.stats.min
                : rule.aggregation == A::Max            ? p.stats.max
                : std::isfinite(p.stats.last)           ? p.stats.last
                                                        : p.stats.mean();
            if (!std::isfinite(v))
                continue;
            if (std::isnan(out) || rule.aggregation == A::Last || (rule.aggregation == A::Min ? v < out : v > out))
                out = v;
        }
        return out;
    }
    case A::None:
        break;
    }
    return Kpi::nan;
}

R classify(double value, double threshold, double recovery, bool upward)
{
    if (!std::isfinite(value))
        return R::NoData;
    const double back = std::isfinite(recovery) ? recovery : threshold;
    if (upward) {
        if (value > threshold)
            return R::Breaching;
        return value <= back ? R::Recovered : R::Between;
    }
    if (value < threshold)
        return R::Breaching;
    return value >= back ? R::Recovered : R::Between;
}

AlertReading readCached(const AlertRule &rule, const QString &instance, const AlertData &data, qint64 t,
    qint64 interval, FiguresCache &cache)
{
    AlertReading out;
    const qint64 window = AlertEvaluator::windowOf(rule, interval, data.step);
    const qint64 from = t - window;
    if (!rule.isKpi()) {
        out.value = out.metric = aggregate(rule, instance, data, from, t);
        out.thresholdLine = rule.threshold;
        out.recoveryLine = rule.recovery;
        out.reading = classify(out.value, rule.threshold, rule.recovery, rule.condition == C::Above);
        return out;
    }
    const QString model = instance.mid(modelPrefix.size());
    const KpiCatalog::Definition *definition = KpiCatalog::find(rule.metric);
    if (!definition)
        return out;
    const auto metricNow = [&] {
        const QualityStats *quality = (definition->quality) ? qualityOf(model, data, from, t, cache) : nullptr;
        return KpiCatalog::valueOf(
            rule.metric, figuresOf(model, data, from, t, KpiCatalog::partOf(rule.metric), cache), quality);
    };
    switch (rule.condition) {
    case C::Above:
    case C::Below:
        out.value = out.metric = metricNow();
        out.thresholdLine = rule.threshold;
        out.recoveryLine = rule.recovery;
        out.reading = classify(out.value, rule.threshold, rule.recovery, rule.condition == C::Above);
        return out;
    case C::OutsideBaseline: {
        out.metric = metricNow();
        const ModelOutlook *outlook = data.outlook ? data.outlook(model, floorTo(t, 3600)) : nullptr;
        const KpiOutlook *kpi = outlook ? outlook->find(rule.metric) : nullptr;
        if (!kpi || !kpi->baseline.exists || !std::isfinite(kpi->baseline.value) || kpi->baseline.value == 0)
            return out; // no baseline: no data
        const double b = kpi->baseline.value;
        const double worseSign = definition->better == KpiCatalog::Better::Lower ? 1 : -1;
        const double deviation = (out.metric - b) / std::abs(b) * 100;
        out.value = rule.bothDirections ? std::abs(deviation) : deviation * worseSign;
        out.thresholdLine = b * (1 + worseSign * rule.threshold / 100);
        if (std::isfinite(rule.recovery))
            out.recoveryLine = b * (1 + worseSign * rule.recovery / 100);
        out.reading = classify(out.value, rule.threshold, rule.recovery, true);
        return out;
    }
    case C::BreachProjectedWithin: {
        const ModelOutlook *outlook = data.outlook ? data.outlook(model, floorTo(t, 3600)) : nullptr;
        const KpiOutlook *kpi = outlook ? outlook->find(rule.metric) : nullptr;
        if (!kpi || !kpi->fit.sufficient)
            return out; // too little history for a trend: no data
        // Days until the projected crossing; an already breached level counts as 0, no projected breach as never.
        const Trend::Breach &b = kpi->breach;
        if (b.alreadyBreached)
            out.value = 0;
        else if (b.projected)
            out.value = std::max<double>(0, double(b.at - t) / 86400);
        else
            out.value = std::numeric_limits<double>::infinity();
        out.metric = out.value;
        out.thresholdLine = rule.threshold;
        out.recoveryLine = rule.recovery;
        if (std::isinf(out.value))
            out.reading = R::Recovered;
        else
            out.reading = classify(out.value, rule.threshold, rule.recovery, false);
        return out;
    }
    }
    return out;
}

} // namespace

QString AlertEvaluator::formatValue(const AlertRule &rule, double v)
{
    if (!std::isfinite(v))
        return std::isinf(v) ? u"never"_s : u"no data"_s;
    if (rule.isKpi() && (rule.condition == C::Above || rule.condition == C::Below))
        return KpiCatalog::format(rule.metric, v);
    const QLocale locale;
    if (rule.condition == C::OutsideBaseline)
        return locale.toString(v, 'f', 1) % u" %"_s;
    if (rule.condition == C::BreachProjectedWithin)
        return locale.toString(v, 'f', 1) % u" days"_s;
    return locale.toString(v, 'g', 4) % (rule.unit.isEmpty() ? QString() : u' ' % rule.unit);
}

const QVector<SeriesPoint> &AlertData::pointsOf(const QString &key) const
{
    static const QVector<SeriesPoint> empty;
    const auto it = points.constFind(key);
    return it == points.constEnd() ? empty : *it;
}

Kpi::DecodedSketches *AlertData::sketchesOf(const QString &key) const
{
    const auto it = points.constFind(key);
    if (it == points.constEnd())
        return nullptr;
    auto &slot = m_decoded.byKey[key];
    if (!slot || slot->points() != &*it)
        slot = std::make_shared<Kpi::DecodedSketches>(&*it);
    return slot.get();
}

QString AlertEvent::model() const
{
    if (instance.startsWith(modelPrefix))
        return instance.mid(modelPrefix.size());
    return SeriesKey::fromString(instance).tagValue(u"model");
}

bool AlertEvent::operator==(const AlertEvent &o) const
{
    const auto same = [](double a, double b) {
        return (std::isnan(a) && std::isnan(b)) || a == b || std::abs(a - b) <= 1e-9 * std::max(std::abs(a), 1.0);
    };
    return time == o.time && ruleId == o.ruleId && instance == o.instance && state == o.state && same(value, o.value)
        && same(threshold, o.threshold);
}

namespace AlertEvaluator {

QStringList instancesOf(const AlertRule &rule, const AlertData &data)
{
    QStringList out;
    if (rule.isKpi()) {
        if (!rule.model.isEmpty()) {
            out.append(modelPrefix % rule.model);
        } else {
            for (auto it = data.models.constBegin(); it != data.models.constEnd(); ++it)
                out.append(modelPrefix % it.key());
        }
        return out;
    }
    SeriesSelector selector;
    selector.name = rule.metric;
    selector.tags = rule.tags;
    if (!rule.model.isEmpty()) {
        selector.tags.append(u"model:"_s % rule.model);
        std::sort(selector.tags.begin(), selector.tags.end());
    }
    for (auto it = data.kinds.constBegin(); it != data.kinds.constEnd(); ++it) {
        if (selector.matches(it.key()))
            out.append(it.key());
    }
    std::sort(out.begin(), out.end());
    return out;
}

AlertReading read(const AlertRule &rule, const QString &instance, const AlertData &data, qint64 t, qint64 interval)
{
    FiguresCache cache;
    return readCached(rule, instance, data, t, interval, cache);
}

bool isDue(const AlertRule &rule, qint64 t, qint64 interval)
{
    if (interval <= 0 || t % interval != 0)
        return false;
    if (rule.condition == C::BreachProjectedWithin)
        return t - floorTo(t, 3600) < interval; // the first evaluation time of each hour
    return true;
}

qint64 stepOf(const AlertRule &rule, qint64 interval)
{
    const qint64 window = rule.window > 0 ? rule.window : interval;
    return interval % 60 == 0 && window % 60 == 0 ? 60 : 1;
}

qint64 windowOf(const AlertRule &rule, qint64 interval, qint64 step)
{
    const qint64 w = rule.window > 0 ? rule.window : interval;
    return step > 0 ? (w + step - 1) / step * step : w;
}

qint64 maxWindow(const QVector<AlertRule> &rules, qint64 interval, qint64 step)
{
    qint64 out = windowOf({}, interval, step);
    for (const AlertRule &r : rules)
        out = std::max(out, windowOf(r, interval, step));
    return out;
}

QString messageFor(const AlertRule &rule, const QString &instance, const AlertReading &reading, const QString &state)
{
    QString subject = rule.isKpi() ? rule.metric : SeriesSelector::displayName(instance);
    if (rule.isKpi() && instance.startsWith(modelPrefix))
        subject += u" of "_s % instance.mid(modelPrefix.size());
    if (rule.condition == C::BreachProjectedWithin) {
        if (state == u"resolved" || state == u"inactive")
            return subject % u": no breach of its limit projected within "_s
                % AlertEvaluator::formatValue(rule, rule.threshold);
        return subject % u" is projected to breach its limit in "_s % AlertEvaluator::formatValue(rule, reading.value);
    }
    QString what;
    switch (rule.condition) {
    case C::Above:
        what = u"above "_s % AlertEvaluator::formatValue(rule, rule.threshold);
        break;
    case C::Below:
        what = u"below "_s % AlertEvaluator::formatValue(rule, rule.threshold);
        break;
    case C::OutsideBaseline:
        what = u"outside its baseline by more than "_s % AlertEvaluator::formatValue(rule, rule.threshold);
        break;
    case C::BreachProjectedWithin:
        break;
    }
    const QString window = Duration::format(rule.window > 0 ? rule.window : 0);
    QString value = rule.condition == C::OutsideBaseline ? KpiCatalog::format(rule.metric, reading.metric) % u" ("_s
            % AlertEvaluator::formatValue(rule, reading.value) % u')'
                                                         : AlertEvaluator::formatValue(rule, reading.value);
    QString text;
    if (state == u"resolved")
        text = subject % u" is back at "_s % value % u" (was "_s % what % u')';
    else if (state == u"inactive")
        text = subject % u" is "_s % value % u", no longer "_s % what;
    else
        text = subject % u" is "_s % value % u", "_s % what;
    if (rule.window > 0)
        text += u" over "_s % window;
    return text;
}

} // namespace AlertEvaluator

QVector<AlertEvent> AlertEngine::setRules(const QVector<AlertRule> &rules, qint64 now)
{
    QVector<AlertEvent> out;
    QHash<QString, const AlertRule *> byId;
    for (const AlertRule &r : rules)
        byId.insert(r.id, &r);
    for (auto it = m_alerts.begin(); it != m_alerts.end();) {
        const AlertRule *next = byId.value(it->first.first);
        const bool keeps = next && next->enabled && *next == *it->second.rule;
        if (keeps) {
            ++it;
            continue;
        }
        if (it->second.state.phase() == AlertState::Phase::Firing) {
            const AlertRule &old = *it->second.rule;
            AlertEvent e;
            e.time = now;
            e.ruleId = old.id;
            e.ruleName = old.displayName();
            e.instance = it->first.second;
            e.severity = AlertRules::severityName(old.severity);
            e.state = u"resolved"_s;
            e.value = it->second.last.value;
            e.threshold = old.threshold;
            e.labels = old.labels;
            e.message = old.displayName()
                % (!next                 ? u": the rule was removed"_s
                        : !next->enabled ? u": the rule was disabled"_s
                                         : u": the rule was changed"_s);
            out.append(e);
        }
        it = m_alerts.erase(it);
    }
    m_rules = rules;
    // Re-point the kept alerts at their rule in the new vector.
    for (auto &[key, alert] : m_alerts) {
        for (const AlertRule &r : m_rules) {
            if (r.id == key.first)
                alert.rule = &r;
        }
    }
    return out;
}

void AlertEngine::restore(const QString &ruleId, const QString &instance, AlertState::Phase phase, qint64 since)
{
    for (const AlertRule &r : m_rules) {
        if (r.id != ruleId || !r.enabled)
            continue;
        Alert &a = m_alerts[{ ruleId, instance }];
        a.rule = &r;
        a.instance = instance;
        a.state.restore(phase, since);
    }
}

QVector<AlertEvent> AlertEngine::evaluate(qint64 t, const AlertData &data)
{
    QVector<AlertEvent> out;
    FiguresCache cache;
    for (const AlertRule &rule : std::as_const(m_rules)) {
        if (!rule.enabled || !AlertEvaluator::isDue(rule, t, m_interval)
            || AlertEvaluator::stepOf(rule, m_interval) != data.step)
            continue;
        QStringList instances = AlertEvaluator::instancesOf(rule, data);
        // Alerts of instances that left the data (a model without series in the span) are still stepped: no data.
        const QSet<QString> present(instances.cbegin(), instances.cend());
        for (auto it = m_alerts.lower_bound({ rule.id, QString() }); it != m_alerts.end() && it->first.first == rule.id;
             ++it) {
            if (!present.contains(it->first.second))
                instances.append(it->first.second);
        }
        for (const QString &instance : std::as_const(instances)) {
            Alert &alert = m_alerts[{ rule.id, instance }];
            alert.rule = &rule;
            alert.instance = instance;
            alert.last = readCached(rule, instance, data, t, m_interval, cache);
            const auto change = alert.state.step(t, alert.last.reading, rule);
            if (!change)
                continue;
            AlertEvent e;
            e.time = t;
            e.ruleId = rule.id;
            e.ruleName = rule.displayName();
            e.instance = instance;
            e.severity = AlertRules::severityName(rule.severity);
            e.state = AlertState::stateName(*change);
            e.value = alert.last.value;
            e.threshold = rule.threshold;
            e.labels = rule.labels;
            e.message = AlertEvaluator::messageFor(rule, instance, alert.last, e.state);
            out.append(e);
        }
        // An inactive alert whose instance has left the data is forgotten (it comes back if the instance does), so
        // series that came and went do not pile up.
        for (auto it = m_alerts.lower_bound({ rule.id, QString() });
             it != m_alerts.end() && it->first.first == rule.id;) {
            if (!present.contains(it->first.second) && it->second.state.phase() == AlertState::Phase::Inactive)
                it = m_alerts.erase(it);
            else
                ++it;
        }
    }
    return out;
}

QVector<AlertEngine::Alert> AlertEngine::active() const
{
    QVector<Alert> out;
    for (const auto &[key, alert] : m_alerts) {
        if (alert.state.phase() != AlertState::Phase::Inactive)
            out.append(alert);
    }
    return out;
}

namespace AlertReplay {

qint64 flapWindow(const AlertRule &rule, qint64 interval)
{
    return std::max<qint64>({ rule.window, interval, 600 });
}

QString RuleResult::describe() const
{
    const int n = int(firings.size());
    QString text = n == 0 ? u"would not have fired"_s
        : n == 1          ? u"would have fired once"_s
                          : u"would have fired %1 times"_s.arg(n);
    if (flaps > 0)
        text += flaps == 1 ? u", 1 flap"_s : u", %1 flaps"_s.arg(flaps);
    if (n > 0 && coveredSeconds < 86400) {
        const qint64 minutes = std::max<qint64>(1, coveredSeconds / 60);
        text += (flaps > 0 ? u", in the "_s : u" in the "_s)
            % (minutes < 120 ? u"%1 min"_s.arg(minutes) : u"%1 h"_s.arg(minutes / 60)) % u" of stored history"_s;
    } else if (n > 0) {
        if (perDay >= 1.5)
            text += u", about %1 alerts a day"_s.arg(qRound(perDay));
        else if (perDay >= 0.75)
            text += u", about one alert a day"_s;
        else if (perDay * 7 >= 1.5)
            text += u", about %1 a week"_s.arg(qRound(perDay * 7));
        else if (perDay * 7 >= 0.75)
            text += u", about once a week"_s;
    }
    return text;
}

QVector<RuleResult> run(
    const QVector<AlertRule> &rules, const AlertData &data, qint64 from, qint64 to, qint64 interval, bool keepSamples)
{
    return run(rules, QVector<const AlertData *> { &data }, from, to, interval, keepSamples);
}

QVector<RuleResult> run(const QVector<AlertRule> &rules, const QVector<const AlertData *> &data, qint64 from, qint64 to,
    qint64 interval, bool keepSamples)
{
    QVector<RuleResult> out;
    AlertEngine engine(interval);
    engine.setRules(rules, from);
    QHash<QString, int> index;
    for (const AlertRule &r : rules) {
        index.insert(r.id, int(out.size()));
        RuleResult result;
        result.ruleId = r.id;
        out.append(result);
    }
    const qint64 first = (from / interval + 1) * interval;
    QVector<qint64> firstData(out.size(), -1);
    for (qint64 t = first; t <= to; t += interval) {
        QVector<AlertEvent> events;
        for (const AlertData *d : data)
            events += engine.evaluate(t, *d);
        for (const AlertEvent &e : events) {
            RuleResult &result = out[index.value(e.ruleId)];
            result.events.append(e);
            if (e.state == u"firing") {
                Firing f;
                f.instance = e.instance;
                f.start = e.time;
                f.peak = e.value;
                for (auto it = result.firings.crbegin(); it != result.firings.crend(); ++it) {
                    if (it->instance != e.instance)
                        continue;
                    const AlertRule &rule = rules.at(index.value(e.ruleId));
                    if (it->end >= 0 && e.time - it->end <= flapWindow(rule, interval))
                        ++result.flaps;
                    break;
                }
                result.firings.append(f);
            } else if (e.state == u"resolved") {
                for (auto it = result.firings.rbegin(); it != result.firings.rend(); ++it) {
                    if (it->instance == e.instance && it->end < 0) {
                        it->end = e.time;
                        break;
                    }
                }
            }
        }
        // Peaks of what is firing, and the samples for charts.
        for (const auto &[key, alert] : engine.alerts()) {
            RuleResult &result = out[index.value(key.first)];
            if (alert.state.phase() == AlertState::Phase::Firing && std::isfinite(alert.last.value)) {
                for (auto it = result.firings.rbegin(); it != result.firings.rend(); ++it) {
                    if (it->instance != key.second)
                        continue;
                    const AlertRule &rule = *alert.rule;
                    const bool upward = rule.condition == C::Above || rule.condition == C::OutsideBaseline;
                    if (std::isnan(it->peak) || (upward ? alert.last.value > it->peak : alert.last.value < it->peak))
                        it->peak = alert.last.value;
                    break;
                }
            }
            const bool due = AlertEvaluator::isDue(*alert.rule, t, interval);
            if (due && alert.last.reading != AlertState::Reading::NoData && (firstData[index.value(key.first)] < 0))
                firstData[index.value(key.first)] = t;
            if (keepSamples && due)
                result.samples[key.second].append({ t, alert.last, alert.state.phase() });
        }
    }
    for (qsizetype i = 0; i < out.size(); ++i) {
        RuleResult &r = out[i];
        r.coveredSeconds = firstData[i] < 0 ? 0 : to - firstData[i] + interval;
        r.perDay = r.coveredSeconds > 0 ? double(r.firings.size()) * 86400 / double(r.coveredSeconds) : 0;
    }
    return out;
}

} // namespace AlertReplay

} // namespace perfdash
