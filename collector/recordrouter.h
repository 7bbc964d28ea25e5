// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/ndjsonrecord.h"

#include <QHash>
#include <QStringList>

namespace perfdash {

class Aggregator;

// Turns native records into series samples: a metric record is itself; an op, a run, a resource sample, a quality
// score or a baseline becomes the conventional series listed in docs/protocol.md. Collector thread only.
class RecordRouter {
public:
    explicit RecordRouter(Aggregator &aggregator);

    void route(const NativeRecord &record);
    quint64 predictions() const { return m_predictions; }
    // Predictions with a truth that fed the model's quality metrics (LiveFrame::quality), and those whose truth
    // matched no outcome kind (a score with a truth other than 0 or 1, a label with a numeric truth, …).
    quint64 outcomes() const { return m_outcomes; }
    quint64 unmatchedTruths() const { return m_unmatchedTruths; }

private:
    void add(const QString &name, QStringList tags, MetricKind kind, double value, qint64 tsMs, double rate = 1.0);

    void routeOutcome(const NativeRecord::Prediction &prediction, QStringList tags, qint64 tsMs);

    Aggregator &m_aggregator;
    quint64 m_predictions = 0;
    quint64 m_outcomes = 0;
    quint64 m_unmatchedTruths = 0;
};

} // namespace perfdash
