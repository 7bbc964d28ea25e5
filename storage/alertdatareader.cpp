// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/alertdatareader.h"

#include "models/kpicatalog.h"
#include "models/seriesselector.h"
#include "models/serieskey.h"
#include "models/timebucket.h"
#include "storage/database.h"
#include "storage/modelhistoryreader.h"
#include "storage/qualitystore.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QUuid>

#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::AlertDataReader {

namespace {

bool needsOutlook(const AlertRule &r)
{
    return r.condition == AlertRule::Condition::OutsideBaseline
        || r.condition == AlertRule::Condition::BreachProjectedWithin;
}

bool needsQuality(const AlertRule &r)
{
    const KpiCatalog::Definition *d = r.isKpi() ? KpiCatalog::find(r.metric) : nullptr;
    return d && d->quality;
}

// Baselines and trends per (model, hour), read on first use through the reader's connection.
struct OutlookCache {
    const HistoryQuery *query = nullptr;
    QVector<SeriesInfo> series;
    Baseline::Limits limits;
    std::map<std::pair<QString, qint64>, std::optional<ModelOutlook>> byHour;

    const ModelOutlook *at(const QString &model, qint64 hour)
    {
        auto it = byHour.find({ model, hour });
        if (it == byHour.end()) {
            std::optional<ModelOutlook> outlook;
            ModelHistory history;
            QString error;
            if (ModelHistoryReader::read(*query, series, model, hour, &history, &error))
                outlook = Outlook::compute(history, limits);
            else
                qWarning("perfdash: alert rules: cannot read the baselines of %s: %s", qUtf8Printable(model),
                    qUtf8Printable(error));
            it = byHour.emplace(std::make_pair(model, hour), std::move(outlook)).first;
        }
        return it->second ? &*it->second : nullptr;
    }
};

} // namespace

QVector<qint64> stepsOf(const QVector<AlertRule> &rules, qint64 interval)
{
    std::set<qint64> steps;
    for (const AlertRule &r : rules) {
        if (r.enabled)
            steps.insert(AlertEvaluator::stepOf(r, interval));
    }
    return QVector<qint64>(steps.begin(), steps.end());
}

Needs prepare(const QVector<SeriesInfo> &series, const QVector<AlertRule> &rules, qint64 interval, qint64 from,
    qint64 to, qint64 step, AlertData *out)
{
    *out = {};
    out->step = step;
    out->from = from;
    out->to = to;
    for (const SeriesInfo &s : series)
        out->kinds.insert(s.key, s.kind);
    for (const QString &model : ModelHistoryReader::models(series))
        out->models.insert(model, ModelHistoryReader::seriesOf(series, model).roles);

    // The keys the rules read: a KPI rule's models' roles, a series rule's matches.
    Needs needs;
    for (const AlertRule &rule : rules) {
        if (!rule.enabled || AlertEvaluator::stepOf(rule, interval) != step)
            continue;
        needs.outlook = needs.outlook || needsOutlook(rule);
        if (rule.isKpi()) {
            const QStringList models = rule.model.isEmpty() ? out->models.keys() : QStringList { rule.model };
            for (const QString &model : models) {
                const auto roles = out->models.constFind(model);
                if (roles == out->models.constEnd())
                    continue;
                for (const QString &key : roles->allKeys())
                    needs.keys.insert(key);
                if (needsQuality(rule))
                    needs.qualityModels.insert(model);
            }
        } else {
            for (const QString &key : AlertEvaluator::instancesOf(rule, *out))
                needs.keys.insert(key);
        }
    }
    return needs;
}

