// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/quantilesketch.h"

#include "models/blobreader.h"

#include <QtEndian>

#include <algorithm>
#include <array>
#include <string>

// Serialized format, version 1. varint = unsigned LEB128, at most 10 bytes, no redundant trailing zero byte;
// zigzag maps signed to unsigned (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...); f64 = IEEE 754 double, little-endian.
//   u8     version (1)
//   f64    relative accuracy
//   varint max buckets per store
//   varint count
//   f64    sum, min, max (count 0: 0, +inf, -inf)
//   varint zero count
//   store  negative, then store positive, each:
//     varint collapsed count
//     varint number of non-empty buckets m
//     m x (index, count): the first index as zigzag varint, each later one as varint (gap - 1) from the previous,
//                         then the count as varint (>= 1)
// Nothing may follow. Sparse (index, count) pairs keep a one-second sketch of ~1000 values at a few hundred bytes.

namespace perfdash {

namespace {

char *putVarint(char *out, quint64 v)
{
    while (v >= 0x80) {
        *out++ = char(v | 0x80);
        v >>= 7;
    }
    *out++ = char(v);
    return out;
}

char *putDouble(char *out, double v)
{
    quint64 bits;
    std::memcpy(&bits, &v, sizeof bits);
    qToLittleEndian(bits, out);
    return out + 8;
}

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

qint64 unzigzag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

using Reader = BlobReader;

bool isNegativeZero(double v)
{
    return v == 0.0 && std::signbit(v);
}

} // namespace

// --- Store -----------------------------------------------------------------------------------------------------------

bool QuantileSketch::Store::isEmpty() const
{
    return std::all_of(m_counts.begin(), m_counts.end(), [](quint64 c) { return c == 0; });
}

int QuantileSketch::Store::lowestIndex() const
{
    const auto it = std::find_if(m_counts.begin(), m_counts.end(), [](quint64 c) { return c != 0; });
    return m_offset + int(it - m_counts.begin());
}

int QuantileSketch::Store::highestIndex() const
{
    const auto it = std::find_if(m_counts.rbegin(), m_counts.rend(), [](quint64 c) { return c != 0; });
    return m_offset + int(m_counts.rend() - it) - 1;
}

namespace {
// Headroom on each side of a store's first allocation. A live second of a timer often holds one value or a few: at
// 100,000 series with three open seconds each, 32 slots a side (520 bytes a store) were most of the collector's memory.
constexpr int kMinPad = 4;
} // namespace

int QuantileSketch::Store::makeRoom(int lo, int hi)
{
    // Inside the allocation already (a second merging into its minute, mostly): nothing moves, nothing to scan.
    if (lo >= m_offset && hi < m_offset + int(m_counts.size()))
        return m_offset;
    const bool empty = isEmpty();
    const int oldLow = empty ? lo : lowestIndex();
    const int oldHigh = empty ? hi : highestIndex();
    const int high = std::max(hi, oldHigh);
    const int low = std::max(std::min(lo, oldLow), high - m_maxBuckets + 1);

    // Leave headroom on both sides so a growing range reallocates O(log) times, but never hold more than maxBuckets:
    // at the bound the store is top-aligned, so addSlow() can collapse into the first slot without a scan.
    const int span = high - low + 1;
    const int pad = std::max(kMinPad, span / 2);
    const int size = int(std::min<qint64>(m_maxBuckets, qint64(span) + 2 * pad));
    const int offset = size == m_maxBuckets ? high - m_maxBuckets + 1 : low - pad;
    if (offset == m_offset && size == int(m_counts.size()))
        return low;

    std::vector<quint64> counts(size_t(size), 0);
    if (!empty) {
        quint64 collapsed = 0;
        for (int i = oldLow; i <= oldHigh; ++i) {
            const quint64 c = m_counts[size_t(i - m_offset)];
            if (i < low)
                collapsed += c;
            counts[size_t(std::max(i, low) - offset)] += c;
        }
        // Values collapsed earlier sit in the old lowest bucket, so when anything moves they are all in `collapsed`.
        if (collapsed)
            m_collapsed = collapsed;
    }
    m_counts = std::move(counts);
    m_offset = offset;
    return low;
}

void QuantileSketch::Store::addSlow(int index, quint64 n)
{
    // Full and top-aligned: an index below the window collapses into its lowest bucket, O(1).
    if (int(m_counts.size()) == m_maxBuckets && index < m_offset) {
        m_counts.front() += n;
        m_collapsed += n;
        return;
    }
    const int low = makeRoom(index, index);
    if (index < low)
        m_collapsed += n;
    m_counts[size_t(std::max(index, low) - m_offset)] += n;
}

void QuantileSketch::Store::merge(const Store &other)
{
    if (other.isEmpty())
        return;
    const int otherLow = other.lowestIndex();
    const int otherHigh = other.highestIndex();
    const int low = makeRoom(otherLow, otherHigh);
    quint64 collapsed = 0;
    for (int i = otherLow; i <= otherHigh; ++i) {
        const quint64 c = other.m_counts[size_t(i - other.m_offset)];
        if (i < low)
            collapsed += c;
        m_counts[size_t(std::max(i, low) - m_offset)] += c;
    }
    // other's own collapsed values are in its lowest bucket: counted above if that moved, added here if it did not.
    m_collapsed += collapsed + (otherLow >= low ? other.m_collapsed : 0);
}

// --- QuantileSketch --------------------------------------------------------------------------------------------------

const QuantileSketch::LnTable &QuantileSketch::lnTable()
{
    // A function-local static, so a sketch built during another file's static initialization still finds it filled.
    static const LnTable table = [] {
        LnTable t {};
        constexpr int n = 1 << LnTable::kBits;
        for (int j = 0; j < n; ++j) {
            const double c = 1.0 + (j + 0.5) / n;
            t.inverse[j] = 1.0 / c;
            t.ln[j] = std::log(c);
        }
        return t;
    }();
    return table;
}

QuantileSketch::QuantileSketch(double relativeAccuracy, int maxBuckets)
    : m_lnTable(&lnTable())
    , m_alpha(clampedAccuracy(relativeAccuracy))
    , m_maxBuckets(std::clamp(maxBuckets, kMinMaxBuckets, kMaxMaxBuckets))
    , m_negative(m_maxBuckets)
    , m_positive(m_maxBuckets)
{
    Q_ASSERT(relativeAccuracy >= kMinRelativeAccuracy && relativeAccuracy <= kMaxRelativeAccuracy);
    Q_ASSERT(maxBuckets >= kMinMaxBuckets && maxBuckets <= kMaxMaxBuckets);
    m_gamma = (1.0 + m_alpha) / (1.0 - m_alpha);
    m_multiplier = 1.0 / std::log(m_gamma);
    // kFastLnError (which covers std::log's own rounding) scaled, plus the rounding of adding kIndexShift (2^-30).
    m_band = m_multiplier * kFastLnError * 1.1 + 2e-9;
    m_minIndex = exactIndexOf(kMinIndexableValue);
    m_maxIndex = exactIndexOf(std::numeric_limits<double>::max());
}

int QuantileSketch::exactIndexOf(double magnitude) const
{
    return ceilToInt(std::log(magnitude) * m_multiplier);
}

double QuantileSketch::bucketValue(int index) const
{
    // gamma^i overflows for the top buckets, so scale by 2 / (gamma + 1) in the exponent.
    return std::exp(double(index) / m_multiplier + std::log(2.0 / (m_gamma + 1.0)));
}

double QuantileSketch::sum() const
{
    // An overflowed sum leaves NaN in the compensation; the plain sum is then the honest answer.
    return std::isfinite(m_sum) ? m_sum + m_sumError : m_sum;
}

bool QuantileSketch::add(double value, quint64 n)
{
    const double magnitude = std::fabs(value);
    if (!(magnitude <= std::numeric_limits<double>::max()))
        return false;
    if (n == 0)
        return true;
    if (magnitude >= kMinIndexableValue) {
        (value > 0.0 ? m_positive : m_negative).addSlow(indexOf(magnitude), n);
    } else {
        m_zeroCount += n;
        if (value == 0.0)
            value = 0.0;
    }
    m_count += n;
    const double add = value * double(n);
    const double s = m_sum + add;
    const double bv = s - m_sum;
    m_sumError += (m_sum - (s - bv)) + (add - bv);
    m_sum = s;
    m_min = std::min(m_min, value);
    m_max = std::max(m_max, value);
    return true;
}

bool QuantileSketch::merge(const QuantileSketch &other)
{
    if (other.m_alpha != m_alpha || other.m_maxBuckets != m_maxBuckets)
        return false;
    if (&other == this) {
        const QuantileSketch copy = other;
        return merge(copy);
    }
    if (other.m_count == 0)
        return true;
    m_negative.merge(other.m_negative);
    m_positive.merge(other.m_positive);
    m_count += other.m_count;
    m_zeroCount += other.m_zeroCount;
    const double s = m_sum + other.m_sum;
    const double bv = s - m_sum;
    m_sumError += (m_sum - (s - bv)) + (other.m_sum - bv) + other.m_sumError;
    m_sum = s;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    return true;
}

double QuantileSketch::quantile(double q) const
{
    if (m_count == 0 || !(q >= 0.0 && q <= 1.0))
        return std::numeric_limits<double>::quiet_NaN();
    // The exact quantile's 0-based rank; the bucket holding that rank holds that value, since buckets are monotonic.
    const auto rank = quint64(q * double(m_count - 1));
    if (rank == 0)
        return m_min; // the extreme ranks are known exactly
    if (rank == m_count - 1)
        return m_max;
    quint64 seen = 0;
    double estimate = 0.0;
    bool found = false;
    // Most negative first: the negative store's highest index.
    for (auto i = m_negative.m_counts.size(); i-- > 0 && !found;) {
        seen += m_negative.m_counts[i];
        if (rank < seen) {
            estimate = -bucketValue(m_negative.m_offset + int(i));
            found = true;
        }
    }
    if (!found) {
        seen += m_zeroCount;
        found = rank < seen; // estimate stays 0
    }
    for (size_t i = 0; i < m_positive.m_counts.size() && !found; ++i) {
        seen += m_positive.m_counts[i];
        if (rank < seen) {
            estimate = bucketValue(m_positive.m_offset + int(i));
            found = true;
        }
    }
    return std::clamp(estimate, m_min, m_max);
}

quint64 QuantileSketch::minCountFor(double q)
{
    if (!(q > 0.0 && q < 1.0))
        return 1;
    // 1 / (1 - 0.99) is 100.00000000000009 in doubles; the slack keeps p99 at 100.
    return std::max<quint64>(1, quint64(std::ceil(1.0 / (1.0 - q) - 1e-6)));
}

QByteArray QuantileSketch::serialize() const
{
    // One walk into a scratch buffer sized for the worst case (10-byte varints), then one exact copy: the storage
    // writer serializes a rollup sketch per series every few seconds, and sizing the blob by a first walk doubled
    // the cost (perf: 15 % of a live flush). The copy keeps blobs that wait in queues at their size.
    std::array<qsizetype, 2> nonEmpty {};
    qsizetype bound = 1 + 4 * 8 + 3 * 10;
    int s = 0;
    for (const Store *store : { &m_negative, &m_positive }) {
        nonEmpty[size_t(s)]
            = std::count_if(store->m_counts.begin(), store->m_counts.end(), [](quint64 c) { return c; });
        bound += 2 * 10 + nonEmpty[size_t(s)] * 20;
        ++s;
    }
    thread_local std::string scratch;
    if (qsizetype(scratch.size()) < bound)
        scratch.resize(size_t(bound));
    char *const begin = scratch.data();
    char *p = begin;
    *p++ = char(kFormatVersion);
    p = putDouble(p, m_alpha);
    p = putVarint(p, quint64(m_maxBuckets));
    p = putVarint(p, m_count);
    p = putDouble(p, m_count ? sum() : 0.0);
    p = putDouble(p, m_min);
    p = putDouble(p, m_max);
    p = putVarint(p, m_zeroCount);
    s = 0;
    for (const Store *store : { &m_negative, &m_positive }) {
        p = putVarint(p, store->m_collapsed);
        p = putVarint(p, quint64(nonEmpty[size_t(s++)]));
        bool first = true;
        int previous = 0;
        for (size_t i = 0; i < store->m_counts.size(); ++i) {
            if (!store->m_counts[i])
                continue;
            const int index = store->m_offset + int(i);
            p = putVarint(p, first ? zigzag(index) : quint64(index - previous - 1));
            p = putVarint(p, store->m_counts[i]);
            first = false;
            previous = index;
        }
    }
    Q_ASSERT(p - begin <= bound);
    return QByteArray(begin, qsizetype(p - begin));
}

std::optional<QuantileSketch> QuantileSketch::deserialize(QByteArrayView data)
{
    Reader in(data);
    if (in.byte() != kFormatVersion || !in.ok())
        return std::nullopt;
    const double alpha = in.f64();
    const quint64 maxBuckets = in.varint();
    if (!in.ok() || !(alpha >= kMinRelativeAccuracy && alpha <= kMaxRelativeAccuracy) || maxBuckets < kMinMaxBuckets
        || maxBuckets > kMaxMaxBuckets)
        return std::nullopt;

    QuantileSketch sketch(alpha, int(maxBuckets));
    sketch.m_count = in.varint();
    const double sum = in.f64();
    sketch.m_min = in.f64();
    sketch.m_max = in.f64();
    sketch.m_zeroCount = in.varint();
    if (!in.ok())
        return std::nullopt;
    sketch.m_sum = sum;

    quint64 total = sketch.m_zeroCount;
    for (Store *store : { &sketch.m_negative, &sketch.m_positive }) {
        const quint64 collapsed = in.varint();
        const quint64 buckets = in.varint();
        // Each bucket takes at least two bytes, which bounds the allocation by the blob's size as well.
        if (!in.ok() || buckets > maxBuckets || buckets > quint64(in.remaining() / 2))
            return std::nullopt;
        std::vector<std::pair<int, quint64>> entries;
        entries.reserve(size_t(buckets));
        qint64 index = 0;
        for (quint64 b = 0; b < buckets; ++b) {
            const quint64 raw = in.varint();
            const quint64 count = in.varint();
            if (!in.ok() || count == 0)
                return std::nullopt;
            if (b == 0) {
                index = unzigzag(raw);
                if (index < sketch.m_minIndex || index > sketch.m_maxIndex)
                    return std::nullopt;
            } else {
                if (raw >= quint64(sketch.m_maxIndex - index))
                    return std::nullopt;
                index += qint64(raw) + 1;
            }
            if (b > 0 && index - entries.front().first + 1 > qint64(maxBuckets))
                return std::nullopt;
            if (total + count < total)
                return std::nullopt;
            total += count;
            entries.emplace_back(int(index), count);
        }
        if (collapsed) {
            // Collapsing leaves exactly maxBuckets buckets, the collapsed values in the lowest one.
            if (entries.empty() || entries.back().first - entries.front().first + 1 != int(maxBuckets)
                || collapsed > entries.front().second)
                return std::nullopt;
        }
        if (!entries.empty()) {
            const int low = entries.front().first;
            const int span = entries.back().first - low + 1;
            store->m_offset = low;
            store->m_counts.assign(size_t(span), 0);
            for (const auto &[i, c] : entries)
                store->m_counts[size_t(i - low)] = c;
        }
        store->m_collapsed = collapsed;
    }
    if (!in.atEnd() || total != sketch.m_count)
        return std::nullopt;

    // min and max must be consistent with what the buckets hold.
    if (sketch.m_count == 0) {
        if (sum != 0.0 || std::signbit(sum) || sketch.m_min != std::numeric_limits<double>::infinity()
            || sketch.m_max != -std::numeric_limits<double>::infinity())
            return std::nullopt;
    } else {
        const double mn = sketch.m_min;
        const double mx = sketch.m_max;
        if (!std::isfinite(mn) || !std::isfinite(mx) || mn > mx || isNegativeZero(mn) || isNegativeZero(mx))
            return std::nullopt;
        if (!sketch.m_negative.isEmpty() && !(mn <= -kMinIndexableValue))
            return std::nullopt;
        if (!sketch.m_positive.isEmpty() && !(mx >= kMinIndexableValue))
            return std::nullopt;
        if (sketch.m_zeroCount && !(mn < kMinIndexableValue && mx > -kMinIndexableValue))
            return std::nullopt;
        if (sketch.m_negative.isEmpty() && mn <= -kMinIndexableValue)
            return std::nullopt;
        if (sketch.m_positive.isEmpty() && mx >= kMinIndexableValue)
            return std::nullopt;
    }
    return sketch;
}

} // namespace perfdash
