// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/qualitymetrics.h"

#include "models/blobreader.h"

#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>

// Serialized format, version 1. varint = unsigned LEB128, canonical (no redundant trailing zero byte), at most 10
// bytes; f64 = IEEE 754 double, little-endian; sum = varint t, then t x f64: the canonical expansion of an exact sum
// (ExactSum::canonical), largest first, each term finite and nonzero.
//   u8     version (1)
//   varint score bins
//   f64    threshold
//   varint tp, fp, tn, fn
//   varint m non-empty bins; m x (bin: first as varint, later ones as varint (gap - 1); positives; negatives)
//   varint k classes; k x (varint UTF-8 length, the label's bytes, varint tp, varint predicted, varint actual),
//          labels in strictly increasing QString order
//   varint regression records, varint zero truths
//   sum    |e|, sum e^2, sum |e| / |truth|
//   varint rejected
// Nothing may follow. Totals must agree: bin positives = tp + fn, bin negatives = fp + tn, and per class
// tp <= predicted, tp <= actual, with sum(predicted) = sum(actual) = the class records.

namespace perfdash {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

void putDouble(QByteArray &out, double v)
{
    quint64 bits;
    std::memcpy(&bits, &v, sizeof bits);
    char bytes[8];
    qToLittleEndian(bits, bytes);
    out.append(bytes, 8);
}

void putSum(QByteArray &out, const ExactSum &sum)
{
    const std::vector<double> terms = sum.canonical();
    putVarint(out, terms.size());
    for (double t : terms)
        putDouble(out, t);
}

// The blob reader plus the one field only quality metrics have: an exact sum as its canonical expansion.
class Reader : public BlobReader {
public:
    using BlobReader::BlobReader;

    std::optional<ExactSum> sum()
    {
        const quint64 n = varint();
        if (!ok() || n > quint64(remaining() / 8))
            return std::nullopt;
        std::vector<double> terms;
        for (quint64 i = 0; i < n; ++i) {
            const double t = f64();
            if (!ok() || !std::isfinite(t) || t == 0.0)
                return std::nullopt;
            terms.push_back(t);
        }
        ExactSum s;
        for (double t : terms)
            s.add(t);
        if (s.isSpecial() || s.canonical() != terms)
            return std::nullopt; // only the canonical expansion is valid, so bytes stay one-to-one with values
        return s;
    }
};

bool addChecked(quint64 &total, quint64 v)
{
    if (total + v < total)
        return false;
    total += v;
    return true;
}

double ratio(quint64 num, quint64 den)
{
    return den ? double(num) / double(den) : kNaN;
}

double f1Of(double precision, double recall)
{
    if (std::isnan(precision) || std::isnan(recall))
        return kNaN;
    return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
}

} // namespace

QualityMetrics::QualityMetrics(int scoreBins, double threshold)
    : m_scoreBins(std::clamp(scoreBins, 1, kMaxScoreBins))
    , m_threshold(std::isnan(threshold) ? kDefaultThreshold : std::clamp(threshold, 0.0, 1.0))
{
    Q_ASSERT(scoreBins >= 1 && scoreBins <= kMaxScoreBins);
    Q_ASSERT(threshold >= 0.0 && threshold <= 1.0);
}

bool QualityMetrics::addBinary(double score, bool truth)
{
    if (!(score >= 0.0 && score <= 1.0)) {
        ++m_rejected;
        return false;
    }
    const bool positive = score >= m_threshold;
    if (truth)
        ++(positive ? m_confusion.truePositives : m_confusion.falseNegatives);
    else
        ++(positive ? m_confusion.falsePositives : m_confusion.trueNegatives);
    const int bin = std::min(m_scoreBins - 1, int(score * m_scoreBins));
    Bin &b = m_bins[bin];
    ++(truth ? b.positives : b.negatives);
    return true;
}

bool QualityMetrics::addClass(const QString &predicted, const QString &truth)
{
    const size_t added
        = size_t(m_classes.count(predicted) == 0) + size_t(truth != predicted && m_classes.count(truth) == 0);
    if (m_classes.size() + added > size_t(kMaxClasses)) {
        ++m_rejected;
        return false;
    }
    ++m_classes[predicted].predicted;
    ++m_classes[truth].actual;
    if (predicted == truth)
        ++m_classes[truth].truePositives;
    ++m_classRecords;
    return true;
}

