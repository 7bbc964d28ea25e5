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

private:
    void add(const QString &name, QStringList tags, MetricKind kind, double value, qint64 tsMs, double rate = 1.0);

    Aggregator &m_aggregator;
    quint64 m_predictions = 0;
};

} // namespace perfdash
