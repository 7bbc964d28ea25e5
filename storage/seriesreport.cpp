// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/seriesreport.h"

#include "models/quantilesketch.h"
#include "models/serieskey.h"
#include "models/seriesselector.h"

#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

bool hasQuantiles(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}

// StatsD timers are in milliseconds; a distribution's unit is whatever its producer measured.
QString unitOf(MetricKind kind)
{
    return kind == MetricKind::Timer ? u"ms"_s : QString();
}

} // namespace

SeriesReport::SeriesReport(QVector<SeriesInfo> series, ReportFormat::Options options)
    : m_series(std::move(series))
    , m_options(options)
{
    std::set<QString> keys;
    std::set<QString> units;
    for (const SeriesInfo &s : std::as_const(m_series)) {
        for (const QString &tag : SeriesKey::fromString(s.key).tags)
            keys.insert(tag.section(u':', 0, 0));
        m_counts = m_counts || s.kind != MetricKind::Gauge;
        m_rates = m_rates || s.kind == MetricKind::Counter || hasQuantiles(s.kind);
        m_gauges = m_gauges || s.kind == MetricKind::Gauge;
        m_sets = m_sets || s.kind == MetricKind::Set;
        if (hasQuantiles(s.kind)) {
            m_quantiles = true;
            units.insert(unitOf(s.kind));
        }
    }
    m_tagKeys = QStringList(keys.begin(), keys.end());
    if (units.size() == 1)
        m_valueUnit = *units.begin();
    m_unitColumn = units.size() > 1;
    for (const SeriesInfo &s : std::as_const(m_series)) {
        const SeriesKey key = SeriesKey::fromString(s.key);
        QStringList values;
        for (const QString &tagKey : std::as_const(m_tagKeys))
            values << key.tagValue(tagKey);
        m_tagValues << values;
    }
}

QStringList SeriesReport::header() const
{
    QStringList h { ReportFormat::timeColumn(m_options) };
    if (m_options.tagColumns)
        h << u"metric"_s << m_tagKeys;
    else
        h << u"series"_s;
    h << u"kind"_s;
    if (m_unitColumn)
        h << u"unit"_s;
    if (m_counts)
        h << u"count"_s;
    if (m_rates)
        h << u"rate_per_s"_s;
    if (m_gauges)
        h << u"last"_s;
    if (m_gauges || m_quantiles) {
        const QString unit = m_gauges ? QString() : m_valueUnit; // gauges carry their unit in their name
        for (const QString &c : { u"mean"_s, u"min"_s, u"max"_s })
            h << ReportFormat::column(c, unit);
    }
    if (m_quantiles) {
        for (const QString &c : { u"p50"_s, u"p90"_s, u"p95"_s, u"p99"_s })
            h << ReportFormat::column(c, m_valueUnit);
    }
    if (m_sets)
        h << u"unique"_s;
    h << u"covered_s"_s << u"bucket"_s;
    return h;
}

QList<QByteArray> SeriesReport::row(int index, const WindowPoint &w) const
{
    const SeriesInfo &s = m_series.at(index);
    const StoredPoint &p = w.point;
    const int exact = ReportFormat::kExactDigits;
    const int sketch = ReportFormat::sketchDigits(QuantileSketch::kDefaultRelativeAccuracy);
    const bool quantiles = hasQuantiles(s.kind);
    const bool gauge = s.kind == MetricKind::Gauge;
    QList<QByteArray> cells { ReportFormat::time(p.time, m_options) };
    if (m_options.tagColumns) {
        cells << SeriesKey::fromString(s.key).name.toUtf8();
        for (const QString &v : m_tagValues.at(index))
            cells << v.toUtf8();
    } else {
        cells << SeriesSelector::displayName(s.key).toUtf8();
    }
    cells << metricKindName(s.kind).toUtf8();
    if (m_unitColumn)
        cells << unitOf(s.kind).toUtf8();
    if (m_counts)
        cells << (gauge ? QByteArray() : QByteArray::number(p.count));
    if (m_rates)
        cells << (gauge || s.kind == MetricKind::Set ? QByteArray() : ReportFormat::number(w.rate(), exact));
    if (m_gauges)
        cells << (gauge ? ReportFormat::number(p.last, exact) : QByteArray());
    if (m_gauges || m_quantiles) {
        const bool values = gauge || quantiles; // a counter's min and max are of its increments: meaningless
        cells << (values ? ReportFormat::number(w.mean(), exact) : QByteArray());
        cells << (values ? ReportFormat::number(p.min, exact) : QByteArray());
        cells << (values ? ReportFormat::number(p.max, exact) : QByteArray());
    }
    if (m_quantiles) {
        for (int i = 0; i < 4; ++i)
            cells << (quantiles ? ReportFormat::number(p.q[size_t(i)], sketch) : QByteArray());
    }
    if (m_sets)
        cells << (s.kind == MetricKind::Set ? QByteArray::number(p.unique) : QByteArray());
    cells << (w.seconds < 0 ? QByteArray() : QByteArray::number(w.seconds));
    cells << QByteArray(w.complete ? "complete" : "partial");
    return cells;
}

} // namespace perfdash
