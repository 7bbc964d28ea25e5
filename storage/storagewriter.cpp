// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/storagewriter.h"

#include "models/quantilesketch.h"
#include "storage/chunkcodec.h"
#include "storage/qualitystore.h"
#include "storage/workrecordwriter.h"
#include "storage/statsfields.h"

#include <QDateTime>
#include <QHash>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>
#include <QVariant>

#include <cmath>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

// ---------------------------------------------------------------------------------------------------------------
// FrameQueue

bool FrameQueue::push(const QVector<LiveFrame> &frames)
{
    qint64 values = 0;
    for (const auto &f : frames)
        values += f.series.size();
    {
        const std::lock_guard lock(m_mutex);
        if (m_values + values <= m_capacity) {
            m_frames.insert(m_frames.end(), frames.begin(), frames.end());
            m_values += values;
            return true;
        }
    }
    m_counters->droppedFrames += quint64(frames.size());
    m_counters->droppedValues += quint64(values);
    return false;
}

std::deque<LiveFrame> FrameQueue::takeAll()
{
    const std::lock_guard lock(m_mutex);
    m_wakeUpPending = false;
    m_values = 0;
    return std::exchange(m_frames, {});
}

qint64 FrameQueue::size() const
{
    const std::lock_guard lock(m_mutex);
    return qint64(m_frames.size());
}

// ---------------------------------------------------------------------------------------------------------------
// The writer's memory: the open chunk of every series and tier, and what closed since the last commit.

namespace {

constexpr int kTierCount = int(kTiers.size());
constexpr int kMaxSyntheticValues = 2000;

struct TierBuffer {
    qint64 chunkStart = std::numeric_limits<qint64>::min();
    std::vector<StoredPoint> rows; // the open chunk; for rollups its last row is the open bucket
    std::optional<QuantileSketch> sketch; // rollups, timers and distributions: the open bucket's merged sketch
    bool dirty = false;
};

struct SeriesBuffer {
    QString key;
    MetricKind kind = MetricKind::Counter;
    qint64 id = -1;
    bool loaded = false;
    bool queued = false; // in StorageState::dirty
    double accuracy = QuantileSketch::kDefaultRelativeAccuracy;
    std::array<TierBuffer, kTierCount> tiers;
};

struct ClosedChunk {
    int series;
    int tier;
    qint64 start;
    std::vector<StoredPoint> rows;
};

struct ClosedSketch {
    int series;
    int tier;
    qint64 start;
    QByteArray blob;
};

bool hasQuantiles(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}

double nanMin(double a, double b)
{
    return std::isnan(a) ? b : std::isnan(b) ? a : std::min(a, b);
}
double nanMax(double a, double b)
{
    return std::isnan(a) ? b : std::isnan(b) ? a : std::max(a, b);
}

StoredPoint pointOf(qint64 second, const SeriesStats &s)
{
    StoredPoint p;
    p.time = second;
    p.count = s.count;
    p.sum = s.sum;
    p.min = s.min;
    p.max = s.max;
    p.last = s.last;
    p.unique = StatsFields::uniqueCount(s);
    if (hasQuantiles(s.kind))
        p.q = { s.p50, s.p90, s.p95, s.p99, StatsFields::p999(s) };
    return p;
}

// Until SeriesStats carries its sketch, the minute's sketch is fed an approximation of each second: up to 1000
// values spread along the quantile curve known from min, p50, p90, p95, p99 and max, piecewise linear.
void addApproximation(QuantileSketch &sketch, const SeriesStats &s)
{
    if (s.count <= 0 || std::isnan(s.min) || std::isnan(s.max))
        return;
    std::array<std::pair<double, double>, 7> knots {};
    int k = 0;
    knots[size_t(k++)] = { 0.0, s.min };
    const std::array<std::pair<double, double>, 5> quantiles { { { 0.5, s.p50 },
                                                                 { 0.9, s.p90 },
                                                                 { 0.95, s.p95 },
                                                                 { 0.99, s.p99 },
                                                                 { 0.999, StatsFields::p999(s) } } };
    for (const auto &[q, v] : quantiles) {
        if (std::isfinite(v))
            knots[size_t(k++)] = { q, v };
    }
    knots[size_t(k++)] = { 1.0, s.max };
    // Four points per sample (up to a cap) at the midpoints of equal rank slices, so a small second still draws its curve.
    const qint64 n = std::min<qint64>(4 * s.count, kMaxSyntheticValues);
    int seg = 0;
    for (qint64 i = 0; i < n; ++i) {
        const double r = (double(i) + 0.5) / double(n);
        while (seg + 2 < k && r > knots[size_t(seg + 1)].first)
            ++seg;
        const auto [q0, v0] = knots[size_t(seg)];
        const auto [q1, v1] = knots[size_t(seg + 1)];
        const double f = q1 > q0 ? (r - q0) / (q1 - q0) : 0.0;
        sketch.add(v0 + (v1 - v0) * std::clamp(f, 0.0, 1.0));
    }
}

void mergeInto(QuantileSketch &sketch, const SeriesStats &s)
{
    if constexpr (StatsFields::kHasSketchBlob) {
        const QByteArray blob = StatsFields::sketchBlob(s);
        if (!blob.isEmpty()) {
            if (auto second = QuantileSketch::deserialize(blob); second && sketch.merge(*second))
                return;
        }
    }
    addApproximation(sketch, s);
}

void finalizeQuantiles(TierBuffer &t)
{
    if (!t.sketch || t.rows.empty() || t.sketch->isEmpty())
        return;
    StoredPoint &row = t.rows.back();
    for (int i = 0; i < StoredPoint::kQuantiles; ++i)
        row.q[size_t(i)] = t.sketch->quantile(StoredPoint::kQuantileLevels[size_t(i)]);
}

} // namespace

