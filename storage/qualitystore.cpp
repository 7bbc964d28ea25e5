// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/qualitystore.h"

#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <map>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::QualityStore {

namespace {

bool failed(const QSqlQuery &q, QString *error)
{
    if (error)
        *error = q.lastError().text();
    return false;
}

// Merges `blob` into the (key, tier, start) row, creating it when absent.
bool mergeInto(QSqlDatabase &db, const QString &key, int tier, qint64 start, const QualityMetrics &add, QString *error)
{
    QSqlQuery select(db);
    select.prepare(u"SELECT data FROM quality WHERE key = ? AND tier = ? AND start = ?"_s);
    select.addBindValue(key);
    select.addBindValue(tier);
    select.addBindValue(start);
    if (!select.exec())
        return failed(select, error);
    QualityMetrics merged = add;
    if (select.next()) {
        // A row that does not decode (damaged on disk) is replaced rather than blocking every later flush; what it
        // held is lost either way.
        auto stored = QualityMetrics::deserialize(select.value(0).toByteArray());
        if (stored && stored->merge(add))
            merged = std::move(*stored);
    }
    select.finish();
    QSqlQuery upsert(db);
    upsert.prepare(u"INSERT INTO quality(key, tier, start, data) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT(key, tier, start) DO UPDATE SET data = excluded.data"_s);
    upsert.addBindValue(key);
    upsert.addBindValue(tier);
    upsert.addBindValue(start);
    upsert.addBindValue(merged.serialize());
    return upsert.exec() || failed(upsert, error);
}

} // namespace

bool writeSecond(QSqlDatabase &db, const QualityStats &stats, qint64 second, QString *error)
{
    const auto metrics = QualityMetrics::deserialize(stats.blob);
    if (!metrics) {
        if (error)
            *error = u"quality metrics of %1 at %2 do not decode"_s.arg(stats.key).arg(second);
        return false;
    }
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO quality(key, tier, start, data) VALUES (?, 0, ?, ?)"
                   " ON CONFLICT(key, tier, start) DO NOTHING"_s);
    insert.addBindValue(stats.key);
    insert.addBindValue(second);
    insert.addBindValue(stats.blob);
    if (!insert.exec())
        return failed(insert, error);
    if (insert.numRowsAffected() == 0)
        return true; // stored before: its minute and hour already hold it
    for (int tier = 1; tier < int(kTiers.size()); ++tier) {
        if (!mergeInto(db, stats.key, tier, floorTo(second, kTiers[size_t(tier)].step), *metrics, error))
            return false;
    }
    return true;
}

int deleteExpired(QSqlDatabase &db, const Retention &retention, qint64 nowSeconds, int batch)
{
    int deleted = 0;
    for (const TierSpec &spec : kTiers) {
        const qint64 keep = retention.of(spec.tier);
        if (keep <= 0)
            continue;
        QSqlQuery q(db);
        q.prepare(u"DELETE FROM quality WHERE rowid IN (SELECT rowid FROM quality WHERE tier = ? AND start < ?"
                  " LIMIT ?)"_s);
        q.addBindValue(int(spec.tier));
        q.addBindValue(nowSeconds - keep - spec.step + 1); // a bucket goes once all of it is older than the retention
        q.addBindValue(batch);
        if (!q.exec())
            return -1;
        deleted += q.numRowsAffected();
    }
    return deleted;
}

bool keys(QSqlDatabase &db, qint64 from, qint64 to, QStringList *out, QString *error)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT DISTINCT key FROM quality WHERE tier = 2 AND start >= ? AND start < ? ORDER BY key"_s);
    q.addBindValue(floorTo(from, 3600));
    q.addBindValue(to);
    if (!q.exec())
        return failed(q, error);
    out->clear();
    while (q.next())
        out->push_back(q.value(0).toString());
    return true;
}

bool windows(
    QSqlDatabase &db, const QString &key, qint64 from, qint64 to, qint64 step, QVector<Window> *out, QString *error)
{
    out->clear();
    if (step <= 0 || to <= from)
        return true;
    // Every row of the key that could lie inside [from, to), by tier and start.
    std::array<std::map<qint64, QByteArray>, kTiers.size()> rows;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT tier, start, data FROM quality WHERE key = ? AND start >= ? AND start < ?"_s);
    q.addBindValue(key);
    q.addBindValue(from);
    q.addBindValue(to);
    if (!q.exec())
        return failed(q, error);
    while (q.next()) {
        const int tier = q.value(0).toInt();
        if (tier >= 0 && tier < int(kTiers.size()))
            rows[size_t(tier)].emplace(q.value(1).toLongLong(), q.value(2).toByteArray());
    }
    for (qint64 a = from; a < to; a += step) {
        const qint64 b = std::min(to, a + step);
        Window w;
        w.key = key;
        w.from = a;
        w.to = b;
        QSet<qint64> covered[kTiers.size()]; // starts of the coarser buckets already merged
        for (int tier = int(kTiers.size()) - 1; tier >= 0; --tier) {
            const qint64 tierStep = kTiers[size_t(tier)].step;
            for (auto it = rows[size_t(tier)].lower_bound(a); it != rows[size_t(tier)].end() && it->first < b; ++it) {
                const qint64 start = it->first;
                if (start + tierStep > b)
                    break; // straddles the window's end
                bool inCoarser = false;
                for (int c = tier + 1; c < int(kTiers.size()) && !inCoarser; ++c)
                    inCoarser = covered[c].contains(floorTo(start, kTiers[size_t(c)].step));
                if (inCoarser)
                    continue;
                const auto metrics = QualityMetrics::deserialize(it->second);
                if (!metrics || !w.metrics.merge(*metrics)) {
                    ++w.corruptRows;
                    continue;
                }
                covered[tier].insert(start);
                ++w.rows;
            }
        }
        if (w.rows > 0 || w.corruptRows > 0)
            out->push_back(std::move(w));
    }
    return true;
}

} // namespace perfdash::QualityStore
