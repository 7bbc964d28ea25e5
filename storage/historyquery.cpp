// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/historyquery.h"

#include "models/quantilesketch.h"
#include "models/rangesource.h"
#include "storage/bucketmerge.h"
#include "storage/recentseconds.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <map>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr qint64 kNone = std::numeric_limits<qint64>::min();

bool failWith(const QSqlQuery &q, QString *error)
{
    if (error)
        *error = q.lastError().text();
    return false;
}

bool hasQuantiles(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}

// The rows of a chunk (column 1) and, for the open 1 s chunk, the provisional seconds after them (column 2). A damaged
// blob loses its own rows only.
// For the 1 s tier's open row, `log` brings it up to date: the series' entries in recent_1s blocks newer than the
// row's `logged` mark (docs/storage.md, "Recent seconds").
std::vector<StoredPoint> rowsOf(const QSqlQuery &q, qint64 start, qint64 step, const RecentSeconds::Log *log = nullptr,
    qint64 seriesId = 0, qint64 logged = 0)
{
    auto rows = ChunkCodec::decode(q.value(1).toByteArray(), start, step);
    std::vector<StoredPoint> out = rows ? std::move(*rows) : std::vector<StoredPoint> {};
    std::vector<StoredPoint> tail;
    const QByteArray tailBlob = q.value(2).toByteArray();
    if (!tailBlob.isEmpty()) {
        if (auto provisional = ChunkCodec::decode(tailBlob, start, step))
            tail = std::move(*provisional);
    }
    if (log && rows)
        log->apply(seriesId, logged, start, &out, &tail);
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

// The open row of a series and tier, as a read found it: what a rollup tier has folded (`through`) and the open
// bucket's sketch.
struct OpenRow {
    bool found = false;
    qint64 through = kNone; // the last second folded; for rows of schema 2 and 3 (no `through`), the last bucket's end
    qint64 sketchStart = kNone;
    QByteArray sketch;
};

// Every stored row of one series in one tier with a time in [from, to), closed chunks, the open one and (1 s tier)
// its provisional seconds, in time order; and the open row's state, whatever its start (there is one per series and
// tier, so asking for it costs nothing more).
bool tierRows(const QSqlDatabase &db, qint64 seriesId, const TierSpec &spec, qint64 from, qint64 to,
    std::vector<StoredPoint> *out, OpenRow *open, QString *error)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT start, data, NULL, NULL, NULL, NULL, 0, NULL FROM "_s % QString::fromUtf16(spec.chunkTable)
        % u" WHERE series_id = ? AND start > ? AND start < ?"
          " UNION ALL SELECT start, data, tail, through, sketch_start, sketch, 1, logged FROM open_chunks"
          " WHERE series_id = ? AND tier = ? AND start < ? ORDER BY 1"_s);
    q.addBindValue(seriesId);
    q.addBindValue(from - spec.chunkSpan);
    q.addBindValue(to);
    q.addBindValue(seriesId);
    q.addBindValue(int(spec.tier));
    q.addBindValue(to);
    if (!q.exec())
        return failWith(q, error);
    out->clear();
    while (q.next()) {
        // The statement is still running, so the log is read from the same snapshot as the open row.
        const bool openSeconds = q.value(6).toInt() == 1 && spec.tier == StorageTier::Second;
        RecentSeconds::Log log;
        const qint64 logged = q.value(7).isNull() ? 0 : q.value(7).toLongLong();
        if (openSeconds && !log.loadSeries(db, seriesId, logged, error))
            return false;
        const std::vector<StoredPoint> rows
            = rowsOf(q, q.value(0).toLongLong(), spec.step, openSeconds ? &log : nullptr, seriesId, logged);
        if (q.value(6).toInt() == 1 && open) {
            open->found = true;
            if (!q.value(3).isNull())
                open->through = q.value(3).toLongLong();
            else if (!rows.empty())
                open->through = rows.back().time + spec.step - 1; // schema 2 and 3 kept their rows current
            if (!q.value(4).isNull()) {
                open->sketchStart = q.value(4).toLongLong();
                open->sketch = q.value(5).toByteArray();
            }
        }
        for (const StoredPoint &r : rows) {
            if (r.time >= from && r.time < to)
                out->push_back(r);
        }
    }
    return true;
}

