// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/historyimport.h"

#include <QHash>
#include <QString>

#include <functional>
#include <map>
#include <optional>
#include <vector>

class QIODevice;

namespace perfdash {

// A line of the input that was not imported, and why ("line 17: count is not a number").
struct BadLine {
    qint64 line = 0;
    QString reason;
};

// What a reader (ExportCsvReader, OpenMetricsReader) made of its input: the series at one step, the bad lines, and
// the covered seconds of each bucket (for the collector's heartbeat, docs/storage.md "Import"). Plain value type.
struct ImportInput {
    std::vector<ImportSeries> series;
    std::vector<BadLine> bad;
    QString fatal; // the input as a whole cannot be imported (no header, rows a day apart, ...)
    std::map<qint64, qint64> covered; // bucket start at `step` -> seconds the source saw
    qint64 step = 0;
    qint64 lines = 0;
};

// What a reader needs besides the bytes: the step (when given; else inferred), the kinds the database already knows
// per series key, and a progress callback (lines read, bytes read) called every few thousand lines.
struct ImportReadOptions {
    std::optional<qint64> step;
    QHash<QString, MetricKind> knownKinds;
    QHash<QString, QString> renames; // OpenMetrics family name -> perfdash series name
    std::function<void(qint64 lines, qint64 bytes)> progress;
};

// The input's own heartbeat: perfdash.ingest.live_series with one sample per covered second of every bucket that holds
// data, valued the number of series with a row there, so rates over imported buckets are per covered second
// (models/coverage.h) also where a collector's heartbeat exists elsewhere in the span. Empty when the input brings the
// heartbeat itself.
std::optional<ImportSeries> heartbeatOf(const ImportInput &input);

} // namespace perfdash
