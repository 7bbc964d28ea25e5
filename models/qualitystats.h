// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/qualitymetrics.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <limits>

namespace perfdash {

// The quality metrics of one model (one key) over one span of time, as plain numbers plus, when asked for, the
// mergeable QualityMetrics blob they come from. Frames carry one per model and second; storage keeps the blobs and
// merges them into any window, so a window's accuracy or AUC is computed from merged counts, never averaged.
// Every metric is NaN when it is undefined for the records seen (see QualityMetrics).
struct QualityStats {
    QString key; // canonical "prediction.quality|model:NAME,tags…" (see serieskey.h)
    quint64 binary = 0; // binary records (a score and a 0/1 truth)
    quint64 classes = 0; // multi-class records (a label and a truth label)
    quint64 regression = 0; // regression records (a value and a numeric truth)
    double accuracy = std::numeric_limits<double>::quiet_NaN();
    double precision = std::numeric_limits<double>::quiet_NaN();
    double recall = std::numeric_limits<double>::quiet_NaN();
    double f1 = std::numeric_limits<double>::quiet_NaN();
    double macroF1 = std::numeric_limits<double>::quiet_NaN();
    double aucRoc = std::numeric_limits<double>::quiet_NaN();
    double aucErrorBound = std::numeric_limits<double>::quiet_NaN();
    double rmse = std::numeric_limits<double>::quiet_NaN();
    double mae = std::numeric_limits<double>::quiet_NaN();
    double mape = std::numeric_limits<double>::quiet_NaN();
    quint64 zeroTruths = 0; // regression records MAPE skipped
    QByteArray blob; // QualityMetrics::serialize(); empty on live.sock

    quint64 records() const { return binary + classes + regression; }

    static QualityStats from(const QString &key, const QualityMetrics &metrics, bool withBlob);
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::QualityStats)
