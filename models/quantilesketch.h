// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace perfdash {

// A mergeable quantile sketch with a relative error guarantee (DDSketch, Masson et al., VLDB 2019).
//
// Contract:
// - A plain value type that owns its buckets. It is not thread-safe: one thread adds to it at a time; copy or move it
//   (or serialize it) to hand it to another thread.
// - A magnitude v >= kMinIndexableValue falls into bucket i = ceil(log_gamma(v)), gamma = (1 + a) / (1 - a), where a is
//   the relative accuracy. The index is exactly the one std::log gives: a table-driven logarithm with a proven error
//   bound decides it, and defers to std::log for the rare value (~1e-8) too close to a bucket boundary to call.
// - |v| < kMinIndexableValue counts as zero (absolute error < 1e-9). Negative values go to their own store, so StatsD
//   `h` and `d` distributions may be negative. Timers (`ms`) are never negative: the parser rejects them before here.
// - quantile(q) estimates the exact quantile, defined as the value at 0-based rank floor(q * (n - 1)) of the n values
//   sorted ascending (the "lower" quantile: no interpolation). The estimate is within relative error a of it, and is
//   clamped into [min, max]; ranks 0 and n - 1 return min and max exactly. NaN if empty or q is not in [0, 1].
// - Each store keeps at most maxBuckets buckets. Past that, the buckets of the smallest magnitudes collapse into the
//   lowest kept one, and collapsed() says so: quantiles that fall among the collapsed values overstate their magnitude,
//   the others keep their guarantee. With a = 1% and 2048 buckets a store spans a ratio of 6e17 before that happens.
// - count, min and max are exact. sum is accumulated with compensated (TwoSum) arithmetic and reads as one double,
//   the correctly rounded exact sum unless values of mixed sign nearly cancel.
// - merge() is exact for buckets, counts (collapsed ones included), min and max, so merging in any order gives the same
//   sketch, and the same bytes as long as the sum rounds the same (it does, short of the cancellation above).
// - serialize() writes a compact versioned blob (format in quantilesketch.cpp); deserialize() validates all of it.
class QuantileSketch {
public:
    static constexpr double kDefaultRelativeAccuracy = 0.01;
    static constexpr double kMinRelativeAccuracy = 1e-4;
    static constexpr double kMaxRelativeAccuracy = 0.5;
    static constexpr int kDefaultMaxBuckets = 2048;
    static constexpr int kMinMaxBuckets = 8;
    static constexpr int kMaxMaxBuckets = 65536;
    static constexpr double kMinIndexableValue = 1e-9;
    static constexpr quint8 kFormatVersion = 1;

    // Arguments outside [kMin..., kMax...] are a programming error: asserted, then clamped into range.
    static double clampedAccuracy(double relativeAccuracy)
    {
        return std::isnan(relativeAccuracy) ? kDefaultRelativeAccuracy
                                            : std::clamp(relativeAccuracy, kMinRelativeAccuracy, kMaxRelativeAccuracy);
    }
    explicit QuantileSketch(double relativeAccuracy = kDefaultRelativeAccuracy, int maxBuckets = kDefaultMaxBuckets);

    // Adds one value. Returns false, and counts nothing, for NaN and infinities.
    inline bool add(double value);
    // Adds `n` copies of one value, as n calls of add(value) would (the sum to within its rounding). For weighted
    // stand-ins of values that are not at hand (storage's approximation of a second from its stored quantiles).
    bool add(double value, quint64 n);

    // Adds every value of other. Returns false, and changes nothing, when the accuracy or the bucket bound differ,
    // because the result would then depend on the merge order.
    bool merge(const QuantileSketch &other);

    double quantile(double q) const;

    // The smallest n for which quantile(q) means something: n >= 1 / (1 - q), so that at least one value is expected
    // above the quantile. p50 needs 2, p90 10, p95 20, p99 100, p999 1000; q = 0 and q = 1 (min and max) need 1.
    static quint64 minCountFor(double q);
    bool isMeaningful(double q) const { return m_count > 0 && m_count >= minCountFor(q); }

    quint64 count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    double sum() const;
    double min() const { return m_count ? m_min : std::numeric_limits<double>::quiet_NaN(); }
    double max() const { return m_count ? m_max : std::numeric_limits<double>::quiet_NaN(); }
    quint64 zeroCount() const { return m_zeroCount; }
    double relativeAccuracy() const { return m_alpha; }
    int maxBuckets() const { return m_maxBuckets; }
    bool collapsed() const { return collapsedCount() > 0; }
    quint64 collapsedCount() const { return m_negative.collapsedCount() + m_positive.collapsedCount(); }

    // Bucket index of a magnitude in [kMinIndexableValue, DBL_MAX]: ceil(log(magnitude) / log(gamma)).
    inline int indexOf(double magnitude) const;
    // The value reported for bucket i: 2 gamma^i / (gamma + 1), within relative error a of the whole bucket.
    double bucketValue(int index) const;
    // gamma = (1 + a) / (1 - a): bucket i holds the magnitudes in (gamma^(i-1), gamma^i].
    double gamma() const { return m_gamma; }
    // Calls visit(index, negative, count) for every non-empty bucket, each store's lowest index first. Values counted
    // as zero are zeroCount(), in no bucket. Collapsed values are in their store's lowest kept bucket.
    template <typename Visit>
    void forEachBucket(Visit &&visit) const
    {
        for (const auto *store : { &m_negative, &m_positive }) {
            for (std::size_t i = 0; i < store->m_counts.size(); ++i) {
                if (store->m_counts[i] != 0)
                    visit(store->m_offset + int(i), store == &m_negative, store->m_counts[i]);
            }
        }
    }

