// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesstore.h"

#include <QString>

#include <map>

namespace perfdash {

// Which seconds of a span the collector saw: seconds that have passed and in which the collector was up. It is the
// denominator of every rate (docs/metrics.md, "Covered seconds"): a bucket's rate is its count over its covered
// seconds, never over the bucket's full length.
//
// Contract:
// - A plain value type, any thread. Built from the collector's heartbeat, the gauge `perfdash.ingest.live_series`
//   that the collector samples once a second while it runs (so its sample count in a bucket is the seconds it was
//   up), clipped to the seconds that have passed. A sample beyond a bucket's passed seconds (a tick that ran late
//   into the next second) counts for a neighbouring bucket short of them, the earlier one first.
// - Where no heartbeat is stored anywhere in the span (a database written by something else, or a test), every
//   passed second counts as covered.
class Coverage {
public:
    static QString heartbeatKey();
    // The heartbeat that covers these series: on a fleet grouped by host, where every key names the same host (a
    // host: tag, fleet/promschema.h), that host's own, "perfdash.ingest.live_series|host:a", so a host that was down
    // has its own covered seconds; else the plain key (one collector, or a fleet merged: any host up).
    static QString heartbeatKeyFor(const QStringList &seriesKeys);
    static bool isHeartbeat(const QString &key); // the plain key or a host's

    // Buckets of `step` seconds from floorTo(from, step) up to `to` (exclusive). heartbeat: the heartbeat's points in
    // that span at that step (any order of buckets that start in the span); nowSecond: the first second that has not
    // passed yet (a bucket holding it is partial).
    static Coverage fromHeartbeat(
        const QVector<SeriesPoint> &heartbeat, qint64 from, qint64 to, qint64 step, qint64 nowSecond);
    // Every passed second is covered: for spans with no heartbeat at all.
    static Coverage passed(qint64 from, qint64 to, qint64 step, qint64 nowSecond);

    // Covered seconds of the bucket that starts at `start`; -1 when the span did not include that bucket.
    qint64 bucket(qint64 start) const;
    // Covered seconds of the buckets that start in [from, to).
    qint64 seconds(qint64 from, qint64 to) const;
    // Whether the bucket at `start` is complete: all of its seconds have passed.
    bool isComplete(qint64 start) const;
    qint64 step() const { return m_step; }
    bool isEmpty() const { return m_buckets.empty(); }

private:
    struct Bucket {
        qint64 covered = 0;
        bool complete = true;
    };
    qint64 m_step = 1;
    std::map<qint64, Bucket> m_buckets;
};

} // namespace perfdash
