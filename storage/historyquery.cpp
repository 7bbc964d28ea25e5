// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/historyquery.h"

#include "models/quantilesketch.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <map>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

bool failWith(const QSqlQuery &q, QString *error)
{
    if (error)
        *error = q.lastError().text();
    return false;
}

double nanMin(double a, double b)
{
    return std::isnan(a) ? b : std::isnan(b) ? a : std::min(a, b);
}
double nanMax(double a, double b)
{
    return std::isnan(a) ? b : std::isnan(b) ? a : std::max(a, b);
}

bool hasQuantiles(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}

// The rows of a chunk (column 1) and, for the open 1 s chunk, the provisional seconds after them (column 2). A damaged
// blob loses its own rows only.
std::vector<StoredPoint> rowsOf(const QSqlQuery &q, qint64 start, qint64 step)
{
    auto rows = ChunkCodec::decode(q.value(1).toByteArray(), start, step);
    std::vector<StoredPoint> out = rows ? std::move(*rows) : std::vector<StoredPoint> {};
    const QByteArray tail = q.value(2).toByteArray();
    if (!tail.isEmpty()) {
        if (auto provisional = ChunkCodec::decode(tail, start, step))
            out.insert(out.end(), provisional->begin(), provisional->end());
    }
    return out;
}

} // namespace

StorageTier HistoryQuery::tierFor(qint64 step)
{
    if (step > 0 && step % 3600 == 0)
        return StorageTier::Hour;
    if (step > 0 && step % 60 == 0)
        return StorageTier::Minute;
    return StorageTier::Second;
}

bool HistoryQuery::seriesList(QVector<SeriesInfo> *out, QString *error) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT id, key, kind, first_seen FROM series ORDER BY key"_s))
        return failWith(q, error);
    out->clear();
    while (q.next())
        out->push_back({ q.value(0).toLongLong(), q.value(1).toString(), MetricKind(q.value(2).toInt()),
                         q.value(3).toLongLong() });
    return true;
}

bool HistoryQuery::window(const SeriesInfo &series, qint64 from, qint64 to, qint64 step, SeriesWindow *out,
                          QString *error) const
{
    if (step <= 0) {
        if (error)
            *error = u"the step must be positive"_s;
        return false;
    }
    const TierSpec &spec = tierSpec(tierFor(step));
    out->series = series;
    out->step = step;
    out->tier = spec.tier;
    out->points.clear();
    from = floorTo(from, step);
    auto db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    // The open chunk's provisional seconds (tail) may reach one chunk span past its start.
    q.prepare(u"SELECT start, data, NULL FROM "_s % QString::fromUtf16(spec.chunkTable)
              % u" WHERE series_id = ? AND start > ? AND start < ?"
                " UNION ALL SELECT start, data, tail FROM open_chunks WHERE series_id = ? AND tier = ? AND start > ?"
                " AND start < ? ORDER BY 1"_s);
    for (int i = 0; i < 2; ++i) {
        q.addBindValue(series.id);
        if (i == 1)
            q.addBindValue(int(spec.tier));
        q.addBindValue(from - spec.chunkSpan * (i + 1));
        q.addBindValue(to);
    }
    if (!q.exec())
        return failWith(q, error);
    // Buckets of the answer, by start; each merges the tier's buckets inside it.
    std::map<qint64, WindowPoint> buckets;
    while (q.next()) {
        const qint64 start = q.value(0).toLongLong();
        const auto rows = rowsOf(q, start, spec.step);
        for (const StoredPoint &r : rows) {
            if (r.time < from || r.time >= to)
                continue;
            const qint64 b = floorTo(r.time, step);
            auto [it, inserted] = buckets.try_emplace(b);
            WindowPoint &w = it->second;
            if (inserted) {
                w.step = step;
                w.point = r;
                w.point.time = b;
                if (step != spec.step)
                    w.point.q.fill(StoredPoint::nan()); // from merged sketches below
                continue;
            }
            w.point.count += r.count;
            w.point.sum += std::isnan(r.sum) ? 0.0 : r.sum;
            w.point.min = nanMin(w.point.min, r.min);
            w.point.max = nanMax(w.point.max, r.max);
            if (!std::isnan(r.last))
                w.point.last = r.last;
            w.point.unique = std::max(w.point.unique, r.unique);
        }
    }
    if (step != spec.step && spec.sketchTable && hasQuantiles(series.kind) && !buckets.empty()) {
        QSqlQuery s(db);
        s.setForwardOnly(true);
        s.prepare(u"SELECT start, data FROM "_s % QString::fromUtf16(spec.sketchTable)
                  % u" WHERE series_id = ? AND start >= ? AND start < ?"
                    " UNION ALL SELECT sketch_start, sketch FROM open_chunks WHERE series_id = ? AND tier = ?"
                    " AND sketch IS NOT NULL AND sketch_start >= ? AND sketch_start < ?"_s);
        for (int i = 0; i < 2; ++i) {
            s.addBindValue(series.id);
            if (i == 1)
                s.addBindValue(int(spec.tier));
            s.addBindValue(from);
            s.addBindValue(to);
        }
        if (!s.exec())
            return failWith(s, error);
        std::map<qint64, QuantileSketch> merged;
        while (s.next()) {
            auto sketch = QuantileSketch::deserialize(s.value(1).toByteArray());
            if (!sketch)
                continue;
            const qint64 b = floorTo(s.value(0).toLongLong(), step);
            auto it = merged.find(b);
            if (it == merged.end())
                merged.emplace(b, std::move(*sketch));
            else
                it->second.merge(*sketch);
        }
        for (auto &[b, sketch] : merged) {
            auto it = buckets.find(b);
            if (it == buckets.end())
                continue;
            for (int i = 0; i < StoredPoint::kQuantiles; ++i)
                it->second.point.q[size_t(i)] = sketch.quantile(StoredPoint::kQuantileLevels[size_t(i)]);
        }
    }
    out->points.reserve(qsizetype(buckets.size()));
    for (auto &[b, w] : buckets)
        out->points.push_back(w);
    return true;
}