class StorageState {
public:
    std::vector<SeriesBuffer> series;
    QHash<QString, int> index;
    std::vector<int> dirty;
    std::vector<ClosedChunk> closedChunks;
    std::vector<ClosedSketch> closedSketches;
    std::vector<std::pair<qint64, QualityStats>> quality; // final seconds' model quality, for the quality table
    qint64 pendingValues = 0;
    bool retry = false; // the last write failed: write the same state again before taking more from the queue
    bool dropLegacy = false;

    std::array<std::optional<QSqlQuery>, kTierCount> upsertChunk; // closed chunks
    std::array<std::optional<QSqlQuery>, kTierCount> upsertSketch; // closed buckets' sketches
    std::optional<QSqlQuery> upsertOpen;
    std::optional<QSqlQuery> selectOpen;
    std::optional<QSqlQuery> insertSeries;
    std::optional<QSqlQuery> selectSeries;

    void markDirty(int i)
    {
        if (!series[size_t(i)].queued) {
            series[size_t(i)].queued = true;
            dirty.push_back(i);
        }
    }
};

namespace {

bool prepare(std::optional<QSqlQuery> &slot, const QSqlDatabase &db, const QString &sql, QString *error)
{
    slot.emplace(db);
    if (slot->prepare(sql))
        return true;
    *error = slot->lastError().text() % u" (in: "_s % sql % u')';
    return false;
}

// Loads the open chunk (and open bucket sketch) a previous run left for this series, so a restart continues it
// instead of overwriting it.
void resume(StorageState &state, SeriesBuffer &sb)
{
    sb.loaded = true;
    auto &select = *state.selectSeries;
    select.addBindValue(sb.key);
    if (!select.exec() || !select.next()) {
        select.finish();
        return;
    }
    sb.id = select.value(0).toLongLong();
    select.finish();
    auto &q = *state.selectOpen;
    for (int t = 0; t < kTierCount; ++t) {
        const TierSpec &spec = kTiers[size_t(t)];
        q.addBindValue(sb.id);
        q.addBindValue(t);
        if (!q.exec() || !q.next()) {
            q.finish();
            continue;
        }
        const qint64 chunkStart = q.value(0).toLongLong();
        auto rows = ChunkCodec::decode(q.value(1).toByteArray(), chunkStart, spec.step);
        const QVariant sketchStart = q.value(2);
        const QByteArray sketch = q.value(3).toByteArray();
        q.finish();
        if (!rows || rows->empty())
            continue;
        // Continued if the next second belongs to it; otherwise ingest() closes it like any other.
        TierBuffer &tb = sb.tiers[size_t(t)];
        tb.chunkStart = chunkStart;
        tb.rows = std::move(*rows);
        if (spec.sketchTable && !sketchStart.isNull() && sketchStart.toLongLong() == tb.rows.back().time)
            tb.sketch = QuantileSketch::deserialize(sketch);
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------
// StorageWriter

StorageWriter::StorageWriter(QString path, StorageOptions options, FrameQueue *queue, StorageCounters *counters,
                             QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_options(std::move(options))
    , m_queue(queue)
    , m_counters(counters)
    , m_connectionName(u"perfdash-writer-"_s % QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_state(std::make_unique<StorageState>())
    , m_flushTimer(this)
    , m_retentionTimer(this)
{
    connect(&m_flushTimer, &QTimer::timeout, this, [this]() { flush(); });
    connect(&m_retentionTimer, &QTimer::timeout, this, &StorageWriter::onRetentionTimer);
}

StorageWriter::~StorageWriter()
{
    m_state.reset(); // prepared statements go before their connection
    Database::close(m_connectionName);
}

Database::OpenResult StorageWriter::open()
{
    auto result = Database::openWritable(m_connectionName, m_path);
    if (!result.ok)
        return result;
    auto db = QSqlDatabase::database(m_connectionName, false);
    {
        QSqlQuery pragma(db);
        pragma.exec(u"PRAGMA busy_timeout = %1"_s.arg(m_options.busyTimeoutMs));
    }
    if (m_options.maxPageCount > 0)
        setMaxPageCount(m_options.maxPageCount);
    QString error;
    StorageState &s = *m_state;
    bool ok = prepare(s.insertSeries, db,
                      u"INSERT INTO series(key, kind, first_seen) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING"_s, &error)
            && prepare(s.selectSeries, db, u"SELECT id FROM series WHERE key = ?"_s, &error);
    ok = ok
            && prepare(s.upsertOpen, db,
                       u"INSERT INTO open_chunks(series_id, tier, start, n, data, sketch_start, sketch)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(series_id, tier) DO UPDATE SET start = excluded.start,"
                       " n = excluded.n, data = excluded.data, sketch_start = excluded.sketch_start,"
                       " sketch = excluded.sketch"_s,
                       &error)
            && prepare(s.selectOpen, db,
                       u"SELECT start, data, sketch_start, sketch FROM open_chunks WHERE series_id = ? AND tier = ?"_s,
                       &error);
    for (int t = 0; ok && t < kTierCount; ++t) {
        const TierSpec &spec = kTiers[size_t(t)];
        const QString table = QString::fromUtf16(spec.chunkTable);
        ok = prepare(s.upsertChunk[size_t(t)], db,
                     u"INSERT INTO "_s % table
                             % u"(series_id, start, n, data) VALUES (?, ?, ?, ?) ON CONFLICT(series_id, start)"
                               " DO UPDATE SET n = excluded.n, data = excluded.data"_s,
                     &error);
        if (ok && spec.sketchTable) {
            const QString sketches = QString::fromUtf16(spec.sketchTable);
            ok = prepare(s.upsertSketch[size_t(t)], db,
                         u"INSERT INTO "_s % sketches
                                 % u"(series_id, start, data) VALUES (?, ?, ?) ON CONFLICT(series_id, start)"
                                   " DO UPDATE SET data = excluded.data"_s,
                         &error);
        }
    }
    if (!ok) {
        result.ok = false;
        result.error = error;
        return result;
    }
    // Version 1 rows, renamed by migration 2, become chunks in the transaction that drops them.
    QSqlQuery legacy(db);
    legacy.setForwardOnly(true);
    if (legacy.exec(u"SELECT ts, key, kind, count, rate, sum, min, max, last, p50, p90, p95, p99 FROM legacy_stats_1s"
                    " JOIN series ON series.id = legacy_stats_1s.series_id ORDER BY ts"_s)) {
        std::deque<LiveFrame> frames;
        const auto real = [&legacy](int c) {
            const QVariant v = legacy.value(c);
            return v.isNull() ? std::numeric_limits<double>::quiet_NaN() : v.toDouble();
        };
        while (legacy.next()) {
            const qint64 ts = legacy.value(0).toLongLong();
            if (frames.empty() || frames.back().second != ts)
                frames.push_back(LiveFrame { ts, {} });
            SeriesStats st;
            st.key = legacy.value(1).toString();
            st.kind = MetricKind(legacy.value(2).toInt());
            st.count = legacy.value(3).toLongLong();
            st.rate = real(4);
            st.sum = real(5);
            st.min = real(6);
            st.max = real(7);
            st.last = real(8);
            st.p50 = real(9);
            st.p90 = real(10);
            st.p95 = real(11);
            st.p99 = real(12);
            frames.back().series.push_back(std::move(st));
        }
        legacy.finish();
        ingest(frames);
        m_state->dropLegacy = true;
        flush();
    }
    m_flushTimer.start(int(m_options.flushIntervalMs));
    m_retentionTimer.start(int(m_options.retentionIntervalMs));
    return result;
}

void StorageWriter::setMaxPageCount(qint64 pages)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    // SQLite never lowers the limit below the current size, and 0 means "as large as SQLite allows".
    q.exec(u"PRAGMA max_page_count = %1"_s.arg(pages > 0 ? pages : qint64(4294967294)));
}

void StorageWriter::writeWorkRecords(const QVector<OperationRecord> &operations, const QVector<RunRecord> &runs)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    QString error;
    if (!db.isOpen() || !db.transaction() || !WorkRecordWriter::write(db, operations, runs, &error)
        || !db.commit()) {
        if (error.isEmpty())
            error = db.lastError().text();
        db.rollback();
        m_counters->droppedWorkRecords += quint64(operations.size() + runs.size());
        qWarning("perfdash storage: %lld operations and runs not written: %s",
                 qint64(operations.size() + runs.size()), qPrintable(error));
        return;
    }
    m_counters->operationsWritten += quint64(operations.size());
    m_counters->runsWritten += quint64(runs.size());
}

void StorageWriter::writeEvents(const QVector<TimelineEvent> &events)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    const auto dropAll = [&](const QString &why) {
        m_counters->droppedEvents += quint64(events.size());
        qWarning("perfdash storage: %lld timeline events not written: %s", qint64(events.size()), qPrintable(why));
    };
    if (!db.isOpen() || !db.transaction()) {
        dropAll(db.lastError().text());
        return;
    }
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO events(time, kind, title, text, priority, alert_type, status, source, tags)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    const auto orNull = [](const QString &s) { return s.isEmpty() ? QVariant() : QVariant(s); };
    for (const auto &e : events) {
        insert.addBindValue(e.timeMs / 1000); // unix seconds, like every other time the read API takes
        insert.addBindValue(e.kind);
        insert.addBindValue(e.title);
        insert.addBindValue(orNull(e.text));
        insert.addBindValue(orNull(e.priority));
        insert.addBindValue(orNull(e.alertType));
        insert.addBindValue(e.status >= 0 ? QVariant(e.status) : QVariant());
        insert.addBindValue(orNull(e.source));
        insert.addBindValue(orNull(e.tags.join(u',')));
        if (!insert.exec()) {
            const QString why = insert.lastError().text();
            db.rollback();
            dropAll(why);
            return;
        }
    }
    if (!db.commit()) {
        const QString why = db.lastError().text();
        db.rollback();
        dropAll(why);
        return;
    }
    m_counters->eventsWritten += quint64(events.size());
}

void StorageWriter::ingest(const std::deque<LiveFrame> &frames)
{
    StorageState &st = *m_state;
    for (const LiveFrame &frame : frames) {
        if (StatsFields::isProvisional(frame))
            continue;
        const qint64 second = frame.second;
        for (const QualityStats &q : frame.quality) {
            if (QualityMetrics::deserialize(q.blob))
                st.quality.emplace_back(second, q);
            else
                ++m_counters->badQuality; // never from the aggregator; must not block a flush
        }
        for (const SeriesStats &stats : frame.series) {
            auto it = st.index.constFind(stats.key);
            int idx;
            if (it == st.index.constEnd()) {
                idx = int(st.series.size());
                st.series.emplace_back();
                st.series.back().key = stats.key;
                st.series.back().kind = stats.kind;
                st.index.insert(stats.key, idx);
            } else {
                idx = *it;
            }
            SeriesBuffer &sb = st.series[size_t(idx)];
            if (!sb.loaded)
                resume(st, sb);
            sb.accuracy = StatsFields::quantileError(stats, sb.accuracy);
            // The 1 s tier decides whether the second is new; the rollups follow it.
            TierBuffer &t0 = sb.tiers[0];
            const qint64 chunk0 = floorTo(second, kTiers[0].chunkSpan);
            if ((!t0.rows.empty() && (t0.chunkStart > chunk0 || t0.rows.back().time >= second))) {
                ++m_counters->lateValues;
                continue;
            }
            if (t0.chunkStart != chunk0) {
                if (!t0.rows.empty())
                    st.closedChunks.push_back({ idx, 0, t0.chunkStart, std::move(t0.rows) });
                t0.rows.clear();
                t0.chunkStart = chunk0;
            }
            const StoredPoint point = pointOf(second, stats);
            t0.rows.push_back(point);
            t0.dirty = true;
            for (int t = 1; t < kTierCount; ++t) {
                const TierSpec &spec = kTiers[size_t(t)];
                TierBuffer &tb = sb.tiers[size_t(t)];
                const qint64 bucket = floorTo(second, spec.step);
                const qint64 chunk = floorTo(second, spec.chunkSpan);
                if (tb.rows.empty() || tb.rows.back().time != bucket) {
                    if (!tb.rows.empty()) {
                        finalizeQuantiles(tb);
                        if (tb.sketch && !tb.sketch->isEmpty())
                            st.closedSketches.push_back({ idx, t, tb.rows.back().time, tb.sketch->serialize() });
                    }
                    tb.sketch.reset();
                    if (tb.chunkStart != chunk) {
                        if (!tb.rows.empty())
                            st.closedChunks.push_back({ idx, t, tb.chunkStart, std::move(tb.rows) });
                        tb.rows.clear();
                        tb.chunkStart = chunk;
                    }
                    StoredPoint fresh;
                    fresh.time = bucket;
                    tb.rows.push_back(fresh);
                }
                StoredPoint &row = tb.rows.back();
                row.count += point.count;
                row.sum += std::isnan(point.sum) ? 0.0 : point.sum;
                row.min = nanMin(row.min, point.min);
                row.max = nanMax(row.max, point.max);
                if (!std::isnan(point.last))
                    row.last = point.last;
                row.unique = std::max(row.unique, point.unique); // sets are not mergeable from counts: a lower bound
                if (hasQuantiles(stats.kind)) {
                    if (!tb.sketch)
                        tb.sketch.emplace(sb.accuracy);
                    mergeInto(*tb.sketch, stats);
                }
                tb.dirty = true;
            }
            ++st.pendingValues;
            st.markDirty(idx);
        }
    }
}

bool StorageWriter::flush()
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen())
        return false;
    StorageState &st = *m_state;
    if (!st.retry)
        ingest(m_queue->takeAll());
    if (st.dirty.empty() && st.closedChunks.empty() && st.closedSketches.empty() && st.quality.empty()
        && !st.dropLegacy) {
        st.retry = false;
        return true;
    }

