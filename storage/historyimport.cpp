// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/historyimport.h"

#include "models/quantilesketch.h"
#include "models/timebucket.h"
#include "storage/bucketmerge.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <map>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr int kExamples = 5;

bool hasQuantiles(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}

int tierIndexOf(qint64 step)
{
    for (const TierSpec &spec : kTiers) {
        if (spec.step == step)
            return int(spec.tier);
    }
    return -1;
}

// The buckets of one tier, with the merged sketch of each (rollup tiers of timers).
struct TierRows {
    std::vector<StoredPoint> rows;
    std::vector<std::optional<QuantileSketch>> sketches;
};

// The input at its own tier; the sketch of each bucket is synthesized from its quantiles.
TierRows baseRows(const ImportSeries &s, bool sketches)
{
    TierRows out;
    out.rows = s.rows;
    out.sketches.resize(out.rows.size());
    if (sketches) {
        for (size_t i = 0; i < out.rows.size(); ++i) {
            QuantileSketch sketch;
            BucketMerge::addApproximation(sketch, out.rows[i]);
            if (!sketch.isEmpty())
                out.sketches[i] = std::move(sketch);
        }
    }
    return out;
}

// One tier up: buckets add (BucketMerge::add, as the writer's rollups), sketches merge; from the 1 s tier, which keeps
// no sketches, each second is approximated from its quantiles, as the writer does for seconds re-read after a crash.
TierRows rollUp(const TierRows &finer, int finerTier, qint64 step, bool quantiles)
{
    TierRows out;
    for (size_t i = 0; i < finer.rows.size(); ++i) {
        const StoredPoint &p = finer.rows[i];
        const qint64 bucket = floorTo(p.time, step);
        if (out.rows.empty() || out.rows.back().time != bucket) {
            StoredPoint fresh;
            fresh.time = bucket;
            out.rows.push_back(fresh);
            out.sketches.emplace_back();
        }
        BucketMerge::add(out.rows.back(), p);
        if (!quantiles)
            continue;
        auto &sketch = out.sketches.back();
        if (!sketch)
            sketch.emplace();
        if (finerTier == int(StorageTier::Second) || !finer.sketches[i])
            BucketMerge::addApproximation(*sketch, p);
        else
            sketch->merge(*finer.sketches[i]);
    }
    for (size_t i = 0; i < out.rows.size(); ++i) {
        if (out.sketches[i])
            BucketMerge::setQuantiles(out.rows[i], *out.sketches[i]);
    }
    return out;
}

class Importer {
public:
    Importer(const QSqlDatabase &db, const HistoryImportOptions &options, HistoryImportReport *report)
        : m_db(db)
        , m_options(options)
        , m_report(report)
    { }

    bool prepare(QString *error);
    bool importSeries(const ImportSeries &s, QString *error);

private:
    bool fail(const QSqlQuery &q, QString *error) const
    {
        *error = q.lastError().text();
        return false;
    }
    bool registerSeries(const ImportSeries &s, qint64 *id, QString *error);
    bool writeTier(qint64 id, const ImportSeries &s, int tier, const TierRows &rows, QString *error);
    void example(int tier, const QString &key, qint64 time, const QString &why)
    {
        if (m_report->keptExamples.size() < kExamples)
            m_report->keptExamples.push_back(QString::fromUtf16(kTiers[size_t(tier)].chunkTable) % u' ' % key % u' '
                % QDateTime::fromSecsSinceEpoch(time, Qt::UTC).toString(Qt::ISODate) % u" ("_s % why % u')');
    }

    QSqlDatabase m_db;
    HistoryImportOptions m_options;
    HistoryImportReport *m_report;
    std::optional<QSqlQuery> m_selectSeries, m_insertSeries, m_updateFirstSeen, m_selectOpen;
    std::array<std::optional<QSqlQuery>, 3> m_selectChunk, m_insertChunk, m_updateChunk, m_upsertSketch;
};

