// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/sourcereplay.h"

#include <QDateTime>

#include <map>
#include <memory>

namespace perfdash::SourceReplay {

bool replay(ReportSource &source, const QVector<AlertRule> &rules, qint64 from, qint64 to, qint64 interval,
    bool keepSamples, AlertDataReader::ReplayResult *out, QString *error)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    auto series = std::make_shared<QVector<SeriesInfo>>();
    bool listed = false;
    // Baselines and trends as of an hour's start, computed once per model and hour however many evaluations ask.
    auto outlooks = std::make_shared<std::map<std::pair<QString, qint64>, std::optional<ModelOutlook>>>();
    return AlertDataReader::replayWith(
        rules, from, to, interval, keepSamples,
        [&](qint64 step, qint64 readFrom, qint64 readTo, AlertData *data, QString *why) {
            if (!listed && !source.seriesList(readFrom, readTo, series.get(), why))
                return false;
            listed = true;
            const AlertDataReader::Needs needs
                = AlertDataReader::prepare(*series, rules, interval, readFrom, readTo, step, data);
            QVector<SeriesInfo> wanted;
            for (const SeriesInfo &s : std::as_const(*series)) {
                if (needs.keys.count(s.key))
                    wanted.append(s);
            }
            // The windows before the coverage: a server reads its heartbeat along with them.
            if (!source.windows(wanted, readFrom, readTo, step, &data->points, why)
                || !source.coverage(readFrom, readTo, step, now, &data->coverage, why))
                return false;
            for (const QString &model : needs.qualityModels) {
                QMap<qint64, QualityStats> buckets;
                if (!source.qualityBuckets(model, readFrom, readTo, step, &buckets, why))
                    return false;
                for (auto it = buckets.cbegin(); it != buckets.cend(); ++it) {
                    if (const auto metrics = QualityMetrics::deserialize(it->blob))
                        data->quality[model][it.key()].merge(*metrics);
                }
            }
            if (needs.outlook) {
                data->outlook = [&source, series, outlooks](const QString &model, qint64 hour) -> const ModelOutlook * {
                    auto it = outlooks->find({ model, hour });
                    if (it == outlooks->end()) {
                        std::optional<ModelOutlook> outlook;
                        QString failed;
                        if (!source.outlook(*series, model, hour, &outlook, &failed))
                            qWarning("perfdash: alert preview: cannot read the baselines of %s: %s",
                                qUtf8Printable(model), qUtf8Printable(failed));
                        it = outlooks->emplace(std::make_pair(model, hour), std::move(outlook)).first;
                    }
                    return it->second ? &*it->second : nullptr;
                };
            }
            return true;
        },
        out, error);
}

} // namespace perfdash::SourceReplay
