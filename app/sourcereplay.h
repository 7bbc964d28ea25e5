// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/reportsource.h"
#include "storage/alertdatareader.h"

namespace perfdash::SourceReplay {

// Alert rules replayed over any ReportSource (a Prometheus-compatible server: the rule editor's preview on a fleet
// source): AlertDataReader::replayWith, with the series, coverage, prediction quality and baselines the rules need
// (AlertDataReader::prepare) read through the source, so a rule previews on a server as it does on stored history.
// The source's thread.
bool replay(ReportSource &source, const QVector<AlertRule> &rules, qint64 from, qint64 to, qint64 interval,
    bool keepSamples, AlertDataReader::ReplayResult *out, QString *error);

} // namespace perfdash::SourceReplay