bool Importer::prepare(QString *error)
{
    const auto make = [&](std::optional<QSqlQuery> &slot, const QString &sql) {
        slot.emplace(m_db);
        return slot->prepare(sql) || fail(*slot, error);
    };
    bool ok = make(m_selectSeries, u"SELECT id, kind, first_seen FROM series WHERE key = ?"_s)
        && make(m_insertSeries, u"INSERT INTO series(key, kind, first_seen) VALUES (?, ?, ?) RETURNING id"_s)
        && make(m_updateFirstSeen, u"UPDATE series SET first_seen = ? WHERE id = ? AND first_seen > ?"_s)
        && make(m_selectOpen, u"SELECT start FROM open_chunks WHERE series_id = ? AND tier = ?"_s);
    for (const TierSpec &spec : kTiers) {
        const size_t t = size_t(spec.tier);
        const QString table = QString::fromUtf16(spec.chunkTable);
        ok = ok && make(m_selectChunk[t], u"SELECT id, data FROM "_s % table % u" WHERE series_id = ? AND start = ?"_s)
            && make(m_insertChunk[t], u"INSERT INTO "_s % table % u"(series_id, start, n, data) VALUES (?, ?, ?, ?)"_s)
            && make(m_updateChunk[t], u"UPDATE "_s % table % u" SET n = ?, data = ? WHERE id = ?"_s);
        if (ok && spec.sketchTable) {
            ok = make(m_upsertSketch[t],
                u"INSERT INTO "_s % QString::fromUtf16(spec.sketchTable)
                    % u"(series_id, start, data) VALUES (?, ?, ?) ON CONFLICT(series_id, start) DO "_s
                    % (m_options.replace ? u"UPDATE SET data = excluded.data"_s : u"NOTHING"_s));
        }
    }
    return ok;
}

bool Importer::registerSeries(const ImportSeries &s, qint64 *id, QString *error)
{
    const qint64 first = s.rows.front().time;
    auto &select = *m_selectSeries;
    select.addBindValue(s.key);
    if (!select.exec())
        return fail(select, error);
    if (select.next()) {
        *id = select.value(0).toLongLong();
        const auto stored = MetricKind(select.value(1).toInt());
        select.finish();
        if (stored != s.kind) {
            *error = u"series %1 is stored as a %2; the input has it as a %3"_s.arg(
                s.key, metricKindName(stored), metricKindName(s.kind));
            return false;
        }
        auto &update = *m_updateFirstSeen;
        update.addBindValue(first);
        update.addBindValue(*id);
        update.addBindValue(first);
        return update.exec() || fail(update, error);
    }
    select.finish();
    auto &insert = *m_insertSeries;
    insert.addBindValue(s.key);
    insert.addBindValue(int(s.kind));
    insert.addBindValue(first);
    if (!insert.exec() || !insert.next())
        return fail(insert, error);
    *id = insert.value(0).toLongLong();
    insert.finish();
    ++m_report->newSeries;
    return true;
}

