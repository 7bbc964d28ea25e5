// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/recentseconds.h"

#include "models/blobreader.h"
#include "models/quantilesketch.h"
#include "storage/storagetiers.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace perfdash::RecentSeconds {

namespace {

constexpr quint8 kBlockFormat = 1;

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

qint64 unzigzag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

} // namespace

QByteArray encodeBlock(const std::vector<Entry> &entries)
{
    qsizetype size = 16;
    for (const Entry &e : entries)
        size += 32 + e.finals.size() + e.tail.size();
    QByteArray out;
    out.reserve(size);
    out.append(char(kBlockFormat));
    putVarint(out, entries.size());
    for (const Entry &e : entries) {
        putVarint(out, quint64(e.seriesId));
        putVarint(out, zigzag(e.chunkStart));
        putVarint(out, quint64(e.finals.size()));
        out.append(e.finals);
        putVarint(out, quint64(e.tail.size()));
        out.append(e.tail);
    }
    return out;
}

bool decodeBlock(QByteArrayView block, std::vector<Entry> *out, qint64 onlySeries)
{
    BlobReader in(block);
    if (in.byte() != kBlockFormat || !in.ok())
        return false;
    const quint64 count = in.varint();
    // Every entry takes at least 4 bytes: a count beyond that is damage, not a reason to reserve.
    if (!in.ok() || count > quint64(block.size()) / 4)
        return false;
    if (onlySeries < 0)
        out->reserve(out->size() + size_t(count));
    for (quint64 i = 0; i < count; ++i) {
        Entry e;
        e.seriesId = qint64(in.varint());
        e.chunkStart = unzigzag(in.varint());
        const QByteArrayView finals = in.bytes(in.varint());
        const QByteArrayView tail = in.bytes(in.varint());
        if (!in.ok())
            return false;
        if (onlySeries >= 0 && e.seriesId != onlySeries)
            continue;
        e.finals = finals.toByteArray();
        e.tail = tail.toByteArray();
        out->push_back(std::move(e));
    }
    return in.atEnd();
}

bool Log::load(const QSqlDatabase &db, qint64 after, QString *error)
{
    return read(db, after, -1, error);
}

bool Log::loadSeries(const QSqlDatabase &db, qint64 seriesId, qint64 after, QString *error)
{
    return read(db, after, seriesId, error);
}

bool Log::read(const QSqlDatabase &db, qint64 after, qint64 onlySeries, QString *error)
{
    m_entries.clear();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, data FROM recent_1s WHERE id > ? ORDER BY id"));
    q.addBindValue(after);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return false;
    }
    std::vector<Entry> block;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        block.clear();
        if (!decodeBlock(q.value(1).toByteArray(), &block, onlySeries)) {
            ++m_damaged;
            continue;
        }
        for (Entry &e : block)
            m_entries[e.seriesId].emplace_back(id, std::move(e));
    }
    return true;
}

bool Log::apply(qint64 seriesId, qint64 logged, qint64 chunkStart, std::vector<StoredPoint> *finals,
    std::vector<StoredPoint> *tail) const
{
    const auto it = m_entries.find(seriesId);
    if (it == m_entries.end())
        return false;
    const qint64 step = kTiers[0].step;
    bool applied = false;
    for (const auto &[id, e] : it->second) {
        if (id <= logged || e.chunkStart != chunkStart)
            continue;
        applied = true;
        if (!e.finals.isEmpty()) {
            if (auto rows = ChunkCodec::decode(e.finals, e.chunkStart, step)) {
                for (const StoredPoint &p : *rows) {
                    if (finals->empty() || p.time > finals->back().time)
                        finals->push_back(p);
                }
            }
        }
        tail->clear();
        if (!e.tail.isEmpty()) {
            if (auto rows = ChunkCodec::decode(e.tail, e.chunkStart, step))
                *tail = std::move(*rows);
        }
    }
    if (applied && !finals->empty()) {
        const qint64 last = finals->back().time;
        tail->erase(std::remove_if(tail->begin(), tail->end(), [last](const StoredPoint &p) { return p.time <= last; }),
            tail->end());
    }
    return applied;
}

bool absorb(const QSqlDatabase &db, qint64 *newestBlock, QString *error)
{
    QSqlDatabase conn = db;
    QSqlQuery seq(db);
    if (!seq.exec(QStringLiteral("SELECT seq FROM sqlite_sequence WHERE name = 'recent_1s'"))) {
        *error = seq.lastError().text();
        return false;
    }
    *newestBlock = seq.next() ? seq.value(0).toLongLong() : 0;
    Log log;
    if (!log.load(db, 0, error))
        return false;
    if (log.isEmpty() && log.damagedBlocks() == 0)
        return true;
    if (!conn.transaction()) {
        *error = conn.lastError().text();
        return false;
    }
    QSqlQuery select(db);
    select.prepare(
        QStringLiteral("SELECT id, start, data, tail, logged FROM open_chunks WHERE series_id = ? AND tier = 0"));
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE open_chunks SET n = ?, data = ?, tail = ?, logged = ? WHERE id = ?"));
    const qint64 step = kTiers[0].step;
    bool ok = true;
    for (auto it = log.entries().begin(); ok && it != log.entries().end(); ++it) {
        select.addBindValue(it->first);
        if (!select.exec()) {
            ok = false;
            *error = select.lastError().text();
            break;
        }
        if (!select.next())
            continue; // no open row (retention took it): nothing to continue
        const qint64 rowid = select.value(0).toLongLong();
        const qint64 start = select.value(1).toLongLong();
        const QByteArray data = select.value(2).toByteArray();
        const QByteArray storedTail = select.value(3).toByteArray();
        const qint64 logged = select.value(4).isNull() ? 0 : select.value(4).toLongLong();
        select.finish();
        auto finals = ChunkCodec::decode(data, start, step);
        if (!finals)
            continue; // a damaged open row: the reader skips it too
        std::vector<StoredPoint> tail;
        if (!storedTail.isEmpty()) {
            if (auto t = ChunkCodec::decode(storedTail, start, step))
                tail = std::move(*t);
        }
        if (!log.apply(it->first, logged, start, &*finals, &tail))
            continue;
        const double accuracy = ChunkCodec::relativeAccuracy(data).value_or(QuantileSketch::kDefaultRelativeAccuracy);
        update.addBindValue(qint64(finals->size()));
        update.addBindValue(ChunkCodec::encode(*finals, start, step, accuracy, false));
        update.addBindValue(tail.empty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                         : QVariant(ChunkCodec::encode(tail, start, step, accuracy, false)));
        update.addBindValue(*newestBlock);
        update.addBindValue(rowid);
        if (!update.exec()) {
            ok = false;
            *error = update.lastError().text();
        }
    }
    QSqlQuery clear(db);
    if (ok && !clear.exec(QStringLiteral("DELETE FROM recent_1s"))) {
        ok = false;
        *error = clear.lastError().text();
    }
    if (ok && !conn.commit()) {
        ok = false;
        *error = conn.lastError().text();
    }
    if (!ok)
        conn.rollback();
    return ok;
}

} // namespace perfdash::RecentSeconds
