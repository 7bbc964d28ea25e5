// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/bytekeytable.h"

#include <QHash>
#include <QJsonObject>

#include <array>
#include <vector>

namespace perfdash {

class Aggregator;

struct SeriesRegistryLimits {
    qsizetype maxSeries = 100000; // in total, every ingest path together
    qsizetype maxSeriesPerSource = 10000; // per sending process (Unix socket senders; UDP has no known source)
    qint64 idleSeconds = 600; // a series not seen for this long is forgotten
    qint64 sweepSeconds = 60; // how often idle series are looked for: the caps guard memory, not the second
};

// The live series of every ingest path (StatsD datagrams and NDJSON records): their aggregator ids by canonical key
// bytes, admitted under a cap in total and one per source, and forgotten once idle, in the registry and in the
// aggregator (Aggregator::releaseSeries), so a producer that puts a request id in a tag cannot grow the collector
// without bound. The registry is the only holder of those ids. Collector thread only.
class SeriesRegistry {
public:
    using Limits = SeriesRegistryLimits;
    using Id = qint32;
    static constexpr Id kRefused = -1;

    // Why a sample's series was not admitted; samples refused are counted per reason.
    enum class Refusal { TotalCap, SourceCap, Count_ };
    static const char *refusalCode(Refusal refusal);

    explicit SeriesRegistry(Aggregator &aggregator, Limits limits = Limits());

    static size_t hashOf(QByteArrayView key) { return Table::hashOf(key); }
    // The aggregator id of the series with these canonical key bytes, admitting it when new; kRefused when a cap
    // refuses it. source is the sender's pid, 0 when unknown (counted in the total only).
    Id admit(QByteArrayView key, size_t hash, qint64 nowSeconds, qint64 source);
    Id admit(QByteArrayView key, qint64 nowSeconds, qint64 source)
    {
        return admit(key, hashOf(key), nowSeconds, source);
    }

    // Forgets series idle for more than Limits::idleSeconds; sweeps at most once per Limits::sweepSeconds. A series
    // whose data is still in an open second stays until the next sweep.
    void expireIdle(qint64 nowSeconds);

    qsizetype size() const { return m_series.size(); }
    qsizetype sources() const { return m_perSource.size(); }
    quint64 refused(Refusal refusal) const { return m_refused[size_t(refusal)]; }
    quint64 expired() const { return m_expired; }
    const Limits &limits() const { return m_limits; }
    // For `stats`: {"live", "expired", "samples_refused": {"total_cap": n, "source_cap": n}, the limits}.
    QJsonObject statsJson() const;

private:
    struct Entry {
        Id id = kRefused;
        qint64 lastSeen = 0;
        qint64 source = 0;
    };
    using Table = ByteKeyTable<Entry>;

    Id refuse(Refusal refusal);
    void forget(qint64 source); // one series less for source

    Aggregator &m_aggregator;
    Limits m_limits;
    Table m_series;
    QHash<qint64, qsizetype> m_perSource; // live series per source pid
    std::vector<int> m_holders; // by aggregator id: the entries that hold it
    std::array<quint64, size_t(Refusal::Count_)> m_refused {};
    quint64 m_expired = 0;
    qint64 m_lastSweep = 0;
};

} // namespace perfdash