bool QualityMetrics::addRegression(double predicted, double truth)
{
    if (!(std::fabs(predicted) <= kMaxMagnitude && std::fabs(truth) <= kMaxMagnitude)) {
        ++m_rejected;
        return false;
    }
    const double error = std::fabs(predicted - truth);
    double percent = 0.0;
    if (truth != 0.0) {
        percent = error / std::fabs(truth);
        if (!(percent <= kMaxMagnitude * kMaxMagnitude)) {
            ++m_rejected; // a truth so close to zero that the percentage error leaves the double range
            return false;
        }
    }
    ++m_regressionCount;
    m_absError.add(error);
    m_squaredError.add(error * error);
    if (truth == 0.0)
        ++m_zeroTruths;
    else
        m_absPercentError.add(percent);
    return true;
}

bool QualityMetrics::merge(const QualityMetrics &other)
{
    if (&other == this) {
        const QualityMetrics copy = other;
        return merge(copy);
    }
    if (other.m_scoreBins != m_scoreBins || other.m_threshold != m_threshold)
        return false;
    m_confusion.truePositives += other.m_confusion.truePositives;
    m_confusion.falsePositives += other.m_confusion.falsePositives;
    m_confusion.trueNegatives += other.m_confusion.trueNegatives;
    m_confusion.falseNegatives += other.m_confusion.falseNegatives;
    for (const auto &[bin, counts] : other.m_bins) {
        Bin &b = m_bins[bin];
        b.positives += counts.positives;
        b.negatives += counts.negatives;
    }
    // Merging never refuses classes past kMaxClasses: dropping some would make the result depend on the order.
    for (const auto &[label, counts] : other.m_classes) {
        ClassCounts &c = m_classes[label];
        c.truePositives += counts.truePositives;
        c.predicted += counts.predicted;
        c.actual += counts.actual;
    }
    m_classRecords += other.m_classRecords;
    m_regressionCount += other.m_regressionCount;
    m_zeroTruths += other.m_zeroTruths;
    m_absError.merge(other.m_absError);
    m_squaredError.merge(other.m_squaredError);
    m_absPercentError.merge(other.m_absPercentError);
    m_rejected += other.m_rejected;
    return true;
}

double QualityMetrics::accuracy() const
{
    quint64 correct = m_confusion.truePositives + m_confusion.trueNegatives;
    for (const auto &[label, c] : m_classes)
        correct += c.truePositives;
    return ratio(correct, m_confusion.total() + m_classRecords);
}

double QualityMetrics::precision() const
{
    return ratio(m_confusion.truePositives, m_confusion.truePositives + m_confusion.falsePositives);
}

double QualityMetrics::recall() const
{
    return ratio(m_confusion.truePositives, m_confusion.truePositives + m_confusion.falseNegatives);
}

double QualityMetrics::f1() const
{
    return f1Of(precision(), recall());
}

std::vector<QualityMetrics::ClassCounts> QualityMetrics::perClass() const
{
    std::vector<ClassCounts> classes;
    if (!m_classes.empty()) {
        for (const auto &[label, c] : m_classes)
            classes.push_back(c);
    } else if (m_confusion.total() > 0) {
        const Confusion &c = m_confusion;
        classes.push_back({ c.truePositives, c.truePositives + c.falsePositives, c.truePositives + c.falseNegatives });
        classes.push_back({ c.trueNegatives, c.trueNegatives + c.falseNegatives, c.trueNegatives + c.falsePositives });
    }
    return classes;
}

double QualityMetrics::macroPrecision() const
{
    const auto classes = perClass();
    if (classes.empty())
        return kNaN;
    double total = 0;
    for (const auto &c : classes)
        total += c.predicted ? double(c.truePositives) / double(c.predicted) : 0.0;
    return total / double(classes.size());
}

