// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chunkcodec.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QSqlDatabase>
#include <QString>

#include <map>
#include <vector>

namespace perfdash {

// The 1 s tier's newest seconds, between two writes of a series' open row (docs/storage.md, "Recent seconds").
// A live flush writes one row of `recent_1s` (a block) holding, for every series whose open row it does not rewrite,
// the final seconds that arrived since that series' previous flush and its provisional seconds as they now stand. A
// series' open row is rewritten every few seconds (and when its chunk closes); it records, in `logged`, the newest
// block it already holds. So a series' seconds are its open row, then its entries in the blocks after `logged`, in
// block order. Blocks no open row still needs are deleted by the flush that makes them so, and a restart folds what
// is left into the open rows.
namespace RecentSeconds {

// One series in one block. Blobs are ChunkCodec blobs (not deflated) with times relative to `chunkStart`, which is
// the open row's `start`; an empty blob holds no rows.
struct Entry {
    qint64 seriesId = 0;
    qint64 chunkStart = 0;
    QByteArray finals; // final seconds after the previous entry (or the open row)
    QByteArray tail; // every provisional second after them
};

QByteArray encodeBlock(const std::vector<Entry> &entries);
// False (and `out` as far as it got) when the block is damaged. With onlySeries >= 0, only that series' entries.
bool decodeBlock(QByteArrayView block, std::vector<Entry> *out, qint64 onlySeries = -1);

// Every block of a database, by series: (block id, entry) in block order.
class Log {
public:
    // Reads the blocks with an id above `after`; false with the reason when the query fails. Damaged blocks are
    // skipped (and counted).
    bool load(const QSqlDatabase &db, qint64 after, QString *error);
    // Only one series' entries (a reader of one series).
    bool loadSeries(const QSqlDatabase &db, qint64 seriesId, qint64 after, QString *error);

    bool isEmpty() const { return m_entries.empty(); }
    const std::map<qint64, std::vector<std::pair<qint64, Entry>>> &entries() const { return m_entries; }
    int damagedBlocks() const { return m_damaged; }

    // Applies this series' entries newer than `logged` (the open row's column; NULL is 0) to the open row's rows:
    // finals after the last final are appended, the tail is replaced by the newest entry's. An entry of another chunk
    // than `chunkStart` is not this row's and is skipped. True when any entry applied.
    bool apply(qint64 seriesId, qint64 logged, qint64 chunkStart, std::vector<StoredPoint> *finals,
        std::vector<StoredPoint> *tail) const;

private:
    bool read(const QSqlDatabase &db, qint64 after, qint64 onlySeries, QString *error);

    std::map<qint64, std::vector<std::pair<qint64, Entry>>> m_entries;
    int m_damaged = 0;
};

// At a writer's start: applies every block to the open rows it is newer than and empties recent_1s, in one
// transaction, and says the newest block id ever written (block ids keep growing: the open rows' marks refer to them).
bool absorb(const QSqlDatabase &db, qint64 *newestBlock, QString *error);

} // namespace RecentSeconds

} // namespace perfdash