bool read(const HistoryQuery &query, const QVector<SeriesInfo> &series, const QVector<AlertRule> &rules,
    qint64 interval, qint64 from, qint64 to, qint64 step, qint64 now, AlertData *out, QString *error)
{
    const Needs needs = prepare(series, rules, interval, from, to, step, out);
    const std::set<QString> &keys = needs.keys;
    const std::set<QString> &qualityModels = needs.qualityModels;
    const bool outlook = needs.outlook;
    QHash<QString, const SeriesInfo *> byKey;
    for (const SeriesInfo &s : series)
        byKey.insert(s.key, &s);
    if (!query.coverage(from, to, step, now, &out->coverage, error))
        return false;
    for (const QString &key : keys) {
        const SeriesInfo *info = byKey.value(key);
        if (!info)
            continue;
        SeriesWindow w;
        if (!query.window(*info, from, to, step, &w, error, step >= 60))
            return false;
        w.setCoverage(out->coverage);
        out->points.insert(key, w.seriesPoints());
    }
    if (!qualityModels.empty()) {
        QSqlDatabase db = QSqlDatabase::database(query.connectionName(), false);
        QStringList qualityKeys;
        if (!QualityStore::keys(db, from, to, &qualityKeys, error))
            return false;
        for (const QString &key : std::as_const(qualityKeys)) {
            const QString model = SeriesKey::fromString(key).tagValue(u"model");
            if (!qualityModels.count(model))
                continue;
            QVector<QualityStore::Window> windows;
            if (!QualityStore::windows(db, key, from, to, step, &windows, error))
                return false;
            auto &buckets = out->quality[model];
            for (const QualityStore::Window &w : std::as_const(windows)) {
                if (w.rows > 0)
                    buckets[w.from].merge(w.metrics);
            }
        }
    }
    if (outlook) {
        auto cache = std::make_shared<OutlookCache>();
        cache->query = &query;
        cache->series = series;
        cache->limits = Baseline::Limits::fromEnvironment();
        out->outlook = [cache](const QString &model, qint64 hour) { return cache->at(model, hour); };
    }
    return true;
}

bool replayWith(const QVector<AlertRule> &rules, qint64 from, qint64 to, qint64 interval, bool keepSamples,
    const StepReader &read, ReplayResult *out, QString *error)
{
    *out = {};
    if (interval <= 0 || to <= from) {
        *error = u"the range is empty"_s;
        return false;
    }
    const QVector<qint64> steps = stepsOf(rules, interval);
    out->interval = interval;
    out->step = steps.isEmpty() ? 60 : steps.constFirst();
    out->from = floorTo(from, interval);
    out->to = floorTo(to, interval);
    QElapsedTimer timer;
    timer.start();
    // One read per step the rules read at, each over the longest window of its own rules.
    std::vector<AlertData> data(size_t(steps.size()));
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const qint64 step = steps[i];
        QVector<AlertRule> ofStep;
        for (const AlertRule &r : rules) {
            if (AlertEvaluator::stepOf(r, interval) == step)
                ofStep.append(r);
        }
        const qint64 span = AlertEvaluator::maxWindow(ofStep, interval, step);
        if (!read(step, floorTo(out->from - span, step), out->to, &data[size_t(i)], error))
            return false;
    }
    out->readMs = timer.restart();
    QVector<const AlertData *> pointers;
    for (const AlertData &d : data)
        pointers.append(&d);
    out->rules = AlertReplay::run(rules, pointers, out->from, out->to, interval, keepSamples);
    out->evaluateMs = timer.elapsed();
    return true;
}

bool replay(const QString &dbPath, const QVector<AlertRule> &rules, qint64 from, qint64 to, qint64 interval,
    bool keepSamples, ReplayResult *out, QString *error)
{
    const QString name = u"perfdash-alert-replay-"_s % QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool ok = false;
    {
        const auto opened = Database::openReadOnly(name, dbPath);
        if (!opened.ok) {
            *out = {};
            *error = u"cannot read "_s % dbPath % u": "_s % opened.error;
        } else {
            const HistoryQuery query(name);
            const qint64 now = QDateTime::currentSecsSinceEpoch();
            QVector<SeriesInfo> series;
            bool listed = false;
            ok = replayWith(
                rules, from, to, interval, keepSamples,
                [&](qint64 step, qint64 readFrom, qint64 readTo, AlertData *data, QString *why) {
                    if (!listed && !query.seriesList(&series, why))
                        return false;
                    listed = true;
                    return read(query, series, rules, interval, readFrom, readTo, step, now, data, why);
                },
                out, error);
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace perfdash::AlertDataReader
