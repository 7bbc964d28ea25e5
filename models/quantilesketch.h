// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

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
//   the relative accuracy. The index is exactly the one std::log gives; a faster logarithm decides all but a few
//   values in a million and defers to std::log for those.
// - |v| < kMinIndexableValue counts as zero (absolute error < 1e-9). Negative values go to their own store, so StatsD
//   `h` and `d` distributions may be negative. Timers (`ms`) are never negative: the parser rejects them before here.
// - quantile(q) estimates the exact quantile, defined as the value at 0-based rank floor(q * (n - 1)) of the n values
//   sorted ascending (the "lower" quantile: no interpolation). The estimate is within relative error a of it, and is
//   clamped into [min, max]; ranks 0 and n - 1 return min and max exactly. NaN if empty or q is not in [0, 1].
// - Each store keeps at most maxBuckets buckets. Past that, the buckets of the smallest magnitudes collapse into the
//   lowest kept one, and collapsed() says so: quantiles that fall among the collapsed values are then too high, the
//   others keep their guarantee. With a = 1% and 2048 buckets a store spans a ratio of 6e17 before that happens.
// - count, min and max are exact. sum is accumulated with compensated (TwoSum) arithmetic and reads as one double,
//   the correctly rounded exact sum unless values of mixed sign nearly cancel.
// - merge() is exact for buckets, counts, min and max, so merging in any order gives the same sketch and the same bytes.
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
    explicit QuantileSketch(double relativeAccuracy = kDefaultRelativeAccuracy, int maxBuckets = kDefaultMaxBuckets);

    // Adds one value. Returns false, and counts nothing, for NaN and infinities.
    inline bool add(double value);

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

    QByteArray serialize() const;
    static std::optional<QuantileSketch> deserialize(QByteArrayView data);

private:
    // Dense counts for a contiguous range of bucket indices, grown on demand and bounded by maxBuckets.
    // Invariant: when m_counts holds maxBuckets buckets, its last bucket is the highest non-empty one.
    class Store {
    public:
        explicit Store(int maxBuckets) : m_maxBuckets(maxBuckets) { }

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
        quint64 total() const;
        quint64 collapsedCount() const { return m_collapsed; }
        // First and last non-empty index; only valid when !isEmpty().
        int lowestIndex() const;
        int highestIndex() const;
        quint64 countAt(int index) const
        {
            const auto slot = std::uint32_t(index - m_offset);
            return slot < m_counts.size() ? m_counts[slot] : 0;
        }

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
    static inline double fastLn(double v);
    static constexpr double kFastLnError = 2.96e-8;

    int exactIndexOf(double magnitude) const;
    static inline int ceilToInt(double x)
    {
        const auto t = int(x); // truncates towards zero: already the ceiling for negative x
        return t + (double(t) < x);
    }

    double m_alpha;
    double m_gamma;
    double m_multiplier; // 1 / ln(gamma)
    double m_band; // bound on |fastLn(v) - std::log(v)| * m_multiplier, with margin
    int m_maxBuckets;
    int m_minIndex; // indexOf(kMinIndexableValue)
    int m_maxIndex; // indexOf(DBL_MAX)

    quint64 m_count = 0;
    quint64 m_zeroCount = 0;
    double m_sum = 0.0;
    double m_sumError = 0.0; // TwoSum compensation: m_sum + m_sumError is the running sum
    double m_min = std::numeric_limits<double>::infinity();
    double m_max = -std::numeric_limits<double>::infinity();
    Store m_negative;
    Store m_positive;
};

// Defined here so the insert path inlines into the caller's loop.

double QuantileSketch::fastLn(double v)
{
    // Reduce v = 2^k * z with z in [sqrt(2)/2, sqrt(2)) (musl's trick), then ln z = 2 atanh(s), s = (z-1)/(z+1),
    // |s| <= 0.1716. Truncating the series after s^7 leaves at most 2 |s|^9 / 9 / (1 - s^2) = 2.95e-8; rounding adds
    // ~1e-13 for the largest k. See kFastLnError.
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const std::uint64_t shifted = bits - 0x3fe6a09e667f3bcdULL;
    const auto k = int(std::int64_t(shifted) >> 52);
    const std::uint64_t zbits = bits - (shifted & (0xfffULL << 52));
    double z;
    std::memcpy(&z, &zbits, sizeof z);
    const double s = (z - 1.0) / (z + 1.0);
    const double s2 = s * s;
    const double lnz = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0))));
    return double(k) * 0.6931471805599453 + lnz;
}

int QuantileSketch::indexOf(double magnitude) const
{
    const double y = fastLn(magnitude) * m_multiplier;
    const int lo = ceilToInt(y - m_band);
    if (Q_LIKELY(lo == ceilToInt(y + m_band)))
        return lo;
    return exactIndexOf(magnitude); // y is too close to a bucket boundary for the fast logarithm to decide
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
    m_min = value < m_min ? value : m_min;
    m_max = value > m_max ? value : m_max;
    return true;
}

} // namespace perfdash