bool Importer::writeTier(qint64 id, const ImportSeries &s, int tier, const TierRows &in, QString *error)
{
    const TierSpec &spec = kTiers[size_t(tier)];
    const size_t t = size_t(tier);
    const qint64 keep = m_options.retention.of(spec.tier);
    const qint64 oldest = keep > 0 ? m_options.now - keep : std::numeric_limits<qint64>::min();

    // The open row's span and everything after it belong to the writer that holds it: its in-memory chunk would
    // overwrite what we put there.
    auto &open = *m_selectOpen;
    open.addBindValue(id);
    open.addBindValue(tier);
    if (!open.exec())
        return fail(open, error);
    // No open row: nothing is held (a sentinel rather than std::optional, which GCC 12 warns about here).
    const qint64 openStart = open.next() ? open.value(0).toLongLong() : std::numeric_limits<qint64>::max();
    open.finish();

    size_t i = 0;
    while (i < in.rows.size()) {
        const qint64 chunk = floorTo(in.rows[i].time, spec.chunkSpan);
        size_t end = i;
        while (end < in.rows.size() && floorTo(in.rows[end].time, spec.chunkSpan) == chunk)
            ++end;
        if (chunk >= openStart) {
            for (size_t k = i; k < end; ++k) {
                if (in.rows[k].time >= oldest) {
                    ++m_report->heldOpen;
                    example(tier, s.key, in.rows[k].time, u"in an open chunk"_s);
                }
            }
            i = end;
            continue;
        }
        // The span's rows by time: stored ones first, then the imported ones that may go in.
        std::map<qint64, StoredPoint> merged;
        std::vector<size_t> written; // indices into `in` of the buckets written
        auto &select = *m_selectChunk[t];
        select.addBindValue(id);
        select.addBindValue(chunk);
        if (!select.exec())
            return fail(select, error);
        std::optional<qint64> rowid;
        if (select.next()) {
            rowid = select.value(0).toLongLong();
            const auto stored = ChunkCodec::decode(select.value(1).toByteArray(), chunk, spec.step);
            if (!stored) {
                *error = u"the stored %1 chunk of %2 at %3 does not decode; nothing was imported"_s.arg(
                    QString::fromUtf16(spec.chunkTable), s.key, QString::number(chunk));
                return false;
            }
            for (const StoredPoint &p : *stored)
                merged.emplace(p.time, p);
        }
        select.finish();
        for (size_t k = i; k < end; ++k) {
            const StoredPoint &p = in.rows[k];
            if (p.time < oldest) {
                ++m_report->expired[t];
                continue;
            }
            const auto [it, inserted] = merged.try_emplace(p.time, p);
            if (!inserted) {
                ++m_report->kept;
                example(tier, s.key, p.time, m_options.replace ? u"replaced"_s : u"already stored"_s);
                if (!m_options.replace)
                    continue;
                it->second = p;
            }
            written.push_back(k);
        }
        i = end;
        if (written.empty())
            continue;
        std::vector<StoredPoint> rows;
        rows.reserve(merged.size());
        for (const auto &[time, p] : merged)
            rows.push_back(p);
        const QByteArray blob
            = ChunkCodec::encode(rows, chunk, spec.step, QuantileSketch::kDefaultRelativeAccuracy, true);
        auto &q = rowid ? *m_updateChunk[t] : *m_insertChunk[t];
        if (rowid) {
            q.addBindValue(qint64(rows.size()));
            q.addBindValue(blob);
            q.addBindValue(*rowid);
        } else {
            q.addBindValue(id);
            q.addBindValue(chunk);
            q.addBindValue(qint64(rows.size()));
            q.addBindValue(blob);
        }
        if (!q.exec())
            return fail(q, error);
        m_report->written[t] += qint64(written.size());
        if (!spec.sketchTable)
            continue;
        for (size_t k : written) {
            if (!in.sketches[k])
                continue;
            auto &sketch = *m_upsertSketch[t];
            sketch.addBindValue(id);
            sketch.addBindValue(in.rows[k].time);
            sketch.addBindValue(in.sketches[k]->serialize());
            if (!sketch.exec())
                return fail(sketch, error);
        }
    }
    return true;
}

bool Importer::importSeries(const ImportSeries &s, QString *error)
{
    const int base = tierIndexOf(s.step);
    if (base < 0) {
        *error = u"series %1: a step of %2 s is not a storage tier (1 s, 1 min, 1 h)"_s.arg(s.key).arg(s.step);
        return false;
    }
    if (s.rows.empty())
        return true;
    qint64 id = -1;
    if (!registerSeries(s, &id, error))
        return false;
    const bool quantiles = hasQuantiles(s.kind);
    TierRows rows = baseRows(s, quantiles && base > 0);
    for (int tier = base; tier < int(kTiers.size()); ++tier) {
        if (tier > base)
            rows = rollUp(rows, tier - 1, kTiers[size_t(tier)].step, quantiles);
        if (!writeTier(id, s, tier, rows, error))
            return false;
    }
    ++m_report->series;
    m_report->first = m_report->series == 1 ? s.rows.front().time : std::min(m_report->first, s.rows.front().time);
    m_report->last = std::max(m_report->last, s.rows.back().time + s.step);
    return true;
}

} // namespace

bool HistoryImport::write(const QSqlDatabase &db, const std::vector<ImportSeries> &series,
    const HistoryImportOptions &options, HistoryImportReport *report, QString *error,
    const std::function<void(int)> &progress)
{
    *report = {};
    QSqlQuery tx(db);
    // IMMEDIATE: take the write lock now (waiting up to the busy timeout), not halfway through.
    if (!tx.exec(u"BEGIN IMMEDIATE"_s)) {
        *error = tx.lastError().text();
        return false;
    }
    bool ok = true;
    {
        Importer importer(db, options, report);
        ok = importer.prepare(error);
        HistoryImportReport uncounted;
        Importer bookkeeping(db, options, &uncounted);
        ok = ok && bookkeeping.prepare(error);
        for (size_t i = 0; ok && i < series.size(); ++i) {
            ok = (series[i].counted ? importer : bookkeeping).importSeries(series[i], error);
            if (ok && progress)
                progress(int(i + 1));
        }
    }
    if (ok && !tx.exec(u"COMMIT"_s)) {
        *error = tx.lastError().text();
        ok = false;
    }
    if (!ok) {
        QSqlQuery rollback(db);
        rollback.exec(u"ROLLBACK"_s);
        *report = {};
    }
    return ok;
}

} // namespace perfdash