double QualityMetrics::macroRecall() const
{
    const auto classes = perClass();
    if (classes.empty())
        return kNaN;
    double total = 0;
    for (const auto &c : classes)
        total += c.actual ? double(c.truePositives) / double(c.actual) : 0.0;
    return total / double(classes.size());
}

double QualityMetrics::macroF1() const
{
    const auto classes = perClass();
    if (classes.empty())
        return kNaN;
    double total = 0;
    for (const auto &c : classes) {
        const double p = c.predicted ? double(c.truePositives) / double(c.predicted) : 0.0;
        const double r = c.actual ? double(c.truePositives) / double(c.actual) : 0.0;
        total += f1Of(p, r);
    }
    return total / double(classes.size());
}

double QualityMetrics::aucRoc() const
{
    // P(score of a positive > score of a negative), a shared bin counting 1/2: the Mann-Whitney U over bins.
    double negativesBelow = 0;
    double wins = 0;
    double positives = 0;
    for (const auto &[bin, b] : m_bins) {
        wins += double(b.positives) * (negativesBelow + 0.5 * double(b.negatives));
        negativesBelow += double(b.negatives);
        positives += double(b.positives);
    }
    const double pairs = positives * negativesBelow;
    return pairs > 0 ? wins / pairs : kNaN;
}

double QualityMetrics::aucErrorBound() const
{
    double positives = 0;
    double negatives = 0;
    double tied = 0;
    for (const auto &[bin, b] : m_bins) {
        positives += double(b.positives);
        negatives += double(b.negatives);
        tied += double(b.positives) * double(b.negatives);
    }
    const double pairs = positives * negatives;
    return pairs > 0 ? 0.5 * tied / pairs : kNaN;
}

double QualityMetrics::rmse() const
{
    return m_regressionCount ? std::sqrt(m_squaredError.value() / double(m_regressionCount)) : kNaN;
}

double QualityMetrics::mae() const
{
    return m_regressionCount ? m_absError.value() / double(m_regressionCount) : kNaN;
}

double QualityMetrics::mape() const
{
    const quint64 n = m_regressionCount - m_zeroTruths;
    return n ? m_absPercentError.value() / double(n) : kNaN;
}

QByteArray QualityMetrics::serialize() const
{
    QByteArray out;
    out.reserve(64 + qsizetype(m_bins.size()) * 6 + qsizetype(m_classes.size()) * 16);
    out.append(char(kFormatVersion));
    putVarint(out, quint64(m_scoreBins));
    putDouble(out, m_threshold);
    putVarint(out, m_confusion.truePositives);
    putVarint(out, m_confusion.falsePositives);
    putVarint(out, m_confusion.trueNegatives);
    putVarint(out, m_confusion.falseNegatives);
    // Bins whose counts merged to zero cannot exist: counts only grow.
    putVarint(out, m_bins.size());
    int previous = -1;
    for (const auto &[bin, b] : m_bins) {
        putVarint(out, quint64(previous < 0 ? bin : bin - previous - 1));
        putVarint(out, b.positives);
        putVarint(out, b.negatives);
        previous = bin;
    }
    putVarint(out, m_classes.size());
    for (const auto &[label, c] : m_classes) {
        const QByteArray utf8 = label.toUtf8();
        putVarint(out, quint64(utf8.size()));
        out.append(utf8);
        putVarint(out, c.truePositives);
        putVarint(out, c.predicted);
        putVarint(out, c.actual);
    }
    putVarint(out, m_regressionCount);
    putVarint(out, m_zeroTruths);
    putSum(out, m_absError);
    putSum(out, m_squaredError);
    putSum(out, m_absPercentError);
    putVarint(out, m_rejected);
    return out;
}

