// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/promreader.h"

namespace perfdash {

// Blocking calls of a PromReader for the command line: each runs the request in a local QEventLoop until its answer
// or `timeoutMs`. The calling thread's, which must be the reader's and must not be inside another blocking wait on it.
namespace PromSync {

inline constexpr int kDefaultTimeoutMs = 60000;

bool series(PromReader &reader, qint64 fromSecond, qint64 toSecond, QVector<PromSeriesInfo> *out, QString *error,
    int timeoutMs = kDefaultTimeoutMs);
bool buckets(PromReader &reader, const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step,
    QVector<RangeSeries> *out, QString *error, int timeoutMs = kDefaultTimeoutMs);

} // namespace PromSync
} // namespace perfdash