bool HistoryQuery::secondsAsFrames(qint64 from, qint64 to, QVector<LiveFrame> *out, QString *error) const
{
    const TierSpec &spec = tierSpec(StorageTier::Second);
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(u"SELECT c.start, c.data, NULL, s.key, s.kind FROM chunk_1s c JOIN series s ON s.id = c.series_id"
              " WHERE c.start > ? AND c.start <= ?"
              " UNION ALL SELECT o.start, o.data, o.tail, s.key, s.kind FROM open_chunks o"
              " JOIN series s ON s.id = o.series_id WHERE o.tier = 0 AND o.start > ? AND o.start <= ?"_s);
    for (int i = 0; i < 2; ++i) {
        q.addBindValue(from - spec.chunkSpan * (i + 1)); // an open chunk's provisional seconds reach one span further
        q.addBindValue(to);
    }
    if (!q.exec())
        return failWith(q, error);
    std::map<qint64, LiveFrame> frames;
    while (q.next()) {
        const qint64 start = q.value(0).toLongLong();
        const auto rows = rowsOf(q, start, spec.step);
        const QString key = q.value(3).toString();
        const auto kind = MetricKind(q.value(4).toInt());
        for (const StoredPoint &r : rows) {
            if (r.time < from || r.time > to)
                continue;
            LiveFrame &frame = frames[r.time];
            frame.second = r.time;
            SeriesStats s;
            s.key = key;
            s.kind = kind;
            s.count = r.count;
            s.rate = kind == MetricKind::Gauge ? 0.0 : double(r.count);
            s.sum = r.sum;
            s.min = r.min;
            s.max = r.max;
            s.last = r.last;
            if (hasQuantiles(kind)) {
                s.p50 = r.q[0];
                s.p90 = r.q[1];
                s.p95 = r.q[2];
                s.p99 = r.q[3];
            }
            frame.series.push_back(std::move(s));
        }
    }
    out->clear();
    out->reserve(qsizetype(frames.size()));
    for (auto &[t, f] : frames)
        out->push_back(std::move(f));
    return true;
}

bool HistoryQuery::records(const QString &sql, qint64 from, qint64 to, int limit, QList<QVariantMap> *out,
                           QString *error) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(sql);
    q.addBindValue(from);
    q.addBindValue(to);
    q.addBindValue(limit);
    if (!q.exec())
        return failWith(q, error);
    out->clear();
    while (q.next()) {
        const QSqlRecord record = q.record();
        QVariantMap row;
        for (int i = 0; i < record.count(); ++i)
            row.insert(record.fieldName(i), record.value(i));
        out->push_back(std::move(row));
    }
    return true;
}

bool HistoryQuery::events(qint64 from, qint64 to, int limit, QList<QVariantMap> *out, QString *error) const
{
    return records(u"SELECT * FROM events WHERE time >= ? AND time < ? ORDER BY time DESC LIMIT ?"_s, from, to, limit,
                   out, error);
}

bool HistoryQuery::operations(qint64 from, qint64 to, int limit, QList<QVariantMap> *out, QString *error) const
{
    return records(u"SELECT * FROM operations WHERE time >= ? AND time < ? ORDER BY time DESC LIMIT ?"_s, from, to,
                   limit, out, error);
}

bool HistoryQuery::runs(qint64 from, qint64 to, int limit, QList<QVariantMap> *out, QString *error) const
{
    if (!records(u"SELECT * FROM runs WHERE start_unix >= ? AND start_unix < ? ORDER BY start_unix DESC LIMIT ?"_s,
                 from, to, limit, out, error))
        return false;
    QSqlQuery steps(QSqlDatabase::database(m_connectionName, false));
    steps.prepare(u"SELECT name, start_unix, elapsed_s FROM steps WHERE run_id = ? ORDER BY start_unix"_s);
    for (QVariantMap &run : *out) {
        steps.addBindValue(run.value(u"id"_s));
        if (!steps.exec())
            return failWith(steps, error);
        QVariantList list;
        while (steps.next())
            list.push_back(QVariantMap { { u"name"_s, steps.value(0) },
                                         { u"start_unix"_s, steps.value(1) },
                                         { u"elapsed_s"_s, steps.value(2) } });
        run.insert(u"steps"_s, list);
    }
    return true;
}

} // namespace perfdash
