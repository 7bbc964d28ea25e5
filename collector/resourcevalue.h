// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>

namespace perfdash {

// One gauge reading of a sampler: the canonical series key ("name|tag1,tag2") and its value.
struct ResourceValue {
    QString key;
    double value = 0;
};

// What the samplers' counters say after a sample; copied to the collector with every batch.
struct SamplerCounters {
    quint64 samples = 0; // sampling rounds done
    quint64 watched = 0; // pids being sampled now
    quint64 exited = 0; // pids dropped because the process ended (or became a zombie)
    quint64 reused = 0; // pids dropped because another process took the number (start time changed)
    quint64 unreadable = 0; // pids never sampled: no /proc entry we may read (another namespace, already gone)
    quint64 refused = 0; // pids not sampled because the cap on watched pids was reached
    quint64 gpus = 0; // GPUs seen through NVML; 0 when there is no NVML
    quint64 gpuErrors = 0; // NVML reads that failed
    qint64 lastCostUs = 0; // wall time of the last sampling round
};

// One sampling round, handed from the sampler thread to the collector thread by value.
struct ResourceSample {
    QVector<ResourceValue> values;
    QVector<qint64> gonePids; // no longer sampled; the collector forgets them, so a new source with the pid returns
    SamplerCounters counters;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::ResourceSample)