    std::vector<int> newIds;
    QString failure;
    int failureCode = 0;
    const auto fail = [&](const QSqlError &e) {
        failure = e.text();
        failureCode = e.nativeErrorCode().toInt() & 0xff;
        return false;
    };
    const auto writeChunk = [&](int tier, qint64 id, qint64 start, const std::vector<StoredPoint> &rows,
                                double accuracy) {
        auto &q = *st.upsertChunk[size_t(tier)];
        const TierSpec &spec = kTiers[size_t(tier)];
        q.addBindValue(id);
        q.addBindValue(start);
        q.addBindValue(qint64(rows.size()));
        q.addBindValue(ChunkCodec::encode(rows, start, spec.step, accuracy));
        return q.exec() || fail(q.lastError());
    };
    // The open chunk, undeflated (rewritten every flush), with the open bucket's sketch for rollups.
    const auto writeOpen = [&](int tier, qint64 id, const TierBuffer &tb, double accuracy) {
        auto &q = *st.upsertOpen;
        q.addBindValue(id);
        q.addBindValue(tier);
        q.addBindValue(tb.chunkStart);
        q.addBindValue(qint64(tb.rows.size()));
        q.addBindValue(ChunkCodec::encode(tb.rows, tb.chunkStart, kTiers[size_t(tier)].step, accuracy, false));
        const bool sketch = tb.sketch && !tb.sketch->isEmpty();
        q.addBindValue(sketch ? QVariant(tb.rows.back().time) : QVariant(QMetaType(QMetaType::LongLong)));
        q.addBindValue(sketch ? QVariant(tb.sketch->serialize()) : QVariant(QMetaType(QMetaType::QByteArray)));
        return q.exec() || fail(q.lastError());
    };
    const auto writeSketch = [&](int tier, qint64 id, qint64 start, const QByteArray &blob) {
        auto &q = *st.upsertSketch[size_t(tier)];
        q.addBindValue(id);
        q.addBindValue(start);
        q.addBindValue(blob);
        return q.exec() || fail(q.lastError());
    };