    QByteArray serialize() const;
    static std::optional<QuantileSketch> deserialize(QByteArrayView data);

private:
    // Dense counts for a contiguous range of bucket indices, grown on demand and bounded by maxBuckets.
    // Invariant: when m_counts holds maxBuckets buckets, its last bucket is the highest non-empty one.
    class Store {
    public:
        explicit Store(int maxBuckets)
            : m_maxBuckets(maxBuckets)
        { }

        void add(int index)
        {
            const auto slot = std::uint32_t(index - m_offset); // wraps to huge when index < m_offset
            if (Q_LIKELY(slot < m_counts.size()))
                ++m_counts[slot];
            else
                addSlow(index, 1);
        }
        void merge(const Store &other);

        bool isEmpty() const;
        quint64 collapsedCount() const { return m_collapsed; }
        // First and last non-empty index; only valid when !isEmpty().
        int lowestIndex() const;
        int highestIndex() const;

    private:
        friend class QuantileSketch;
        void addSlow(int index, quint64 n);
        // Makes room for indices [lo, hi] next to the current ones, collapsing the lowest buckets if the span exceeds
        // maxBuckets. Returns the lowest index that may hold counts now; anything below it belongs in that bucket.
        int makeRoom(int lo, int hi);

        int m_maxBuckets;
        int m_offset = 0;
        std::vector<quint64> m_counts;
        quint64 m_collapsed = 0;
    };

    // ln(v) for a positive normal double, within kFastLnError of the exact value.
    struct LnTable {
        static constexpr int kBits = 7;
        double inverse[1 << kBits]; // 1 / c_j, c_j = the middle of mantissa interval j
        double ln[1 << kBits]; // ln(c_j)
    };
    static const LnTable &lnTable();
    inline double fastLn(double v) const;
    static constexpr double kFastLnError = 1e-10;

    static constexpr double kIndexShift = 4194304.0; // 2^22
    int exactIndexOf(double magnitude) const;
    static inline int ceilToInt(double x)
    {
        const auto t = int(x); // truncates towards zero: already the ceiling for negative x
        return t + (double(t) < x);
    }

    const LnTable *m_lnTable;
    double m_alpha;
    double m_gamma;
    double m_multiplier; // 1 / ln(gamma)
    double m_band; // bound on the error of the shifted fast index, with margin
    int m_maxBuckets;
    int m_minIndex; // indexOf(kMinIndexableValue)
    int m_maxIndex; // indexOf(DBL_MAX)

    quint64 m_count = 0;
    quint64 m_zeroCount = 0;
    double m_sum = 0.0;
    double m_min = std::numeric_limits<double>::infinity();
    double m_max = -std::numeric_limits<double>::infinity();
    // TwoSum compensation: m_sum + m_sumError is the running sum. Not next to m_sum: GCC would pack both into one
    // vector add, and each insert's m_sum would then wait for the previous one's whole error computation.
    double m_sumError = 0.0;
    Store m_negative;
    Store m_positive;
};

// Defined here so the insert path inlines into the caller's loop.

double QuantileSketch::fastLn(double v) const
{
    // v = 2^e * m, m in [1, 2). With c the middle of m's 1/128-wide interval, ln m = ln c + ln(1 + r), r = m / c - 1,
    // |r| <= 1/256: three terms of the series leave at most r^4 / 4 = 5.8e-11, and rounding adds ~1e-13. No division.
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const auto e = int(bits >> 52) - 1023;
    const auto j = int(bits >> (52 - LnTable::kBits)) & ((1 << LnTable::kBits) - 1);
    const std::uint64_t mbits = (bits & ((std::uint64_t(1) << 52) - 1)) | (std::uint64_t(1023) << 52);
    double m;
    std::memcpy(&m, &mbits, sizeof m);
    const double r = m * m_lnTable->inverse[j] - 1.0;
    const double lnr = r * (1.0 - r * (0.5 - r * (1.0 / 3.0)));
    return double(e) * 0.6931471805599453 + (m_lnTable->ln[j] + lnr);
}

int QuantileSketch::indexOf(double magnitude) const
{
    // Shifted positive (|y| < 3.6e6 < 2^22), truncation is the floor, and the fraction is exact. When the fraction is
    // further than m_band from an integer, the exact y has the same ceiling: floor + 1.
    const double shifted = fastLn(magnitude) * m_multiplier + kIndexShift;
    const auto floor = int(shifted);
    const double fraction = shifted - double(floor);
    if (Q_LIKELY(std::fabs(fraction - 0.5) < 0.5 - m_band))
        return floor + 1 - int(kIndexShift);
    return exactIndexOf(magnitude); // too close to a bucket boundary for the fast logarithm to decide
}

bool QuantileSketch::add(double value)
{
    const double magnitude = std::fabs(value);
    if (Q_UNLIKELY(!(magnitude <= std::numeric_limits<double>::max())))
        return false;
    if (magnitude >= kMinIndexableValue) {
        (value > 0.0 ? m_positive : m_negative).add(indexOf(magnitude));
    } else {
        ++m_zeroCount;
        if (value == 0.0)
            value = 0.0; // -0.0 would make min/max bytes depend on the insertion order
    }
    ++m_count;
    // TwoSum: the rounding error of m_sum + value, kept so merge order does not change the sum.
    const double s = m_sum + value;
    const double bv = s - m_sum;
    m_sumError += (m_sum - (s - bv)) + (value - bv);
    m_sum = s;
    // Branches, not min/max: rarely taken, so min and max do not chain one insert to the next through memory.
    if (Q_UNLIKELY(value < m_min))
        m_min = value;
    if (Q_UNLIKELY(value > m_max))
        m_max = value;
    return true;
}

} // namespace perfdash
