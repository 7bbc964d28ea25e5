// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/ndjsonrecord.h"
#include "collector/recentguids.h"
#include "models/baseline.h"
#include "models/serieskey.h"
#include "models/workrecords.h"

#include <QHash>
#include <QStringList>

#include <utility>

namespace perfdash {

class Aggregator;
class SeriesRegistry;

// Turns native records into series samples: a metric record is itself; an op, a run, a resource sample, a quality
// score or a baseline becomes the conventional series listed in docs/protocol.md. Series are admitted by the
// collector's SeriesRegistry under its caps; a refused series loses its sample, counted there. Collector thread only.
class RecordRouter {
public:
    RecordRouter(Aggregator &aggregator, SeriesRegistry &registry);

    // nowMs is the record's arrival; source is the sender's pid (0 when unknown), for the registry's caps.
    void route(const NativeRecord &record, qint64 nowMs, qint64 source);
    quint64 predictions() const { return m_predictions; }
    // Predictions with a truth that fed the model's quality metrics (LiveFrame::quality), and those whose truth
    // matched no outcome kind (a score with a truth other than 0 or 1, a label with a numeric truth, …).
    quint64 outcomes() const { return m_outcomes; }
    quint64 unmatchedTruths() const { return m_unmatchedTruths; }

    // Work records (operations, runs, API calls, notifications) routed since the last take, for their storage rows.
    // At most kMaxPending of each kind wait; more are counted in droppedRecords() (the collector takes them every
    // second).
    static constexpr qsizetype kMaxPending = 100000;
    WorkRecordBatch takeWorkRecords() { return std::exchange(m_work, {}); }
    // Work records skipped whole as resends: their guid was routed within RecentGuids' window.
    quint64 resentRecords() const { return m_resent; }
    // Baseline records routed since the last take, for the baselines table (docs/protocol.md, `baseline`); a record
    // with an unknown source or KPI is counted in badBaselines() and kept only as its gauge.
    QVector<Baseline::Stored> takeBaselines() { return std::exchange(m_baselines, {}); }
    // Baseline records refused: an unknown KPI or source, or a first_24h (formed by the collector, never sent).
    quint64 badBaselines() const { return m_badBaselines; }
    quint64 droppedRecords() const { return m_droppedRecords; }

private:
    // A series of the record being routed: its own tags plus up to two more ("op:NAME", "status:ok", ...), looked up
    // by their canonical key bytes. No QString is built unless the series is new. -1 when the registry refuses it.
    struct Extra {
        QByteArrayView prefix; // "op:"
        QByteArrayView value; // its value; an empty prefix means no tag
    };
    qint32 seriesFor(QByteArrayView name, Extra a = {}, Extra b = {}, Extra c = {});
    void add(qint32 id, MetricKind kind, double value, qint64 tsMs, double rate = 1.0);
    void setOwnTags(const NativeRecord &record);

    void routeBaseline(const NativeRecord::Score &score, qint64 tsMs);
    void routeOutcome(const NativeRecord::Prediction &prediction, qint64 tsMs);
    void routeApiCall(const NativeRecord &record, qint64 tsMs);
    void routeNotification(const NativeRecord &record, qint64 tsMs);

    Aggregator &m_aggregator;
    SeriesRegistry &m_registry;
    qint64 m_nowSeconds = 0; // of the record being routed
    qint64 m_source = 0; // its sender
    std::vector<std::string> m_ownTags; // "key:value" of the record being routed (capacity reused)
    std::string m_extra[3]; // the extra tags being added
    std::string m_name; // a series name built from the record ("quality.METRIC")
    TagViews m_views;
    QByteArray m_key;
    quint64 m_predictions = 0;
    quint64 m_outcomes = 0;
    quint64 m_unmatchedTruths = 0;
    WorkRecordBatch m_work;
    RecentGuids m_recentGuids;
    quint64 m_resent = 0;
    QVector<Baseline::Stored> m_baselines;
    quint64 m_badBaselines = 0;
    quint64 m_droppedRecords = 0;
};

} // namespace perfdash
