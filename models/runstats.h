// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/sourcecatalog.h"
#include "models/workrecords.h"

#include <QStringList>
#include <QVector>

namespace perfdash {

// Workflow runs over time, per bucket and step: the figures of the Runs view, computed from stored RunRecords.
// Quantiles are exact over the bucket's runs (runs are few: a handful a second at most), with QuantileSketch's
// definition: the value at 0-based rank floor(q * (n - 1)) of the n values sorted ascending. Pure; any thread.
struct RunBucket {
    qint64 start = 0; // Unix seconds, a multiple of RunStats::bucketSeconds
    int runs = 0; // runs that started in the bucket
    int failed = 0;
    double durationP50 = 0; // run duration (execution_s), s; 0 when runs == 0
    double durationP95 = 0;
    QVector<double> stepP50; // elapsed s, one per RunStats::steps; 0 where no run of the bucket has the step
    QVector<double> stepP95;
};

struct RunStats {
    qint64 bucketSeconds = 60;
    QStringList steps; // in the order the runs take them (their start within the run)
    QVector<RunBucket> buckets; // every bucket of [from, to), empty ones included, oldest first

    // Buckets of runs started in [fromSecond, toSecond), aligned to bucketSeconds (UTC).
    static RunStats compute(const QVector<RunRecord> &runs, qint64 fromSecond, qint64 toSecond, qint64 bucketSeconds);
    // A round bucket length (10 s … 1 d) giving at most maxBuckets buckets over the span.
    static qint64 bucketSecondsFor(qint64 spanSeconds, int maxBuckets = 30);
    // Exact quantile of values (rank floor(q * (n - 1))); 0 for none.
    static double quantile(QVector<double> values, double q);
};

// One step of one run, for the run's breakdown.
struct RunStepShare {
    QString name;
    double offsetS = 0; // from the run's start
    double elapsedS = 0;
    double share = 0; // elapsedS / the run's duration, 0 … 1 (0 when the run has no duration)
    bool success = true;
};

// The sources a run belongs to, named by its tags as its run.* series are (sourcesOf): model:, service:, pid:, else
// Other "run" (a run stored without tags, before schema 8).
QVector<SourceRef> sourcesOfRun(const RunRecord &run);

// The steps of a run in the order they started.
QVector<RunStepShare> runBreakdown(const RunRecord &run);

} // namespace perfdash
