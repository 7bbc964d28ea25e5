// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/runtelemetry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

RunTelemetry RunTelemetry::fromJson(const QByteArray &json, std::optional<qint64> dropped)
{
    RunTelemetry out;
    out.dropped = dropped.value_or(0);
    if (json.isEmpty())
        return out;
    const QJsonArray array = QJsonDocument::fromJson(json).array();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        Sample sample;
        sample.ts = object.value(u"ts"_s).toDouble();
        sample.timestamp = object.value(u"timestamp"_s).toString();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.key() != u"ts"_s && it.key() != u"timestamp"_s && !out.columns.contains(it.key()))
                out.columns.push_back(it.key());
        }
        out.samples.push_back(std::move(sample));
    }
    out.columns.sort(); // QJsonObject keeps no order of its own: by name, as every sample's members are
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array[i].toObject();
        QVariantList &values = out.samples[i].values;
        values.reserve(out.columns.size());
        for (const QString &column : out.columns) {
            const QJsonValue v = object.value(column);
            values.push_back(v.isUndefined() || v.isNull() ? QVariant() : v.toVariant());
        }
    }
    return out;
}

} // namespace perfdash