    bool ok = db.transaction() || fail(db.lastError());
    for (size_t i = 0; ok && i < st.dirty.size(); ++i) {
        SeriesBuffer &sb = st.series[size_t(st.dirty[i])];
        if (sb.id >= 0)
            continue;
        auto &ins = *st.insertSeries;
        ins.addBindValue(sb.key);
        ins.addBindValue(int(sb.kind));
        ins.addBindValue(sb.tiers[0].rows.empty() ? qint64(0) : sb.tiers[0].rows.front().time);
        ok = ins.exec() || fail(ins.lastError());
        auto &sel = *st.selectSeries;
        sel.addBindValue(sb.key);
        ok = ok && ((sel.exec() && sel.next()) || fail(sel.lastError()));
        if (ok) {
            sb.id = sel.value(0).toLongLong();
            newIds.push_back(st.dirty[i]);
        }
        sel.finish();
    }
    for (size_t i = 0; ok && i < st.closedChunks.size(); ++i) {
        const ClosedChunk &c = st.closedChunks[i];
        const SeriesBuffer &sb = st.series[size_t(c.series)];
        ok = writeChunk(c.tier, sb.id, c.start, c.rows, sb.accuracy);
    }
    for (size_t i = 0; ok && i < st.closedSketches.size(); ++i) {
        const ClosedSketch &c = st.closedSketches[i];
        ok = writeSketch(c.tier, st.series[size_t(c.series)].id, c.start, c.blob);
    }
    for (size_t i = 0; ok && i < st.dirty.size(); ++i) {
        SeriesBuffer &sb = st.series[size_t(st.dirty[i])];
        for (int t = 0; ok && t < kTierCount; ++t) {
            TierBuffer &tb = sb.tiers[size_t(t)];
            if (!tb.dirty || tb.rows.empty())
                continue;
            finalizeQuantiles(tb);
            ok = writeOpen(t, sb.id, tb, sb.accuracy);
        }
    }
    for (size_t i = 0; ok && i < st.quality.size(); ++i) {
        QString error;
        ok = QualityStore::writeSecond(db, st.quality[i].second, st.quality[i].first, &error);
        if (!ok) {
            failure = error;
            failureCode = db.lastError().nativeErrorCode().toInt() & 0xff;
        }
    }
    if (ok && st.dropLegacy) {
        QSqlQuery drop(db);
        ok = drop.exec(u"DROP TABLE legacy_stats_1s"_s) || fail(drop.lastError());
    }
    ok = ok && (db.commit() || fail(db.lastError()));
    if (!ok) {
        db.rollback();
        for (int i : newIds)
            st.series[size_t(i)].id = -1; // rolled back with the transaction
        st.retry = true;
        ++m_counters->failedFlushes;
        // SQLITE_FULL = 13; SQLITE_BUSY = 5, SQLITE_LOCKED = 6.
        m_counters->storageFull = failureCode == 13;
        m_counters->locked = failureCode == 5 || failureCode == 6;
        Q_EMIT writeFailed(failure);
        return false;
    }
    for (int i : st.dirty) {
        SeriesBuffer &sb = st.series[size_t(i)];
        sb.queued = false;
        for (auto &tb : sb.tiers)
            tb.dirty = false;
    }
    st.dirty.clear();
    st.closedChunks.clear();
    st.closedSketches.clear();
    m_counters->qualityWritten += quint64(st.quality.size());
    st.quality.clear();
    st.dropLegacy = false;
    st.retry = false;
    m_counters->valuesWritten += quint64(st.pendingValues);
    st.pendingValues = 0;
    ++m_counters->flushes;
    m_counters->storageFull = false;
    m_counters->locked = false;
    return true;
}

