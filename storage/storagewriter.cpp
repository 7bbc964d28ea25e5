// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/storagewriter.h"

#include "storage/alertstore.h"

#include "models/heapoptional.h"
#include "models/quantilesketch.h"
#include "storage/baselinestore.h"
#include "storage/bucketmerge.h"
#include "storage/modelhistoryreader.h"
#include "storage/chunkcodec.h"
#include "storage/qualitystore.h"
#include "storage/recentseconds.h"
#include "storage/sqlitestatement.h"
#include "storage/workrecordwriter.h"

#include <QDateTime>
#include <QHash>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>
#include <QVariant>

#include <algorithm>
#include <cmath>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <map>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

// ---------------------------------------------------------------------------------------------------------------
// FrameQueue

bool FrameQueue::push(const QVector<LiveFrame> &frames)
{
    qint64 values = 0;
    qint64 finalValues = 0;
    qint64 finalFrames = 0;
    std::vector<qint64> finalSeconds; // a tick holds one or two
    for (const auto &f : frames) {
        values += f.series.size();
        if (!f.provisional) {
            finalValues += f.series.size();
            ++finalFrames;
            finalSeconds.push_back(f.second);
        }
    }
    const auto supersededBy = [&finalSeconds](const LiveFrame &f) {
        return f.provisional && std::find(finalSeconds.begin(), finalSeconds.end(), f.second) != finalSeconds.end();
    };
    enum class Take { All, Finals, Nothing };
    Take take = Take::Nothing;
    qint64 superseded = 0;
    {
        const std::lock_guard lock(m_mutex);
        // A waiting provisional frame whose second this post makes final is superseded (a final frame holds every
        // series of its second), but only once that final frame is queued.
        qsizetype supersededFrames = 0;
        for (const LiveFrame &f : m_frames) {
            if (supersededBy(f)) {
                superseded += f.series.size();
                ++supersededFrames;
            }
        }
        const qint64 base = m_values - superseded;
        const bool emptyAfter = qsizetype(m_frames.size()) == supersededFrames;
        if (base + values <= m_capacity || (emptyAfter && finalFrames == 0))
            take = Take::All;
        else if (base + finalValues <= m_capacity || emptyAfter)
            take = Take::Finals; // into an empty queue even beyond the capacity: one tick at a time is written
        if (take != Take::Nothing) {
            if (superseded > 0)
                m_frames.erase(std::remove_if(m_frames.begin(), m_frames.end(), supersededBy), m_frames.end());
            for (const auto &f : frames) {
                if (take == Take::All || !f.provisional)
                    m_frames.push_back(f);
            }
            m_values = base + (take == Take::All ? values : finalValues);
        } else {
            superseded = 0;
        }
    }
    m_counters->provisionalSkipped += quint64(superseded + (take == Take::All ? 0 : values - finalValues));
    if (take == Take::Nothing) { // the final frames are lost: counted
        m_counters->droppedFrames += quint64(finalFrames);
        m_counters->droppedValues += quint64(finalValues);
    }
    return take != Take::Nothing;
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
constexpr int kRollupCount = kTierCount - 1; // 1 min and 1 h; rollup r is tier r + 1
constexpr qint64 kNone = std::numeric_limits<qint64>::min();

// The 1 s tier of one series.
struct SecondTier {
    qint64 chunkStart = kNone;
    // The final seconds of the open chunk live encoded only: a vector of them cost up to 6.6 KB a series (64 rows
    // of capacity), 660 MB at 100,000 series. `fresh` holds those not on disk yet (usually one or two).
    ChunkCodec::Encoder encoder;
    std::vector<StoredPoint> fresh;
    qint64 firstTime = kNone; // the open chunk's first final second
    std::vector<StoredPoint> tail; // provisional seconds, all after the last final one (may reach the next chunk)
    qint64 lastFinal = kNone; // the newest final second, whichever chunk it is in
    bool dirty = false;
    // On disk: the open row holds the chunk `writtenChunk`; the final seconds before `fresh` are in it or in
    // recent_1s blocks from `logSince` on (kNone: none, the open row is current).
    qint64 writtenChunk = kNone;
    qint64 logSince = kNone;
    qint64 nextWrite = kNone; // data second from which a live flush rewrites the open row instead of logging
};

// A rollup tier of one series: the open chunk, whose last row is the open bucket, and that bucket's merged sketch.
// The chunk's closed buckets live encoded only, as the open row stores them. As a vector of rows they cost 96 bytes
// each with the capacity doubling: 6 KB a series in the 1 min tier by the end of each hour and 3 KB in the 1 h tier
// by the end of each day, 920 MB at 100,000 series (the soak's steps at 16 and 32 minutes past the hour).
struct RollupTier {
    qint64 chunkStart = kNone; // kNone: no open bucket yet
    QByteArray closed; // the closed buckets before `pending`, ChunkCodec::encode() undeflated; empty: none
    std::vector<StoredPoint> pending; // buckets closed since the last write (usually one), not in `closed` yet
    StoredPoint open; // the open bucket, once chunkStart is set
    HeapOptional<QuantileSketch> sketch; // timers and distributions
    qint64 through = kNone; // the newest second folded in
    bool dirty = false; // changed since it was last written
    bool bucketClosed = false; // a bucket closed since then: its closed sketch goes out with this row
    qint64 nextWrite = kNone; // data second from which a live flush writes it when dirty
};

struct SeriesBuffer {
    QString key;
    MetricKind kind = MetricKind::Counter;
    qint64 id = -1;
    bool loaded = false;
    bool queued = false; // in StorageState::dirty
    bool rollupQueued = false; // in StorageState::rollupDirty
    double accuracy = QuantileSketch::kDefaultRelativeAccuracy;
    std::array<qint64, kTierCount> openRow { -1, -1, -1 }; // rowid of its open_chunks row per tier, once known
    SecondTier second;
    std::array<RollupTier, kRollupCount> rollups;
};

struct ClosedChunk {
    int series;
    int tier;
    qint64 start;
    qint64 n;
    QByteArray blob; // deflated ChunkCodec blob
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

StoredPoint pointOf(qint64 second, const SeriesStats &s)
{
    StoredPoint p;
    p.time = second;
    p.count = s.count;
    p.sum = s.sum;
    p.min = s.min;
    p.max = s.max;
    p.last = s.last;
    p.unique = s.uniqueCount;
    if (hasQuantiles(s.kind))
        p.q = { s.p50, s.p90, s.p95, s.p99, s.p999 };
    return p;
}

void finalizeQuantiles(RollupTier &t)
{
    if (t.sketch && t.chunkStart != kNone)
        BucketMerge::setQuantiles(t.open, *t.sketch);
}

// A rollup's open chunk up to its open bucket (`closed`, then `pending`), as an encoder that takes the open bucket
// next. `closed` is continued from its bytes: decoding its rows and encoding them again made the writer 2.5 times
// slower by the end of each hour (bench_storage memory; the quantiles' exp and log).
ChunkCodec::Encoder closedBuckets(const RollupTier &t, qint64 step, double accuracy)
{
    std::optional<ChunkCodec::Encoder> e;
    if (!t.closed.isEmpty()) {
        e = ChunkCodec::Encoder::resume(t.closed, t.chunkStart, step, accuracy);
        if (!e) // our own encoding: cannot happen
            qWarning("perfdash storage: a rollup's closed buckets from %lld did not read back; they are lost",
                static_cast<long long>(t.chunkStart));
        Q_ASSERT(e);
    }
    if (!e)
        e.emplace(t.chunkStart, step, accuracy);
    for (const StoredPoint &p : t.pending)
        e->append(p);
    return *std::move(e);
}

// The start of the 1 s tier's open row: its chunk, or for a series with provisional seconds only, theirs.
qint64 openStart(const SecondTier &s)
{
    return s.chunkStart != kNone ? s.chunkStart : floorTo(s.tail.front().time, kTiers[0].chunkSpan);
}

// How many seconds of data a live flush lets rollup r's open row trail the 1 s tier: the option for the 1 min tier,
// six times it for the 1 h tier, whose bucket is sixty times longer (the seconds not folded yet are read from the 1 s
// tier, by readers and after a crash, so a longer period costs those reads, not data).
qint64 rollupWritePeriod(const StorageOptions &options, int r)
{
    return std::max<qint64>(1, options.rollupWriteIntervalS) * (r == 0 ? 1 : 6);
}

// The smallest second after `after` in this series' phase: rollup writes of different series fall on different
// flushes, so a live flush writes about 1/k of them.
qint64 nextInPhase(qint64 after, int series, qint64 k)
{
    const qint64 s = after + 1;
    qint64 r = (s + series) % k;
    if (r < 0)
        r += k;
    return r == 0 ? s : s + (k - r);
}

} // namespace

class StorageState {
public:
    // A deque: a SeriesBuffer is about 1.7 KB, and growing a vector of 100,000 of them copied them all while holding
    // both copies and doubled the room (heaptrack: 180 MB of the collector's peak).
    std::deque<SeriesBuffer> series;
    QHash<QString, int> index;
    std::vector<int> dirty; // 1 s tier changed
    std::vector<int> rollupDirty; // a rollup row changed and is not written yet
    std::vector<int> logged; // series with entries in recent_1s that their open row does not hold yet
    qint64 logId = 0; // the newest recent_1s block id ever written (AUTOINCREMENT's sequence)
    std::vector<ClosedChunk> closedChunks;
    std::vector<ClosedSketch> closedSketches;
    std::vector<std::pair<qint64, QualityStats>> quality; // final seconds' model quality, for the quality table
    qint64 pendingValues = 0;
    qint64 latestSecond = kNone; // the newest second seen in any frame: the clock of rollup writes
    bool retry = false; // the last write failed: write the same state again before taking more from the queue
    bool dropLegacy = false;

    // The statements a flush runs per series go through the sqlite3 API (SqliteStatement); the rare ones through Qt.
    std::array<SqliteStatement, kTierCount> upsertChunk; // closed chunks
    std::array<SqliteStatement, kTierCount> upsertSketch; // closed buckets' sketches
    SqliteStatement upsertOpen; // the first write of an open row
    SqliteStatement updateOpen; // later ones, by rowid: no index to probe
    SqliteStatement insertBlock; // recent_1s
    SqliteStatement deleteBlocks;
    SqliteStatement selectOpen;
    SqliteStatement selectClosedSeconds;
    SqliteStatement insertSeries;
    SqliteStatement selectSeries;

    void markDirty(int i)
    {
        if (!series[size_t(i)].queued) {
            series[size_t(i)].queued = true;
            dirty.push_back(i);
        }
    }
    void markRollupDirty(int i)
    {
        if (!series[size_t(i)].rollupQueued) {
            series[size_t(i)].rollupQueued = true;
            rollupDirty.push_back(i);
        }
    }

    int seriesIndex(const QString &key, MetricKind kind)
    {
        auto it = index.constFind(key);
        if (it != index.constEnd())
            return *it;
        const int idx = int(series.size());
        series.emplace_back();
        series.back().key = key;
        series.back().kind = kind;
        index.insert(key, idx);
        return idx;
    }

    // A final second joins the 1 s tier's open chunk (closing the previous chunk when it starts a new one).
    void appendSecond(int idx, const StoredPoint &p)
    {
        SeriesBuffer &sb = series[size_t(idx)];
        SecondTier &s = sb.second;
        const TierSpec &spec = kTiers[0];
        const qint64 chunk = floorTo(p.time, spec.chunkSpan);
        if (s.chunkStart != chunk) {
            if (s.encoder.rows() > 0)
                closedChunks.push_back({ idx, 0, s.chunkStart, qint64(s.encoder.rows()), s.encoder.blob(true) });
            s.fresh.clear(); // in the closed chunk now
            s.firstTime = kNone;
            s.chunkStart = chunk;
            s.encoder = ChunkCodec::Encoder(chunk, spec.step, sb.accuracy);
        }
        if (s.firstTime == kNone)
            s.firstTime = p.time;
        s.fresh.push_back(p);
        s.encoder.append(p);
        s.lastFinal = p.time;
        s.dirty = true;
        markDirty(idx);
    }

    // A final second joins rollup r's open bucket (closing the bucket, and the chunk, it ends).
    void fold(int idx, int r, const StoredPoint &point, const std::optional<QuantileSketch> &sketch)
    {
        SeriesBuffer &sb = series[size_t(idx)];
        const int t = r + 1;
        const TierSpec &spec = kTiers[size_t(t)];
        RollupTier &tb = sb.rollups[size_t(r)];
        const qint64 bucket = floorTo(point.time, spec.step);
        const qint64 chunk = floorTo(point.time, spec.chunkSpan);
        const bool hasOpen = tb.chunkStart != kNone;
        if (!hasOpen || tb.open.time != bucket) {
            if (hasOpen) {
                finalizeQuantiles(tb);
                if (tb.sketch && !tb.sketch->isEmpty())
                    closedSketches.push_back({ idx, t, tb.open.time, tb.sketch->serialize() });
                tb.bucketClosed = true;
            }
            tb.sketch.reset();
            if (tb.chunkStart != chunk) {
                if (hasOpen) {
                    ChunkCodec::Encoder e = closedBuckets(tb, spec.step, sb.accuracy);
                    e.append(tb.open);
                    closedChunks.push_back({ idx, t, tb.chunkStart, qint64(e.rows()), e.blob(true) });
                }
                tb.closed = QByteArray();
                std::vector<StoredPoint>().swap(tb.pending);
                tb.chunkStart = chunk;
            } else {
                tb.pending.push_back(tb.open);
            }
            tb.open = StoredPoint();
            tb.open.time = bucket;
        }
        BucketMerge::add(tb.open, point);
        if (hasQuantiles(sb.kind)) {
            if (!tb.sketch)
                tb.sketch.emplace(sb.accuracy);
            // The second's own sketch; where there is none (a second re-read after a crash) an approximation of it.
            BucketMerge::addSecond(*tb.sketch, sketch, point);
        }
        tb.through = point.time;
        tb.dirty = true;
        markRollupDirty(idx);
    }

    void addFinal(int idx, const StoredPoint &p, const std::optional<QuantileSketch> &sketch)
    {
        SecondTier &s = series[size_t(idx)].second;
        // The provisional row of this second is replaced. One older than it never got its final frame (it cannot
        // happen within one run): it is the best there is, so it is kept as final.
        while (!s.tail.empty() && s.tail.front().time <= p.time) {
            const StoredPoint old = s.tail.front();
            s.tail.erase(s.tail.begin());
            if (old.time < p.time) {
                appendSecond(idx, old);
                for (int r = 0; r < kRollupCount; ++r)
                    fold(idx, r, old, std::nullopt);
            }
        }
        appendSecond(idx, p);
        for (int r = 0; r < kRollupCount; ++r)
            fold(idx, r, p, sketch);
    }

    void addProvisional(int idx, const StoredPoint &p)
    {
        SecondTier &s = series[size_t(idx)].second;
        if (p.time <= s.lastFinal)
            return; // its final second is in already
        auto it = std::lower_bound(
            s.tail.begin(), s.tail.end(), p.time, [](const StoredPoint &a, qint64 t) { return a.time < t; });
        if (it != s.tail.end() && it->time == p.time)
            *it = p;
        else
            s.tail.insert(it, p);
        s.dirty = true;
        markDirty(idx);
    }

    void resume(int idx);
};

namespace {

bool prepare(SqliteStatement &slot, const QSqlDatabase &db, const QString &sql, QString *error)
{
    if (slot.prepare(db, sql))
        return true;
    *error = slot.error() % u" (in: "_s % sql % u')';
    return false;
}

// A closed chunk whose span is stored already (history imported there): the stored rows plus ours, ours winning
// where both hold a bucket.
bool mergeIntoStored(const QSqlDatabase &db, qint64 seriesId, const ClosedChunk &c, double accuracy, QByteArray *blob,
    qint64 *n, QString *error)
{
    const TierSpec &spec = kTiers[size_t(c.tier)];
    QSqlQuery q(db);
    q.prepare(u"SELECT data FROM "_s % QString::fromUtf16(spec.chunkTable) % u" WHERE series_id = ? AND start = ?"_s);
    q.addBindValue(seriesId);
    q.addBindValue(c.start);
    if (!q.exec() || !q.next()) {
        *error = q.lastError().text();
        return false;
    }
    const auto stored = ChunkCodec::decode(q.value(0).toByteArray(), c.start, spec.step);
    const auto ours = ChunkCodec::decode(c.blob, c.start, spec.step);
    if (!ours) {
        *error = u"a closed chunk did not decode"_s;
        return false;
    }
    std::map<qint64, StoredPoint> rows;
    for (const StoredPoint &p : *ours)
        rows.emplace(p.time, p);
    if (stored) { // a damaged stored chunk is replaced by ours
        for (const StoredPoint &p : *stored)
            rows.emplace(p.time, p);
    }
    std::vector<StoredPoint> merged;
    merged.reserve(rows.size());
    for (const auto &[time, p] : rows)
        merged.push_back(p);
    *blob = ChunkCodec::encode(merged, c.start, spec.step, accuracy, true);
    *n = qint64(merged.size());
    return true;
}

std::optional<QuantileSketch> sketchOf(const SeriesStats &s)
{
    if (!s.sketch.isEmpty())
        return QuantileSketch::deserialize(s.sketch);
    return std::nullopt;
}

} // namespace

// Loads what a previous run left for this series the first time the writer sees it again, so a restart continues
// its chunks instead of overwriting them:
// - the 1 s tier's open chunk; its provisional seconds, whose final frames never came, become final;
// - each rollup's open chunk and bucket sketch, and then the seconds of the 1 s tier the rollup row had not folded
//   yet (it is written only every few seconds), folded in again. Their sketches are approximated from the stored
//   quantiles; counts, sums, min and max are exact.
void StorageState::resume(int idx)
{
    SeriesBuffer &sb = series[size_t(idx)];
    sb.loaded = true;
    auto &select = selectSeries;
    select.bind(1, sb.key);
    qint64 id = -1;
    if (!select.exec(&id) || select.rows() == 0)
        return;
    sb.id = id;

    auto &q = selectOpen;
    std::array<bool, kRollupCount> found {};
    std::array<bool, kRollupCount> current {}; // written by a version that kept rollup rows current
    for (int r = 0; r < kRollupCount; ++r) {
        const TierSpec &spec = kTiers[size_t(r) + 1];
        q.bind(1, sb.id);
        q.bind(2, r + 1);
        if (!q.step()) {
            q.reset();
            continue;
        }
        const qint64 chunkStart = q.int64At(0);
        auto rows = ChunkCodec::decode(q.blobAt(1), chunkStart, spec.step);
        const qint64 sketchStart = q.isNullAt(2) ? kNone : q.int64At(2);
        const QByteArray sketch = q.blobAt(3);
        const qint64 through = q.isNullAt(5) ? kNone : q.int64At(5);
        sb.openRow[size_t(r) + 1] = q.int64At(6);
        q.reset();
        if (!rows || rows->empty())
            continue;
        RollupTier &tb = sb.rollups[size_t(r)];
        tb.chunkStart = chunkStart;
        tb.open = rows->back();
        rows->pop_back();
        if (!rows->empty())
            tb.closed = ChunkCodec::encode(*rows, chunkStart, spec.step, sb.accuracy, false);
        if (sketchStart != kNone && sketchStart == tb.open.time)
            tb.sketch = QuantileSketch::deserialize(sketch);
        found[size_t(r)] = true;
        current[size_t(r)] = through == kNone;
        tb.through = through;
    }

    SecondTier &s = sb.second;
    std::vector<StoredPoint> orphans;
    std::vector<StoredPoint> openRows;
    q.bind(1, sb.id);
    q.bind(2, 0);
    if (q.step()) {
        const qint64 chunkStart = q.int64At(0);
        auto rows = ChunkCodec::decode(q.blobAt(1), chunkStart, kTiers[0].step);
        const QByteArray tail = q.blobAt(4);
        sb.openRow[0] = q.int64At(6);
        if (rows) {
            s.writtenChunk = chunkStart;
            s.chunkStart = chunkStart;
            s.encoder = ChunkCodec::Encoder(chunkStart, kTiers[0].step, sb.accuracy);
            for (const StoredPoint &p : *rows)
                s.encoder.append(p);
            if (!rows->empty()) {
                s.firstTime = rows->front().time;
                s.lastFinal = rows->back().time;
            }
            openRows = std::move(*rows);
        }
        if (!tail.isEmpty()) {
            if (auto t = ChunkCodec::decode(tail, chunkStart, kTiers[0].step))
                orphans = std::move(*t);
        }
    }
    q.reset();

    // Which seconds each rollup still has to fold: after its `through`. A row without one is current up to the 1 s
    // tier's final seconds; a missing row folds the open 1 s chunk only.
    qint64 from = std::numeric_limits<qint64>::max();
    for (int r = 0; r < kRollupCount; ++r) {
        RollupTier &tb = sb.rollups[size_t(r)];
        if (current[size_t(r)])
            tb.through = s.lastFinal;
        else if (!found[size_t(r)])
            tb.through = s.chunkStart == kNone ? kNone : s.chunkStart - 1;
        from = std::min(from, tb.through);
    }
    std::vector<StoredPoint> replay;
    if (s.chunkStart != kNone && from != kNone && from < s.chunkStart - 1) {
        auto &closed = selectClosedSeconds;
        closed.bind(1, sb.id);
        closed.bind(2, floorTo(from + 1, kTiers[0].chunkSpan));
        closed.bind(3, s.chunkStart);
        while (closed.step()) {
            const qint64 start = closed.int64At(0);
            if (auto rows = ChunkCodec::decode(closed.blobAt(1), start, kTiers[0].step))
                replay.insert(replay.end(), rows->begin(), rows->end());
        }
        closed.reset();
    }
    replay.insert(replay.end(), openRows.begin(), openRows.end());
    for (const StoredPoint &p : orphans) {
        if (p.time > s.lastFinal)
            replay.push_back(p);
    }
    for (const StoredPoint &p : replay) {
        for (int r = 0; r < kRollupCount; ++r) {
            if (from != kNone && p.time > sb.rollups[size_t(r)].through)
                fold(idx, r, p, std::nullopt);
        }
    }
    // Provisional seconds of the previous run: their final frames will not come.
    for (const StoredPoint &p : orphans) {
        if (p.time > s.lastFinal)
            appendSecond(idx, p);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// StorageWriter

StorageWriter::StorageWriter(
    QString path, StorageOptions options, FrameQueue *queue, StorageCounters *counters, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_options(std::move(options))
    , m_queue(queue)
    , m_counters(counters)
    , m_connectionName(u"perfdash-writer-"_s % QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_state(std::make_unique<StorageState>())
    , m_flushTimer(this)
    , m_retentionTimer(this)
    , m_baselineTimer(this)
{
    connect(&m_baselineTimer, &QTimer::timeout, this, [this]() {
        formBaselines();
        m_baselineTimer.start(int(m_options.baselineIntervalMs));
    });
    connect(&m_flushTimer, &QTimer::timeout, this, &StorageWriter::flushLive);
    connect(&m_retentionTimer, &QTimer::timeout, this, &StorageWriter::onRetentionTimer);
}

StorageWriter::~StorageWriter()
{
    m_state.reset(); // prepared statements go before their connection
    Database::close(m_connectionName);
}

Database::OpenResult StorageWriter::open()
{
    auto result = Database::openWritable(m_connectionName, m_path, m_options.busyTimeoutMs);
    if (!result.ok)
        return result;
    auto db = QSqlDatabase::database(m_connectionName, false);
    {
        QSqlQuery pragma(db);
        pragma.exec(u"PRAGMA busy_timeout = %1"_s.arg(m_options.busyTimeoutMs));
        if (m_options.walAutocheckpointPages > 0)
            pragma.exec(u"PRAGMA wal_autocheckpoint = %1"_s.arg(m_options.walAutocheckpointPages));
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
            u"INSERT INTO open_chunks(series_id, tier, start, n, data, sketch_start, sketch, tail, through,"
            " logged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(series_id, tier) DO UPDATE SET"
            " start = excluded.start, n = excluded.n, data = excluded.data,"
            " sketch_start = excluded.sketch_start, sketch = excluded.sketch, tail = excluded.tail,"
            " through = excluded.through, logged = excluded.logged RETURNING id"_s,
            &error)
        && prepare(s.updateOpen, db,
            u"UPDATE open_chunks SET start = ?, n = ?, data = ?, sketch_start = ?, sketch = ?, tail = ?,"
            " through = ?, logged = ? WHERE id = ?"_s,
            &error)
        && prepare(s.insertBlock, db, u"INSERT INTO recent_1s(id, data) VALUES (?, ?)"_s, &error)
        && prepare(s.deleteBlocks, db, u"DELETE FROM recent_1s WHERE id < ?"_s, &error)
        && prepare(s.selectOpen, db,
            u"SELECT start, data, sketch_start, sketch, tail, through, id FROM open_chunks"
            " WHERE series_id = ? AND tier = ?"_s,
            &error)
        && prepare(s.selectClosedSeconds, db,
            u"SELECT start, data FROM chunk_1s WHERE series_id = ? AND start >= ? AND start < ?"
            " ORDER BY start"_s,
            &error);
    for (int t = 0; ok && t < kTierCount; ++t) {
        const TierSpec &spec = kTiers[size_t(t)];
        const QString table = QString::fromUtf16(spec.chunkTable);
        ok = prepare(s.upsertChunk[size_t(t)], db,
            u"INSERT INTO "_s % table
                % u"(series_id, start, n, data) VALUES (?, ?, ?, ?) ON CONFLICT(series_id, start)"
                  " DO NOTHING"_s,
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
    // What the last run left in recent_1s goes into the open rows, so this run starts from current rows.
    if (!RecentSeconds::absorb(db, &s.logId, &error)) {
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
        flush(FlushScope::Everything);
    }
    m_flushTimer.start(int(m_options.flushIntervalMs));
    m_retentionTimer.start(int(m_options.retentionIntervalMs));
    if (m_options.baselineIntervalMs > 0)
        m_baselineTimer.start(int(std::min<qint64>(m_options.baselineIntervalMs, 3000)));
    return result;
}

bool StorageWriter::isOpen() const
{
    return QSqlDatabase::database(m_connectionName, false).isOpen();
}

void StorageWriter::setMaxPageCount(qint64 pages)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    // SQLite never lowers the limit below the current size, and 0 means "as large as SQLite allows".
    q.exec(u"PRAGMA max_page_count = %1"_s.arg(pages > 0 ? pages : qint64(4294967294)));
}

void StorageWriter::writeWorkRecords(const WorkRecordBatch &work)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    QString error;
    if (!db.isOpen() || !db.transaction() || !WorkRecordWriter::write(db, work, &error) || !db.commit()) {
        if (error.isEmpty())
            error = db.lastError().text();
        db.rollback();
        m_counters->droppedWorkRecords += quint64(work.size());
        qWarning("perfdash storage: %lld work records not written: %s", qint64(work.size()), qPrintable(error));
        return;
    }
    m_counters->operationsWritten += quint64(work.operations.size());
    m_counters->runsWritten += quint64(work.runs.size());
    m_counters->apiCallsWritten += quint64(work.apiCalls.size());
    m_counters->notificationsWritten += quint64(work.notifications.size());
}

void StorageWriter::writeBaselines(const QVector<Baseline::Stored> &baselines)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    QString error;
    quint64 appended = 0;
    bool ok = db.isOpen() && db.transaction();
    for (const Baseline::Stored &row : baselines) {
        bool added = false;
        ok = ok && BaselineStore::append(db, row, &added, &error);
        appended += added ? 1 : 0;
    }
    if (!ok || !db.commit()) {
        if (error.isEmpty())
            error = db.lastError().text();
        db.rollback();
        m_counters->droppedBaselines += quint64(baselines.size());
        qWarning("perfdash storage: %lld baselines not written: %s", qint64(baselines.size()), qPrintable(error));
        return;
    }
    m_counters->baselinesWritten += appended;
}

void StorageWriter::writeAlertEvents(const QVector<AlertEvent> &events)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    QString error;
    const bool ok = db.isOpen() && db.transaction() && AlertStore::append(db, events, &error);
    if (!ok || !db.commit()) {
        if (error.isEmpty())
            error = db.lastError().text();
        db.rollback();
        m_counters->droppedAlertEvents += quint64(events.size());
        qWarning("perfdash storage: %lld alert events not written: %s", qint64(events.size()), qPrintable(error));
        return;
    }
    m_counters->alertEventsWritten += quint64(events.size());
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
        const bool provisional = frame.provisional;
        const qint64 second = frame.second;
        if (!frame.series.isEmpty())
            st.latestSecond = std::max(st.latestSecond, second);
        // Quality is stored per final second only (its rollups add seconds up); a provisional frame's is not.
        for (qsizetype i = 0; !provisional && i < frame.quality.size(); ++i) {
            const QualityStats &q = frame.quality[i];
            if (QualityMetrics::deserialize(q.blob))
                st.quality.emplace_back(second, q);
            else
                ++m_counters->badQuality; // never from the aggregator; must not block a flush
        }
        for (const SeriesStats &stats : frame.series) {
            const int idx = st.seriesIndex(stats.key, stats.kind);
            SeriesBuffer &sb = st.series[size_t(idx)];
            if (stats.quantileError > 0)
                sb.accuracy = stats.quantileError;
            if (!sb.loaded)
                st.resume(idx);
            const StoredPoint point = pointOf(second, stats);
            if (provisional) {
                st.addProvisional(idx, point);
                ++m_counters->provisionalValues;
                continue;
            }
            if (second <= sb.second.lastFinal) {
                ++m_counters->lateValues;
                continue;
            }
            st.addFinal(idx, point, hasQuantiles(stats.kind) ? sketchOf(stats) : std::nullopt);
            ++st.pendingValues;
        }
    }
}

void StorageWriter::flushLive()
{
    const quint64 flushes = m_counters->flushes.load();
    flush(FlushScope::Live);
#ifdef __GLIBC__
    // Every tick frees about as much as it allocates (frames, blobs, summaries), and glibc keeps freed pages inside
    // its heaps: 75 MB of 650 at 100,000 series. Trimming after a flush that wrote something gives them back; the
    // flood's peak fell from 556-606 MB to 518-569 MB, for 5 ms a flush (median; 35 ms at most) at 100,000 series
    // (docs/benchmarks.md).
    if (m_counters->flushes.load() != flushes)
        malloc_trim(0);
#endif
}

bool StorageWriter::flush(FlushScope scope)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen())
        return false;
    StorageState &st = *m_state;
    if (!st.retry)
        ingest(m_queue->takeAll());
    // Rollup rows due now: all of them for Everything; else those whose bucket closed (the closed sketch and the row
    // that no longer folds it go out together) or whose turn it is.
    const auto due = [&](const RollupTier &tb) {
        return tb.dirty && (scope == FlushScope::Everything || tb.bucketClosed || st.latestSecond >= tb.nextWrite);
    };
    std::vector<int> rollupWrites;
    for (int i : st.rollupDirty) {
        const SeriesBuffer &sb = st.series[size_t(i)];
        if (std::any_of(sb.rollups.begin(), sb.rollups.end(), due))
            rollupWrites.push_back(i);
    }
    // Series whose seconds are only in recent_1s blocks are rewritten at their turn (or all, for Everything) even
    // when nothing else changed.
    const bool loggedDue = std::any_of(st.logged.begin(), st.logged.end(), [&](int i) {
        return scope == FlushScope::Everything || st.latestSecond >= st.series[size_t(i)].second.nextWrite;
    });
    if (st.dirty.empty() && rollupWrites.empty() && st.closedChunks.empty() && st.closedSketches.empty()
        && st.quality.empty() && !st.dropLegacy && !loggedDue) {
        st.retry = false;
        return true;
    }

    ++m_counters->flushesStarted; // past the early return for an empty flush: it ends in flushes or failedFlushes
    std::vector<int> newIds;
    QString failure;
    int failureCode = 0;
    const auto fail = [&](const QSqlError &e) {
        failure = e.text();
        failureCode = e.nativeErrorCode().toInt() & 0xff;
        return false;
    };
    const auto failStatement = [&](const SqliteStatement &q) {
        failure = q.error();
        failureCode = q.errorCode();
        return false;
    };
    const auto writeChunk = [&](const ClosedChunk &c) {
        auto &q = st.upsertChunk[size_t(c.tier)];
        const SeriesBuffer &sb = st.series[size_t(c.series)];
        q.bind(1, sb.id);
        q.bind(2, c.start);
        q.bind(3, c.n);
        q.bind(4, c.blob);
        if (!q.exec())
            return failStatement(q);
        if (q.changes() > 0)
            return true;
        // The span is stored already (`perfdashd import` wrote history there): merge, our buckets win.
        QByteArray merged;
        qint64 n = 0;
        if (!mergeIntoStored(db, sb.id, c, sb.accuracy, &merged, &n, &failure))
            return false;
        QSqlQuery update(db);
        update.prepare(u"UPDATE "_s % QString::fromUtf16(kTiers[size_t(c.tier)].chunkTable)
            % u" SET n = ?, data = ? WHERE series_id = ? AND start = ?"_s);
        update.addBindValue(n);
        update.addBindValue(merged);
        update.addBindValue(sb.id);
        update.addBindValue(c.start);
        return update.exec() || fail(update.lastError());
    };
    // An open row: updated in place by rowid once it exists, else inserted (or taken over) and its rowid kept.
    std::vector<std::pair<int, int>> newRows; // (series, tier) whose rowid this transaction learnt
    // A null QByteArray and kNone are stored as NULL.
    const auto writeOpen = [&](int series, int tier, qint64 start, qint64 n, const QByteArray &data, qint64 sketchStart,
                               const QByteArray &sketch, const QByteArray &tail, qint64 through, qint64 logged) {
        SeriesBuffer &sb = st.series[size_t(series)];
        qint64 &rowid = sb.openRow[size_t(tier)];
        const auto bindOrNull = [](SqliteStatement &q, int position, qint64 v) {
            if (v == kNone)
                q.bindNull(position);
            else
                q.bind(position, v);
        };
        // The columns both statements set, from `first` on: start, n, data, sketch_start, sketch, tail, through,
        // logged.
        const auto bindColumns = [&](SqliteStatement &q, int first) {
            q.bind(first, start);
            q.bind(first + 1, n);
            q.bind(first + 2, data);
            bindOrNull(q, first + 3, sketchStart);
            q.bind(first + 4, sketch);
            q.bind(first + 5, tail);
            bindOrNull(q, first + 6, through);
            bindOrNull(q, first + 7, logged);
        };
        if (rowid >= 0) {
            auto &u = st.updateOpen;
            bindColumns(u, 1);
            u.bind(9, rowid);
            if (!u.exec())
                return failStatement(u);
            if (u.changes() > 0)
                return true;
            rowid = -1; // deleted meanwhile (retention of a quiet series): insert it again
        }
        auto &q = st.upsertOpen;
        q.bind(1, sb.id);
        q.bind(2, tier);
        bindColumns(q, 3);
        qint64 inserted = -1;
        if (!q.exec(&inserted))
            return failStatement(q);
        if (q.rows() == 0) {
            failure = u"open_chunks: the upsert returned no row id"_s;
            return false;
        }
        rowid = inserted;
        newRows.emplace_back(series, tier);
        return true;
    };
    // The 1 s tier's open chunk, undeflated (rewritten every flush), and its provisional seconds.
    const auto writeOpenSeconds = [&](int series, qint64 logged) {
        const SeriesBuffer &sb = st.series[size_t(series)];
        const SecondTier &s = sb.second;
        const qint64 start = openStart(s);
        const QByteArray data = s.chunkStart != kNone
            ? s.encoder.blob(false)
            : ChunkCodec::encode({}, start, kTiers[0].step, sb.accuracy, false);
        const QByteArray tail
            = s.tail.empty() ? QByteArray() : ChunkCodec::encode(s.tail, start, kTiers[0].step, sb.accuracy, false);
        return writeOpen(series, 0, start, qint64(s.encoder.rows()), data, kNone, QByteArray(), tail, kNone, logged);
    };
    // What a series' 1 s tier adds to this flush's recent_1s block: the final seconds since the previous flush and
    // its provisional ones.
    const auto entryOf = [&](int series) {
        const SeriesBuffer &sb = st.series[size_t(series)];
        const SecondTier &s = sb.second;
        RecentSeconds::Entry e;
        e.seriesId = sb.id;
        e.chunkStart = s.chunkStart;
        if (!s.fresh.empty())
            e.finals = ChunkCodec::encode(s.fresh, s.chunkStart, kTiers[0].step, sb.accuracy, false);
        if (!s.tail.empty())
            e.tail = ChunkCodec::encode(s.tail, s.chunkStart, kTiers[0].step, sb.accuracy, false);
        return e;
    };
    // A rollup's open chunk, undeflated, with the open bucket's sketch and the last second it has folded. The
    // buckets closed since the last write join `closed` here (the same rows, whether or not this flush commits).
    const auto writeOpenRollup = [&](int series, int r) {
        SeriesBuffer &sb = st.series[size_t(series)];
        RollupTier &tb = sb.rollups[size_t(r)];
        const int tier = r + 1;
        ChunkCodec::Encoder e = closedBuckets(tb, kTiers[size_t(tier)].step, sb.accuracy);
        if (!tb.pending.empty()) {
            tb.closed = e.blob(false);
            std::vector<StoredPoint>().swap(tb.pending);
        }
        e.append(tb.open);
        const bool sketch = tb.sketch && !tb.sketch->isEmpty();
        return writeOpen(series, tier, tb.chunkStart, qint64(e.rows()), e.blob(false), sketch ? tb.open.time : kNone,
            sketch ? tb.sketch->serialize() : QByteArray(), QByteArray(), tb.through, kNone);
    };
    const auto writeSketch = [&](const ClosedSketch &c) {
        auto &q = st.upsertSketch[size_t(c.tier)];
        q.bind(1, st.series[size_t(c.series)].id);
        q.bind(2, c.start);
        q.bind(3, c.blob);
        return q.exec() || failStatement(q);
    };

    bool ok = db.transaction() || fail(db.lastError());
    for (size_t i = 0; ok && i < st.dirty.size(); ++i) {
        SeriesBuffer &sb = st.series[size_t(st.dirty[i])];
        if (sb.id >= 0)
            continue;
        auto &ins = st.insertSeries;
        ins.bind(1, sb.key);
        ins.bind(2, int(sb.kind));
        const SecondTier &s = sb.second;
        ins.bind(3, s.firstTime != kNone ? s.firstTime : !s.tail.empty() ? s.tail.front().time : qint64(0));
        ok = ins.exec() || failStatement(ins);
        auto &sel = st.selectSeries;
        sel.bind(1, sb.key);
        qint64 id = -1;
        ok = ok && (sel.exec(&id) || failStatement(sel));
        if (ok && sel.rows() == 0) {
            failure = u"series: no id for "_s + sb.key;
            ok = false;
        }
        if (ok) {
            sb.id = id;
            newIds.push_back(st.dirty[i]);
        }
    }
    for (size_t i = 0; ok && i < st.closedChunks.size(); ++i)
        ok = writeChunk(st.closedChunks[i]);
    for (size_t i = 0; ok && i < st.closedSketches.size(); ++i)
        ok = writeSketch(st.closedSketches[i]);
    // The 1 s tier: a series' open row is rewritten when it is due (its turn every rollupWriteIntervalS seconds of
    // data, a new chunk, a first write, Everything); otherwise what changed goes into this flush's recent_1s block.
    const qint64 block = st.logId + 1;
    std::vector<RecentSeconds::Entry> entries;
    std::vector<int> openWrites;
    std::vector<int> loggedNow;
    const auto openDue = [&](const SeriesBuffer &sb) {
        const SecondTier &s = sb.second;
        return scope == FlushScope::Everything || sb.openRow[0] < 0 || s.chunkStart == kNone
            || s.writtenChunk != s.chunkStart || st.latestSecond >= s.nextWrite;
    };
    for (int i : st.dirty) {
        const SeriesBuffer &sb = st.series[size_t(i)];
        const SecondTier &s = sb.second;
        if (!s.dirty || (s.chunkStart == kNone && s.tail.empty()))
            continue;
        if (openDue(sb)) {
            openWrites.push_back(i);
        } else {
            entries.push_back(entryOf(i));
            loggedNow.push_back(i);
        }
    }
    qint64 keepFrom = block; // the oldest block still needed after this flush
    for (int i : st.logged) {
        const SeriesBuffer &sb = st.series[size_t(i)];
        if (sb.second.dirty) {
            if (sb.second.logSince != kNone && !openDue(sb))
                keepFrom = std::min(keepFrom, sb.second.logSince);
            continue; // decided above
        }
        if (openDue(sb))
            openWrites.push_back(i);
        else
            keepFrom = std::min(keepFrom, sb.second.logSince);
    }
    const qint64 newestBlock = entries.empty() ? st.logId : block;
    if (ok && !entries.empty()) {
        const QByteArray blob = RecentSeconds::encodeBlock(entries);
        st.insertBlock.bind(1, block);
        st.insertBlock.bind(2, blob);
        ok = st.insertBlock.exec() || failStatement(st.insertBlock);
    }
    for (size_t i = 0; ok && i < openWrites.size(); ++i)
        ok = writeOpenSeconds(openWrites[i], newestBlock);
    if (ok && st.logId > 0) {
        st.deleteBlocks.bind(1, keepFrom);
        ok = st.deleteBlocks.exec() || failStatement(st.deleteBlocks);
    }
    for (size_t i = 0; ok && i < rollupWrites.size(); ++i) {
        SeriesBuffer &sb = st.series[size_t(rollupWrites[i])];
        for (int r = 0; ok && r < kRollupCount; ++r) {
            RollupTier &tb = sb.rollups[size_t(r)];
            if (!due(tb) || tb.chunkStart == kNone)
                continue;
            finalizeQuantiles(tb);
            ok = writeOpenRollup(rollupWrites[i], r);
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
    if (ok) {
        // Not QSqlDatabase::commit(): its error drops SQLite's code, and a full disk shows up here, when the WAL grows.
        QSqlQuery commit(db);
        ok = commit.exec(u"COMMIT"_s) || fail(commit.lastError());
    }
    if (!ok) {
        db.rollback();
        for (int i : newIds)
            st.series[size_t(i)].id = -1; // rolled back with the transaction
        for (const auto &[series, tier] : newRows)
            st.series[size_t(series)].openRow[size_t(tier)] = -1;
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
        sb.second.dirty = false;
    }
    st.dirty.clear();
    const qint64 period = std::max<qint64>(1, m_options.rollupWriteIntervalS);
    for (int i : openWrites) {
        SecondTier &s = st.series[size_t(i)].second;
        s.writtenChunk = openStart(s);
        s.fresh.clear();
        s.logSince = kNone;
        s.nextWrite = nextInPhase(st.latestSecond, i, period);
    }
    for (int i : loggedNow) {
        SecondTier &s = st.series[size_t(i)].second;
        s.fresh.clear();
        if (s.logSince == kNone) {
            s.logSince = block;
            st.logged.push_back(i);
        }
    }
    st.logged.erase(std::remove_if(st.logged.begin(), st.logged.end(),
                        [&st](int i) { return st.series[size_t(i)].second.logSince == kNone; }),
        st.logged.end());
    st.logId = newestBlock;
    for (int i : rollupWrites) {
        SeriesBuffer &sb = st.series[size_t(i)];
        sb.rollupQueued = false;
        for (int r = 0; r < kRollupCount; ++r) {
            RollupTier &tb = sb.rollups[size_t(r)];
            if (due(tb)) {
                tb.dirty = false;
                tb.bucketClosed = false;
                tb.nextWrite = nextInPhase(st.latestSecond, i, rollupWritePeriod(m_options, r));
            }
            sb.rollupQueued = sb.rollupQueued || tb.dirty;
        }
    }
    if (!rollupWrites.empty()) {
        st.rollupDirty.erase(std::remove_if(st.rollupDirty.begin(), st.rollupDirty.end(),
                                 [&st](int i) { return !st.series[size_t(i)].rollupQueued; }),
            st.rollupDirty.end());
    }
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

int StorageWriter::formBaselines()
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen())
        return 0;
    const qint64 now = m_options.clock ? m_options.clock() : QDateTime::currentSecsSinceEpoch();
    int formed = 0;
    QString error;
    if (!db.transaction() || !ModelHistoryReader::formDueBaselines(HistoryQuery(m_connectionName), now, &formed, &error)
        || !db.commit()) {
        db.rollback();
        qWarning(
            "perfdash storage: baselines not formed: %s", qPrintable(error.isEmpty() ? db.lastError().text() : error));
        return 0;
    }
    m_counters->baselinesFormed += quint64(formed);
    return formed;
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
    const int work = quality < 0
        ? -1
        : WorkRecordWriter::deleteExpired(db, m_options.workRetention, now, m_options.retentionBatch);
    if (work < 0) {
        db.rollback();
        return 0;
    }
    deleted += quality + work;
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
            if (!writer->isOpen()) { // never opened (locked by another program, say): nothing to write
                delete writer;
                return;
            }
            bool written = writer->flush(FlushScope::Everything);
            for (int attempt = 0; attempt < 3 && !written; ++attempt) {
                QThread::msleep(100);
                written = writer->flush(FlushScope::Everything);
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

void StorageThread::postWorkRecords(const WorkRecordBatch &work)
{
    StorageWriter *writer = m_writer.get();
    QMetaObject::invokeMethod(
        writer, [writer, work]() { writer->writeWorkRecords(work); }, Qt::QueuedConnection);
}

void StorageThread::postBaselines(const QVector<Baseline::Stored> &baselines)
{
    StorageWriter *writer = m_writer.get();
    QMetaObject::invokeMethod(
        writer, [writer, baselines]() { writer->writeBaselines(baselines); }, Qt::QueuedConnection);
}

void StorageThread::postAlertEvents(const QVector<AlertEvent> &events)
{
    StorageWriter *writer = m_writer.get();
    QMetaObject::invokeMethod(
        writer, [writer, events]() { writer->writeAlertEvents(events); }, Qt::QueuedConnection);
}

void StorageThread::postEvents(const QVector<TimelineEvent> &events)
{
    StorageWriter *writer = m_writer.get();
    QMetaObject::invokeMethod(
        writer, [writer, events]() { writer->writeEvents(events); }, Qt::QueuedConnection);
}

void StorageThread::post(const QVector<LiveFrame> &frames)
{
    // A closed second goes to disk right away rather than up to a timer period later; one wake-up at a time.
    if (m_queue.push(frames) && m_flushOnPost && m_queue.claimWakeUp())
        QMetaObject::invokeMethod(m_writer.get(), &StorageWriter::flushLive, Qt::QueuedConnection);
}

bool StorageThread::flush(FlushScope scope)
{
    bool ok = false;
    QMetaObject::invokeMethod(
        m_writer.get(), [&]() { ok = m_writer->flush(scope); }, Qt::BlockingQueuedConnection);
    return ok;
}

void StorageThread::setMaxPageCount(qint64 pages)
{
    QMetaObject::invokeMethod(
        m_writer.get(), [&]() { m_writer->setMaxPageCount(pages); }, Qt::BlockingQueuedConnection);
}

} // namespace perfdash