// What a rollup tier has not folded yet: the 1 s tier's seconds after the open row's `through`, and the open bucket's
// sketch they continue.
struct RollupTail {
    std::vector<StoredPoint> seconds;
    qint64 sketchStart = kNone;
    std::optional<QuantileSketch> sketch;
};

bool rollupTail(const QSqlDatabase &db, qint64 seriesId, const TierSpec &spec, qint64 from, qint64 to,
    const OpenRow &open, RollupTail *out, QString *error)
{
    qint64 through = open.through;
    if (open.found) {
        out->sketchStart = open.sketchStart;
        if (!open.sketch.isEmpty())
            out->sketch = QuantileSketch::deserialize(open.sketch);
    } else {
        // No open row before `to`: it starts at or after `to` (nothing in the range is unfolded), or there is none
        // (retention took a quiet series' one), and the closed chunks hold everything up to their end.
        QSqlQuery closed(db);
        closed.prepare(u"SELECT max(start), (SELECT count(*) FROM open_chunks WHERE series_id = ? AND tier = ?) FROM "_s
            % QString::fromUtf16(spec.chunkTable) % u" WHERE series_id = ?"_s);
        closed.addBindValue(seriesId);
        closed.addBindValue(int(spec.tier));
        closed.addBindValue(seriesId);
        if (!closed.exec() || !closed.next())
            return failWith(closed, error);
        if (closed.value(1).toLongLong() > 0)
            return true;
        if (!closed.value(0).isNull())
            through = closed.value(0).toLongLong() + spec.chunkSpan - 1;
    }
    const qint64 tailFrom = through == kNone ? from : std::max(from, through + 1);
    if (tailFrom >= to)
        return true;
    return tierRows(db, seriesId, tierSpec(StorageTier::Second), tailFrom, to, &out->seconds, nullptr, error);
}

WindowPoint &bucketOf(std::map<qint64, WindowPoint> &buckets, qint64 start, qint64 step)
{
    auto [it, inserted] = buckets.try_emplace(start);
    if (inserted) {
        it->second.step = step;
        it->second.point.time = start;
    }
    return it->second;
}

} // namespace

StorageTier HistoryQuery::tierOf(qint64 step)
{
    return StorageTier(RangeSource::tierFor(step));
}

void SeriesWindow::setCoverage(const Coverage &coverage)
{
    for (WindowPoint &p : points) {
        p.seconds = coverage.bucket(p.point.time);
        p.complete = coverage.isComplete(p.point.time);
    }
}