int StorageWriter::runRetention()
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen())
        return 0;
    const qint64 now = m_options.clock ? m_options.clock() : QDateTime::currentSecsSinceEpoch();
    int deleted = 0;
    if (!db.transaction())
        return 0;
    for (const TierSpec &spec : kTiers) {
        const qint64 keep = m_options.retention.of(spec.tier);
        if (keep <= 0)
            continue;
        const auto purge = [&](const QString &table, qint64 cutoff) {
            QSqlQuery q(db);
            q.prepare(u"DELETE FROM "_s % table % u" WHERE id IN (SELECT id FROM "_s % table
                      % u" WHERE start < ? LIMIT ?)"_s);
            q.addBindValue(cutoff);
            q.addBindValue(m_options.retentionBatch);
            if (!q.exec())
                return false;
            deleted += q.numRowsAffected();
            return true;
        };
        // A chunk goes once all of it is older than the retention.
        if (!purge(QString::fromUtf16(spec.chunkTable), now - keep - spec.chunkSpan + 1)
            || (spec.sketchTable && !purge(QString::fromUtf16(spec.sketchTable), now - keep - spec.step + 1))) {
            db.rollback();
            return 0;
        }
        // An open chunk of a series that went quiet long ago.
        QSqlQuery open(db);
        open.prepare(u"DELETE FROM open_chunks WHERE tier = ? AND start < ?"_s);
        open.addBindValue(int(spec.tier));
        open.addBindValue(now - keep - spec.chunkSpan + 1);
        if (!open.exec()) {
            db.rollback();
            return 0;
        }
        deleted += open.numRowsAffected();
    }
    const int quality = QualityStore::deleteExpired(db, m_options.retention, now, m_options.retentionBatch);
    if (quality < 0) {
        db.rollback();
        return 0;
    }
    deleted += quality;
    if (!db.commit()) {
        db.rollback();
        return 0;
    }
    m_counters->retentionDeleted += quint64(deleted);
    return deleted;
}

