// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace perfdash {

class QuantileSketch;

// One stored bucket of one series (a second, a minute or an hour). Plain value type.
struct StoredPoint {
    static constexpr int kQuantiles = 5; // p50, p90, p95, p99, p999
    static constexpr std::array<double, kQuantiles> kQuantileLevels { 0.50, 0.90, 0.95, 0.99, 0.999 };
    static constexpr double nan() { return std::numeric_limits<double>::quiet_NaN(); }

    qint64 time = 0; // unix seconds, start of the bucket
    qint64 count = 0;
    double sum = 0;
    double min = nan();
    double max = nan();
    double last = nan(); // gauges
    qint64 unique = 0; // sets
    std::array<double, kQuantiles> q { nan(), nan(), nan(), nan(), nan() };
};

// The columnar encoding of one chunk: the rows of one series in one tier over one chunk span (docs/storage.md).
// Pure functions, any thread. Times are stored in units of `step` seconds relative to `chunkStart`.
// - times: delta-of-delta, zigzag varint;  count, unique: delta, zigzag varint;
// - sum, min, max, last: decimals (v = m / 10^k, k <= 6) as zigzag varint deltas of m when every value of the column
//   round-trips that way, else byte-aligned XOR with the previous value (Gorilla, by bytes). min, max and last
//   round-trip bit for bit; a sum may come back as the decimal it is within 1e-14 relative of (a float-accumulated
//   sum of decimals is a few ulps off that decimal);
// - quantiles: the quantile sketch's bucket index (delta, zigzag varint), or "equals min/max", or "none". A sketch of
//   relative accuracy a reports bucket i as 2 g^i / (g + 1) clamped into [min, max], so this is lossless with respect
//   to what the sketch reports, and within a of anything else;
// - the body is deflated (qCompress) when that makes it smaller.
namespace ChunkCodec {
constexpr quint8 kFormatVersion = 1;

// `deflate` = false skips the deflate pass: the writer rewrites the open chunk every flush and deflates it once, when
// it closes.
QByteArray encode(
    const std::vector<StoredPoint> &rows, qint64 chunkStart, qint64 step, double relativeAccuracy, bool deflate = true);
std::optional<std::vector<StoredPoint>> decode(QByteArrayView blob, qint64 chunkStart, qint64 step);
// The relative accuracy a blob's quantiles were stored with (to encode its rows again the same way).
std::optional<double> relativeAccuracy(QByteArrayView blob);

// The value a quantile is stored as, as decode() returns it (for comparisons in tests and rollups).
double quantize(double value, double min, double max, double relativeAccuracy);

// encode() one row at a time: keeps every column's bytes and extends them as rows arrive, so the writer's open 1 s
// chunk costs one row's encoding per second instead of the whole chunk's. blob() is byte for byte what encode() gives
// for the same rows (tst_chunkcodec checks every prefix). A column whose mode changes (the first value after NaNs,
// more decimals, a value that is not a decimal) is encoded again from its kept values, once. Plain value type.
class Encoder {
public:
    Encoder();
    Encoder(qint64 chunkStart, qint64 step, double relativeAccuracy);
    // The encoder that encode() of a blob's rows at `relativeAccuracy` leaves behind, read from the blob's bytes
    // without decoding its values (decoding quantiles costs an exp and encoding them a log each): a chunk kept as a
    // blob takes more rows for about the cost of a copy. A blob of another accuracy is decoded and encoded again at
    // this one (rare: the producer changed it). nullopt for whatever decode() refuses. A column that took a decimal
    // within its tolerance continues from the decimal.
    static std::optional<Encoder> resume(QByteArrayView blob, qint64 chunkStart, qint64 step, double relativeAccuracy);

    // Rows must come in time order, each after the previous one.
    void append(const StoredPoint &row);
    qsizetype rows() const { return m_rows; }
    qint64 chunkStart() const { return m_chunkStart; }
    QByteArray blob(bool deflate) const;

private:
    // A column is encoded again, as encode() would, when its mode changes (first value after NaNs, more decimals,
    // not a decimal any more), from the values appended so far. Those are read back from the bytes: every value
    // kept beside them cost 8 bytes a row and column (about 2 KB a series at the end of a 1 s chunk, 200 MB at
    // 100,000 series). Only a column where a value differs from what its bytes give back (a sum that took the
    // decimal within its tolerance) keeps the values as appended.
    struct FloatColumn {
        double tolerance = 0.0;
        quint8 mode = 0; // as in the blob: every value NaN, decimal, XOR
        int decimals = 0;
        qint64 prevMantissa = 0;
        quint64 prevBits = 0;
        qsizetype count = 0;
        std::vector<double> exact; // empty, or every value as appended
        std::string bytes; // the column after its mode byte (and decimals byte)
        void append(double v);
        void rebuild(double v); // encoded again with v appended
        std::vector<double> values() const; // every value so far, as appended
    };

    qint64 m_chunkStart;
    qint64 m_step;
    double m_alpha;
    std::shared_ptr<const QuantileSketch> m_sketch; // bucket indices of quantiles; shared by copies
    qsizetype m_rows = 0;
    qint64 m_prevTime = 0;
    qint64 m_prevDelta = 0;
    qint64 m_prevCount = 0;
    qint64 m_prevUnique = 0;
    std::string m_times;
    std::string m_counts;
    std::string m_uniques;
    std::array<FloatColumn, 4> m_floats; // sum, min, max, last
    std::array<std::string, StoredPoint::kQuantiles> m_quantiles;
    std::array<qint64, StoredPoint::kQuantiles> m_prevKeys {};
};
} // namespace ChunkCodec

} // namespace perfdash