QVector<SeriesPoint> SeriesWindow::seriesPoints() const
{
    QVector<SeriesPoint> out;
    out.reserve(points.size());
    for (const WindowPoint &w : points) {
        const StoredPoint &p = w.point;
        SeriesPoint point;
        point.second = p.time;
        SeriesStats &s = point.stats;
        s.key = series.key;
        s.kind = series.kind;
        s.count = p.count;
        const double rate = w.rate(); // per covered second; a bucket with none covered shows none
        s.rate = std::isnan(rate) ? 0.0 : rate;
        s.sum = p.sum;
        s.min = p.min;
        s.max = p.max;
        s.last = p.last;
        s.uniqueCount = p.unique;
        s.p50 = p.q[0];
        s.p90 = p.q[1];
        s.p95 = p.q[2];
        s.p99 = p.q[3];
        s.p999 = p.q[4];
        if (s.hasQuantiles())
            s.quantileError = QuantileSketch::kDefaultRelativeAccuracy;
        s.sketch = w.sketch;
        out.push_back(std::move(point));
    }
    return out;
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
    QString *error, bool withSketches) const
{
    if (step <= 0) {
        if (error)
            *error = u"the step must be positive"_s;
        return false;
    }
    const TierSpec &spec = tierSpec(tierOf(step));
    out->series = series;
    out->step = step;
    out->tier = spec.tier;
    out->points.clear();
    from = floorTo(from, step);
    auto db = QSqlDatabase::database(m_connectionName, false);
    std::vector<StoredPoint> rows;
    OpenRow open;
    if (!tierRows(db, series.id, spec, from, to, &rows, &open, error))
        return false;
    // Buckets of the answer, by start; each merges the tier's buckets inside it.
    std::map<qint64, WindowPoint> buckets;
    for (const StoredPoint &r : rows) {
        WindowPoint &w = bucketOf(buckets, floorTo(r.time, step), step);
        BucketMerge::add(w.point, r);
        if (step == spec.step)
            w.point.q = r.q; // the tier's own quantiles; coarser steps merge sketches below
    }
    const bool quantiles = hasQuantiles(series.kind);
    // The answer buckets whose quantiles come from a merged sketch.
    std::map<qint64, QuantileSketch> merged;
    if ((step != spec.step || withSketches) && spec.sketchTable && quantiles && !buckets.empty()) {
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
    }
    if (spec.tier != StorageTier::Second) {
        // The head: seconds the rollup tier has not folded yet come from the 1 s tier.
        RollupTail tail;
        if (!rollupTail(db, series.id, spec, from, to, open, &tail, error))
            return false;
        const double accuracy
            = tail.sketch ? tail.sketch->relativeAccuracy() : QuantileSketch::kDefaultRelativeAccuracy;
        for (const StoredPoint &r : tail.seconds) {
            const qint64 b = floorTo(r.time, step);
            BucketMerge::add(bucketOf(buckets, b, step).point, r);
            if (!quantiles)
                continue;
            auto it = merged.find(b);
            if (it == merged.end()) {
                // At the tier's own step the open bucket's stored quantiles are recomputed from its sketch.
                const bool open = step == spec.step && tail.sketch && tail.sketchStart == b;
                it = merged.emplace(b, open ? *tail.sketch : QuantileSketch(accuracy)).first;
            }
            BucketMerge::addApproximation(it->second, r);
        }
    }
    for (const auto &[b, sketch] : merged) {
        auto it = buckets.find(b);
        if (it == buckets.end())
            continue;
        BucketMerge::setQuantiles(it->second.point, sketch);
        if (withSketches)
            it->second.sketch = sketch.serialize();
    }
    out->points.reserve(qsizetype(buckets.size()));
    for (auto &[b, w] : buckets)
        out->points.push_back(w);
    return true;
}

bool HistoryQuery::coverage(qint64 from, qint64 to, qint64 step, qint64 nowSecond, Coverage *out, QString *error) const
{
    // Seconds after `to` are outside the answer: a bucket cut there is partial too.
    const qint64 now = std::min(nowSecond, to);
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(u"SELECT id, key, kind, first_seen FROM series WHERE key = ?"_s);
    q.addBindValue(Coverage::heartbeatKey());
    if (!q.exec())
        return failWith(q, error);
    if (!q.next()) {
        *out = Coverage::passed(from, to, step, now);
        return true;
    }
    const SeriesInfo heartbeat { q.value(0).toLongLong(), q.value(1).toString(), MetricKind(q.value(2).toInt()),
        q.value(3).toLongLong() };
    q.finish();
    SeriesWindow window;
    if (!this->window(heartbeat, from, to, step, &window, error))
        return false;
    QVector<SeriesPoint> points;
    points.reserve(window.points.size());
    for (const WindowPoint &w : window.points) {
        SeriesPoint p;
        p.second = w.point.time;
        p.stats.key = heartbeat.key;
        p.stats.kind = heartbeat.kind;
        p.stats.count = w.point.count;
        points.push_back(std::move(p));
    }
    *out = Coverage::fromHeartbeat(points, from, to, step, now);
    return true;
}