std::optional<QualityMetrics> QualityMetrics::deserialize(QByteArrayView data)
{
    Reader in(data);
    if (in.byte() != kFormatVersion || !in.ok())
        return std::nullopt;
    const quint64 bins = in.varint();
    const double threshold = in.f64();
    if (!in.ok() || bins < 1 || bins > quint64(kMaxScoreBins) || !(threshold >= 0.0 && threshold <= 1.0)
        || std::signbit(threshold))
        return std::nullopt;
    QualityMetrics m(int(bins), threshold);
    Confusion &c = m.m_confusion;
    c.truePositives = in.varint();
    c.falsePositives = in.varint();
    c.trueNegatives = in.varint();
    c.falseNegatives = in.varint();
    quint64 confusionPositives = 0;
    quint64 confusionNegatives = 0;
    if (!in.ok() || !addChecked(confusionPositives, c.truePositives)
        || !addChecked(confusionPositives, c.falseNegatives) || !addChecked(confusionNegatives, c.falsePositives)
        || !addChecked(confusionNegatives, c.trueNegatives)
        || confusionPositives + confusionNegatives < confusionPositives)
        return std::nullopt;

    const quint64 binCount = in.varint();
    // Each bin takes at least three bytes, which bounds the loop by the blob's size as well.
    if (!in.ok() || binCount > bins || binCount > quint64(in.remaining() / 3))
        return std::nullopt;
    quint64 positives = 0;
    quint64 negatives = 0;
    qint64 index = -1;
    for (quint64 i = 0; i < binCount; ++i) {
        const quint64 raw = in.varint();
        Bin b;
        b.positives = in.varint();
        b.negatives = in.varint();
        if (!in.ok() || raw >= bins || (b.positives == 0 && b.negatives == 0))
            return std::nullopt;
        index = index < 0 ? qint64(raw) : index + qint64(raw) + 1;
        if (index >= qint64(bins) || !addChecked(positives, b.positives) || !addChecked(negatives, b.negatives))
            return std::nullopt;
        m.m_bins.emplace(int(index), b);
    }
    if (positives != confusionPositives || negatives != confusionNegatives)
        return std::nullopt;

    const quint64 classCount = in.varint();
    if (!in.ok() || classCount > quint64(in.remaining() / 4))
        return std::nullopt;
    quint64 predictedTotal = 0;
    quint64 actualTotal = 0;
    for (quint64 i = 0; i < classCount; ++i) {
        const quint64 length = in.varint();
        const QByteArrayView utf8 = in.bytes(length);
        ClassCounts cc;
        cc.truePositives = in.varint();
        cc.predicted = in.varint();
        cc.actual = in.varint();
        if (!in.ok() || cc.truePositives > cc.predicted || cc.truePositives > cc.actual
            || (cc.predicted == 0 && cc.actual == 0) || !addChecked(predictedTotal, cc.predicted)
            || !addChecked(actualTotal, cc.actual))
            return std::nullopt;
        const QString label = QString::fromUtf8(utf8);
        if (label.toUtf8() != utf8)
            return std::nullopt; // invalid UTF-8 would not round-trip
        if (!m.m_classes.empty() && !(m.m_classes.rbegin()->first < label))
            return std::nullopt; // sorted and distinct, as serialize() writes them
        m.m_classes.emplace_hint(m.m_classes.end(), label, cc);
    }
    if (predictedTotal != actualTotal)
        return std::nullopt;
    m.m_classRecords = predictedTotal;

    m.m_regressionCount = in.varint();
    m.m_zeroTruths = in.varint();
    if (!in.ok() || m.m_zeroTruths > m.m_regressionCount)
        return std::nullopt;
    auto absError = in.sum();
    auto squaredError = in.sum();
    auto absPercentError = in.sum();
    if (!absError || !squaredError || !absPercentError)
        return std::nullopt;
    // Sums of non-negative terms: nothing recorded means zero, and none of them can be negative.
    for (const ExactSum *s : { &*absError, &*squaredError, &*absPercentError }) {
        if (s->value() < 0.0)
            return std::nullopt;
    }
    if (m.m_regressionCount == 0 && (absError->value() != 0 || squaredError->value() != 0))
        return std::nullopt;
    if (m.m_regressionCount == m.m_zeroTruths && absPercentError->value() != 0)
        return std::nullopt;
    m.m_absError = std::move(*absError);
    m.m_squaredError = std::move(*squaredError);
    m.m_absPercentError = std::move(*absPercentError);
    m.m_rejected = in.varint();
    if (!in.ok() || !in.atEnd())
        return std::nullopt;
    return m;
}

} // namespace perfdash
