// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/exactsum.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <map>
#include <optional>
#include <vector>

namespace perfdash {

// ML quality metrics from `prediction` records, kept as mergeable counts and exact sums, so a window's metrics come
// from merging its seconds, minutes or hours, never from averaging per-bucket metrics.
//
// Contract:
// - A plain value type, not thread-safe. One accumulator per series and window bucket; usually one task per series,
//   but the three record types keep separate state and may be mixed.
// - Binary records: a score in [0, 1] (the positive class's probability) and the true label. Predicted positive when
//   score >= threshold (0.5 by default). Feeds the binary confusion counts and scoreBins equal-width score bins.
// - Multi-class records: predicted and true labels; per class, true positives, predictions and truths.
// - Regression records: predicted and true values; exact sums (ExactSum) of |e|, e^2 and |e| / |truth|. MAPE skips
//   a zero truth and counts it in zeroTruths(). Magnitudes above 1e100 are refused, so the sums cannot overflow.
// - A refused record (NaN, score outside [0, 1], too large, more than kMaxClasses labels) counts in rejected() only.
// - Metrics are NaN when undefined (no records, or a zero denominator in the binary metrics).
// - merge() is exact: integer counts and exact sums, so any merge order gives the same bytes from serialize(). It
//   refuses, changing nothing, when the bins or the threshold differ.
// - AUC-ROC comes from the bins: a positive and a negative in the same bin count as a tie (1/2), so the result is
//   within aucErrorBound() = (pairs sharing a bin) / (2 * pairs) of the exact AUC. With 1000 bins that is ~5e-4 for
//   scores spread over [0, 1]; scores crowded into one bin widen it, and the bound says so.
class QualityMetrics {
public:
    static constexpr int kDefaultScoreBins = 1000;
    static constexpr int kMaxScoreBins = 1 << 20;
    static constexpr double kDefaultThreshold = 0.5;
    static constexpr int kMaxClasses = 1000;
    static constexpr double kMaxMagnitude = 1e100;
    static constexpr quint8 kFormatVersion = 1;

    struct Confusion {
        quint64 truePositives = 0;
        quint64 falsePositives = 0;
        quint64 trueNegatives = 0;
        quint64 falseNegatives = 0;
        quint64 total() const { return truePositives + falsePositives + trueNegatives + falseNegatives; }
    };
    struct ClassCounts {
        quint64 truePositives = 0; // predicted this class and it was
        quint64 predicted = 0;
        quint64 actual = 0;
    };

    // scoreBins outside [1, kMaxScoreBins] or a threshold outside [0, 1] are a programming error: asserted, then
    // clamped (NaN threshold: the default).
    explicit QualityMetrics(int scoreBins = kDefaultScoreBins, double threshold = kDefaultThreshold);

    bool addBinary(double score, bool truth);
    bool addClass(const QString &predicted, const QString &truth);
    bool addRegression(double predicted, double truth);

    bool merge(const QualityMetrics &other);

    int scoreBins() const { return m_scoreBins; }
    double threshold() const { return m_threshold; }
    const Confusion &confusion() const { return m_confusion; }
    const std::map<QString, ClassCounts> &classes() const { return m_classes; }
    quint64 classRecords() const { return m_classRecords; }
    quint64 regressionRecords() const { return m_regressionCount; }
    quint64 zeroTruths() const { return m_zeroTruths; }
    quint64 rejected() const { return m_rejected; }

    // Binary and multi-class records together: correct / total.
    double accuracy() const;
    // Binary, for the positive class.
    double precision() const;
    double recall() const;
    double f1() const;
    // Unweighted means over the classes seen as a prediction or a truth; a class with no predictions has precision
    // 0, one with no truths recall 0 (scikit-learn's zero_division=0). Macro F1 is the mean of per-class F1. With no
    // multi-class records, the binary records' two classes are used.
    double macroPrecision() const;
    double macroRecall() const;
    double macroF1() const;
    double aucRoc() const;
    double aucErrorBound() const;
    double rmse() const;
    double mae() const;
    double mape() const; // a fraction: 0.05 is 5%

    // Compact, versioned (format in qualitymetrics.cpp); deserialize() validates everything and returns nullopt on
    // corrupt input.
    QByteArray serialize() const;
    static std::optional<QualityMetrics> deserialize(QByteArrayView data);

private:
    struct Bin {
        quint64 positives = 0;
        quint64 negatives = 0;
    };
    std::vector<ClassCounts> perClass() const;

    int m_scoreBins;
    double m_threshold;
    Confusion m_confusion;
    std::map<int, Bin> m_bins; // sparse: a second's records touch few bins
    std::map<QString, ClassCounts> m_classes;
    quint64 m_classRecords = 0;
    quint64 m_regressionCount = 0;
    quint64 m_zeroTruths = 0;
    ExactSum m_absError;
    ExactSum m_squaredError;
    ExactSum m_absPercentError;
    quint64 m_rejected = 0;
};

} // namespace perfdash
