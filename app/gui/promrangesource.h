// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/gui/fleetjobs.h"
#include "fleet/promreader.h"
#include "models/rangesource.h"

#include <QHash>

namespace perfdash {

// The dashboard's RangeSource over a Prometheus-compatible server (fleet/promreader.h): history buckets come from
// query_range through the reader, with one reader id per request and the caller's generation kept. Baselines and
// trends are computed as `perfdashd summary --source` computes them (ReportSource::outlook over the server's hourly
// buckets, on FleetJobs' thread): a source grouped by host ("m1 · host a") reads that host's series alone. Markers,
// runs and alerts a server does not hold answer empty; operations answer failed ("not on a fleet source").
// GUI thread (the reader's). The reader must outlive this object and must not serve anyone else's requests.
class PromRangeSource : public RangeSource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromRangeSource)
public:
    explicit PromRangeSource(PromReader *reader, QObject *parent = nullptr);

    void requestBuckets(
        const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 generation) override;
    void requestMarkers(qint64 fromSecond, qint64 toSecond, quint64 generation) override;
    void requestOutlook(const QString &model, quint64 generation) override;
    void requestOperations(qint64 fromSecond, qint64 toSecond, quint64 generation) override;

    FleetJobs *jobs() { return &m_jobs; }

private:
    PromReader *m_reader;
    FleetJobs m_jobs;
    quint64 m_nextId = 0;
    QHash<quint64, quint64> m_generations; // the reader's id -> the caller's generation
};

} // namespace perfdash