bool HistoryQuery::secondsAsFrames(
    qint64 from, qint64 to, QVector<LiveFrame> *out, QString *error, const QStringList &keys) const
{
    const TierSpec &spec = tierSpec(StorageTier::Second);
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    // Only the series asked for (the GUI loads the window of what it shows): a key list bound as parameters.
    QString only;
    if (!keys.isEmpty()) {
        QStringList marks(keys.size(), u"?"_s);
        only = u" AND s.key IN ("_s + marks.join(u',') + u')';
    }
    q.prepare(u"SELECT c.start, c.data, NULL, s.key, s.kind, 0, NULL, c.series_id FROM chunk_1s c"
              " JOIN series s ON s.id = c.series_id WHERE c.start > ? AND c.start <= ?"_s
        + only
        + u" UNION ALL SELECT o.start, o.data, o.tail, s.key, s.kind, 1, o.logged, o.series_id FROM open_chunks o"
          " JOIN series s ON s.id = o.series_id WHERE o.tier = 0 AND o.start > ? AND o.start <= ?"_s
        + only);
    for (int i = 0; i < 2; ++i) {
        q.addBindValue(from - spec.chunkSpan * (i + 1)); // an open chunk's provisional seconds reach one span further
        q.addBindValue(to);
        for (const QString &key : keys)
            q.addBindValue(key);
    }
    if (!q.exec())
        return failWith(q, error);
    std::map<qint64, LiveFrame> frames;
    std::optional<RecentSeconds::Log> log; // read once, at the first open row, while the statement runs (one snapshot)
    while (q.next()) {
        const qint64 start = q.value(0).toLongLong();
        const bool open = q.value(5).toInt() == 1;
        if (open && !log) {
            log.emplace();
            if (!log->load(QSqlDatabase::database(m_connectionName, false), 0, error))
                return false;
        }
        const auto rows = open ? rowsOf(q, start, spec.step, &*log, q.value(7).toLongLong(),
                              q.value(6).isNull() ? 0 : q.value(6).toLongLong())
                               : rowsOf(q, start, spec.step);
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

namespace {

QString textOf(const QVariant &v)
{
    return v.isNull() ? QString() : v.toString();
}

double realOf(const QVariant &v)
{
    return v.isNull() ? std::numeric_limits<double>::quiet_NaN() : v.toDouble();
}

std::optional<qint64> integerOf(const QVariant &v)
{
    return v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
}

// A work record's tags as stored: "key:value" joined by ","; NULL for none.
QStringList tagsOf(const QVariant &v)
{
    const QString tags = textOf(v);
    return tags.isEmpty() ? QStringList() : tags.split(u',');
}

bool selectRecords(QSqlQuery &q, const QString &sql, qint64 from, qint64 to, int limit, QString *error)
{
    q.setForwardOnly(true);
    q.prepare(sql);
    q.addBindValue(from);
    q.addBindValue(to);
    q.addBindValue(limit);
    return q.exec() || failWith(q, error);
}

} // namespace

bool HistoryQuery::events(qint64 from, qint64 to, int limit, QVector<TimelineEvent> *out, QString *error) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!selectRecords(q,
            u"SELECT time, kind, title, text, priority, alert_type, status, source, tags FROM events"
            " WHERE time >= ? AND time < ? ORDER BY time DESC LIMIT ?"_s,
            from, to, limit, error))
        return false;
    out->clear();
    while (q.next()) {
        TimelineEvent e;
        e.timeMs = q.value(0).toLongLong() * 1000;
        e.kind = textOf(q.value(1));
        e.title = textOf(q.value(2));
        e.text = textOf(q.value(3));
        e.priority = textOf(q.value(4));
        e.alertType = textOf(q.value(5));
        e.status = q.value(6).isNull() ? -1 : q.value(6).toInt();
        e.source = textOf(q.value(7));
        const QString tags = textOf(q.value(8));
        if (!tags.isEmpty())
            e.tags = tags.split(u',');
        out->push_back(std::move(e));
    }
    return true;
}