void StorageWriter::onRetentionTimer()
{
    const int deleted = runRetention();
    // A full batch means more is due: come back soon, but let flushes run in between.
    m_retentionTimer.start(deleted >= m_options.retentionBatch ? 200 : int(m_options.retentionIntervalMs));
}

// ---------------------------------------------------------------------------------------------------------------
// StorageThread

StorageThread::StorageThread(const QString &path, StorageOptions options)
    : m_queue(options.queueCapacity, &m_counters)
    , m_flushOnPost(options.flushOnPost)
    , m_thread(std::make_unique<QThread>())
{
    m_writer = std::make_unique<StorageWriter>(path, std::move(options), &m_queue, &m_counters);
    m_thread->setObjectName(u"perfdash-storage"_s);
    m_writer->moveToThread(m_thread.get());
    m_thread->start();
}

StorageThread::~StorageThread()
{
    // Queued frames are written first (a few attempts if the disk is busy); the writer then dies on its thread.
    StorageWriter *writer = m_writer.release();
    QMetaObject::invokeMethod(
            writer,
            [writer]() {
                bool written = writer->flush();
                for (int attempt = 0; attempt < 3 && !written; ++attempt) {
                    QThread::msleep(100);
                    written = writer->flush();
                }
                if (!written)
                    qWarning("perfdash storage: the last seconds could not be written before closing (disk full or "
                             "database locked)");
                delete writer;
            },
            Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

Database::OpenResult StorageThread::start()
{
    Database::OpenResult result;
    QMetaObject::invokeMethod(
            m_writer.get(), [&]() { result = m_writer->open(); }, Qt::BlockingQueuedConnection);
    return result;
}

void StorageThread::postWorkRecords(const QVector<OperationRecord> &operations, const QVector<RunRecord> &runs)
{
    StorageWriter *writer = m_writer.get();
    QMetaObject::invokeMethod(
            writer, [writer, operations, runs]() { writer->writeWorkRecords(operations, runs); },
            Qt::QueuedConnection);
}

void StorageThread::postEvents(const QVector<TimelineEvent> &events)
{
    StorageWriter *writer = m_writer.get();
    QMetaObject::invokeMethod(writer, [writer, events]() { writer->writeEvents(events); }, Qt::QueuedConnection);
}

void StorageThread::post(const QVector<LiveFrame> &frames)
{
    // A closed second goes to disk right away rather than up to a timer period later; one wake-up at a time.
    if (m_queue.push(frames) && m_flushOnPost && m_queue.claimWakeUp())
        QMetaObject::invokeMethod(m_writer.get(), &StorageWriter::flush, Qt::QueuedConnection);
}

bool StorageThread::flush()
{
    bool ok = false;
    QMetaObject::invokeMethod(
            m_writer.get(), [&]() { ok = m_writer->flush(); }, Qt::BlockingQueuedConnection);
    return ok;
}

void StorageThread::setMaxPageCount(qint64 pages)
{
    QMetaObject::invokeMethod(
            m_writer.get(), [&]() { m_writer->setMaxPageCount(pages); }, Qt::BlockingQueuedConnection);
}

} // namespace perfdash