bool HistoryQuery::operations(qint64 from, qint64 to, int limit, QVector<OperationRecord> *out, QString *error) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!selectRecords(q,
            u"SELECT id, guid, time, op_code, tenant, operation_name, target, items_processed, elapsed_s,"
            " items_per_s, memory_mb, file_size_mb, cache_hits, api_calls, success, error_message,"
            " error_category, tags FROM operations WHERE time >= ? AND time < ? ORDER BY time DESC LIMIT ?"_s,
            from, to, limit, error))
        return false;
    out->clear();
    while (q.next()) {
        OperationRecord op;
        op.id = q.value(0).toLongLong();
        op.guid = textOf(q.value(1));
        op.timeMs = q.value(2).toLongLong() * 1000;
        op.opCode = textOf(q.value(3));
        op.tenant = textOf(q.value(4));
        op.name = textOf(q.value(5));
        op.target = textOf(q.value(6));
        op.items = integerOf(q.value(7));
        op.elapsedS = q.value(8).toDouble();
        op.itemsPerS = realOf(q.value(9));
        op.memoryMb = realOf(q.value(10));
        op.fileSizeMb = realOf(q.value(11));
        op.cacheHits = integerOf(q.value(12));
        op.apiCalls = integerOf(q.value(13));
        op.success = q.value(14).toInt() != 0;
        op.error = textOf(q.value(15));
        op.errorCategory = textOf(q.value(16));
        op.tags = tagsOf(q.value(17));
        out->push_back(std::move(op));
    }
    return true;
}

bool HistoryQuery::runs(qint64 from, qint64 to, int limit, QVector<RunRecord> *out, QString *error) const
{
    const auto db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (!selectRecords(q,
            u"SELECT id, workflow, start_unix, end_unix, execution_s, execution_text, success, tags, guid, tenant,"
            " steps_failed, memory_mb, retries, execution_mode, error_message, error_category, length(telemetry),"
            " telemetry_dropped FROM runs WHERE start_unix >= ? AND start_unix < ? ORDER BY start_unix DESC LIMIT ?"_s,
            from, to, limit, error))
        return false;
    out->clear();
    while (q.next()) {
        RunRecord run;
        run.id = q.value(0).toLongLong();
        run.workflow = textOf(q.value(1));
        run.start = q.value(2).toDouble();
        run.end = realOf(q.value(3));
        run.executionS = realOf(q.value(4));
        run.executionText = textOf(q.value(5));
        run.success = q.value(6).isNull() || q.value(6).toInt() != 0; // unknown is not a failure
        run.tags = tagsOf(q.value(7));
        run.guid = textOf(q.value(8));
        run.tenant = textOf(q.value(9));
        run.stepsFailed = q.value(10).toLongLong();
        run.memoryMb = realOf(q.value(11));
        run.retries = integerOf(q.value(12));
        run.executionMode = textOf(q.value(13));
        run.error = textOf(q.value(14));
        run.errorCategory = textOf(q.value(15));
        run.telemetryBytes = q.value(16).toLongLong();
        run.telemetryDropped = integerOf(q.value(17));
        out->push_back(std::move(run));
    }
    // Samples, newest runs first, up to a budget: a range of thousands of long runs would otherwise bring hundreds of
    // MB to show a table. A run past the budget keeps telemetryBytes, so its breakdown can say what it left out.
    QSqlQuery samples(db);
    samples.setForwardOnly(true);
    samples.prepare(u"SELECT telemetry FROM runs WHERE id = ?"_s);
    qint64 budget = kRunTelemetryBudgetBytes;
    for (RunRecord &run : *out) {
        if (run.telemetryBytes <= 0 || run.telemetryBytes > budget)
            continue;
        samples.addBindValue(run.id);
        if (!samples.exec())
            return failWith(samples, error);
        if (samples.next())
            run.telemetry = samples.value(0).toString().toUtf8();
        budget -= run.telemetryBytes;
    }
    QSqlQuery steps(db);
    steps.setForwardOnly(true);
    steps.prepare(u"SELECT name, start_unix, elapsed_s, success FROM steps WHERE run_id = ? ORDER BY start_unix"_s);
    for (RunRecord &run : *out) {
        steps.addBindValue(run.id);
        if (!steps.exec())
            return failWith(steps, error);
        while (steps.next())
            run.steps.push_back({ textOf(steps.value(0)), steps.value(1).toDouble(), realOf(steps.value(2)),
                steps.value(3).isNull() || steps.value(3).toInt() != 0 });
    }
    return true;
}

} // namespace perfdash
