// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/chunkcodec.h"

#include "models/quantilesketch.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace perfdash::ChunkCodec {

namespace {

enum Flags : quint8 { Deflated = 1 };
enum FloatMode : quint8 { AllMissing = 0, Decimal = 1, Xor = 2 };
enum QuantileToken : quint64 { NoValue = 0, EqualsMin = 1, EqualsMax = 2, FirstDelta = 3 };
constexpr qint64 kKeyBias = 4096; // keeps bucket keys of positive values > 0 (indices go down to about -1040 at 1%)
constexpr double kPow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
constexpr int kMaxDecimals = 6;
constexpr double kSumTolerance = 1e-14; // relative; about 45 ulps

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}
// a - b as the format stores deltas: modulo 2^64, so any two values have one (decode() adds them back the same way).
qint64 minus(qint64 a, qint64 b)
{
    return qint64(quint64(a) - quint64(b));
}
qint64 unzigzag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

// std::string, not QByteArray: its push_back is inlined, and encode() runs for every open chunk at every flush.
using Buffer = std::string;

void putVarint(Buffer &out, quint64 v)
{
    while (v >= 0x80) {
        out.push_back(char(v | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}

class Reader {
public:
    explicit Reader(QByteArrayView data)
        : m_p(data.data())
        , m_end(data.data() + data.size())
    { }
    bool ok() const { return m_ok; }
    bool atEnd() const { return m_p == m_end; }
    const char *position() const { return m_p; }
    quint8 byte()
    {
        if (m_p >= m_end) {
            m_ok = false;
            return 0;
        }
        return quint8(*m_p++);
    }
    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const quint8 b = byte();
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        m_ok = false;
        return 0;
    }
    qint64 svarint() { return unzigzag(varint()); }

private:
    const char *m_p;
    const char *m_end;
    bool m_ok = true;
};

quint64 bitsOf(double v)
{
    quint64 b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}
double fromBits(quint64 b)
{
    double v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}

// The fewest decimals k' >= k with v == m / 10^k' (within `tolerance` relative, 0 = exactly), or -1.
int decimalsOf(double v, int k, double tolerance)
{
    if (!std::isfinite(v))
        return -1;
    while (k <= kMaxDecimals) {
        const double scaled = v * kPow10[k];
        if (std::fabs(scaled) < 9.0e15) {
            const double m = std::nearbyint(scaled);
            const double back = m / kPow10[k];
            if (back == v || std::fabs(back - v) <= tolerance * std::fabs(v))
                return k;
        }
        ++k;
    }
    return -1;
}

// The fewest decimals k with v == m / 10^k for every value, found in order as decimalsOf() does, or -1.
int decimalsFor(const std::vector<double> &values, double tolerance)
{
    int k = 0;
    for (double v : values) {
        k = decimalsOf(v, k, tolerance);
        if (k < 0)
            return -1;
    }
    return k;
}

void putXor(Buffer &out, quint64 x)
{
    if (x == 0) {
        out.push_back(char(0));
        return;
    }
    const int lead = __builtin_clzll(x) / 8;
    const int trail = __builtin_ctzll(x) / 8;
    const int len = 8 - lead - trail; // 1..8
    out.push_back(char((trail << 4) | len));
    for (int i = 0; i < len; ++i)
        out.push_back(char(x >> (8 * (trail + i))));
}

void encodeFloats(Buffer &out, const std::vector<double> &values, double tolerance)
{
    bool anyPresent = false;
    for (double v : values)
        anyPresent = anyPresent || !std::isnan(v);
    if (!anyPresent) {
        out.push_back(char(AllMissing));
        return;
    }
    const int k = decimalsFor(values, tolerance);
    if (k >= 0) {
        out.push_back(char(Decimal));
        out.push_back(char(k));
        qint64 prev = 0;
        for (double v : values) {
            const auto m = qint64(std::nearbyint(v * kPow10[k]));
            putVarint(out, zigzag(minus(m, prev)));
            prev = m;
        }
        return;
    }
    out.push_back(char(Xor));
    quint64 prev = 0;
    for (double v : values) {
        putXor(out, bitsOf(v) ^ prev);
        prev = bitsOf(v);
    }
}

// What a float column ends with: what Encoder::resume() continues from.
struct FloatEnd {
    quint8 mode = AllMissing;
    int decimals = 0;
    qint64 mantissa = 0; // the last value's, Decimal
    quint64 bits = 0; // the last value's, Xor
    const char *values = nullptr; // where the bytes after the mode (and decimals) byte begin
};

bool decodeFloats(Reader &in, std::vector<double> &values, FloatEnd *end = nullptr)
{
    FloatEnd ignored;
    FloatEnd &e = end ? *end : ignored;
    e = FloatEnd();
    e.mode = in.byte();
    if (e.mode == AllMissing) {
        e.values = in.position();
        std::fill(values.begin(), values.end(), StoredPoint::nan());
        return in.ok();
    }
    if (e.mode == Decimal) {
        const int k = in.byte();
        if (k > kMaxDecimals)
            return false;
        e.decimals = k;
        e.values = in.position();
        qint64 m = 0;
        for (double &v : values) {
            m = qint64(quint64(m) + quint64(in.svarint())); // wraps on damaged input instead of overflowing
            v = double(m) / kPow10[k];
        }
        e.mantissa = m;
        return in.ok();
    }
    if (e.mode != Xor)
        return false;
    e.values = in.position();
    quint64 &prev = e.bits;
    for (double &v : values) {
        const quint8 control = in.byte();
        const int len = control & 0x0f;
        const int trail = control >> 4;
        if (len + trail > 8)
            return false;
        quint64 x = 0;
        for (int i = 0; i < len; ++i)
            x |= quint64(in.byte()) << (8 * (trail + i));
        prev ^= x;
        v = fromBits(prev);
    }
    return in.ok();
}

qint64 bucketKey(const QuantileSketch &sketch, double v)
{
    const double magnitude = std::fabs(v);
    if (magnitude < QuantileSketch::kMinIndexableValue)
        return 0;
    const qint64 key = sketch.indexOf(magnitude) + kKeyBias;
    return v > 0 ? key : -key;
}

double keyValue(const QuantileSketch &sketch, qint64 key)
{
    if (key == 0)
        return 0.0;
    constexpr qint64 kMaxKey = qint64(1) << 24; // far beyond any bucket of a double; only damaged blobs get here
    if (key > kMaxKey || key < -kMaxKey)
        return key > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    const double v = sketch.bucketValue(int((key > 0 ? key : -key) - kKeyBias));
    return key > 0 ? v : -v;
}

double clampInto(double v, double min, double max)
{
    if (std::isfinite(min) && v < min)
        return min;
    if (std::isfinite(max) && v > max)
        return max;
    return v;
}

double accuracyOf(double relativeAccuracy)
{
    if (!(relativeAccuracy >= QuantileSketch::kMinRelativeAccuracy
            && relativeAccuracy <= QuantileSketch::kMaxRelativeAccuracy))
        return QuantileSketch::kDefaultRelativeAccuracy;
    return relativeAccuracy;
}

void putQuantile(Buffer &out, const QuantileSketch &sketch, const StoredPoint &r, int qi, qint64 &prevKey)
{
    const double v = r.q[size_t(qi)];
    if (std::isnan(v) || !std::isfinite(v)) {
        putVarint(out, NoValue);
    } else if (v == r.min) {
        putVarint(out, EqualsMin);
    } else if (v == r.max) {
        putVarint(out, EqualsMax);
    } else {
        const qint64 key = bucketKey(sketch, v);
        putVarint(out, FirstDelta + zigzag(minus(key, prevKey)));
        prevKey = key;
    }
}

// qCompress's format (a 4-byte big-endian length, then a zlib stream at level 6), from one deflate state per thread
// that is reset rather than set up again: qCompress allocates and clears about 270 KB of zlib state per call, and the
// writer closes a chunk per series a minute (perf: 20 % of a live flush was deflateInit, deflateEnd and the page
// faults and madvise of that memory).
class Deflater {
public:
    Deflater() { m_ok = deflateInit(&m_z, 6) == Z_OK; }
    ~Deflater()
    {
        if (m_ok)
            deflateEnd(&m_z);
    }
    Deflater(const Deflater &) = delete;
    Deflater &operator=(const Deflater &) = delete;

    // Appends the deflated body to `out`; false (and `out` unchanged) when it does not pay or zlib fails.
    bool appendIfSmaller(const Buffer &body, QByteArray &out)
    {
        if (!m_ok || deflateReset(&m_z) != Z_OK)
            return false;
        const auto inSize = uLong(body.size());
        const qsizetype mark = out.size();
        out.resize(mark + 4 + qsizetype(deflateBound(&m_z, inSize)));
        auto *head = reinterpret_cast<uchar *>(out.data() + mark);
        head[0] = uchar(inSize >> 24);
        head[1] = uchar(inSize >> 16);
        head[2] = uchar(inSize >> 8);
        head[3] = uchar(inSize);
        m_z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(body.data()));
        m_z.avail_in = uInt(inSize);
        m_z.next_out = head + 4;
        m_z.avail_out = uInt(out.size() - mark - 4);
        const bool done = deflate(&m_z, Z_FINISH) == Z_STREAM_END;
        const auto written = 4 + qsizetype(m_z.total_out);
        if (!done || size_t(written) >= body.size()) {
            out.resize(mark);
            return false;
        }
        out.resize(mark + written);
        return true;
    }

private:
    z_stream m_z {};
    bool m_ok = false;
};

QByteArray finish(const Buffer &body, bool deflate)
{
    QByteArray out;
    out.reserve(qsizetype(body.size()) + 2);
    out.append(char(kFormatVersion));
    if (deflate && body.size() > 64) {
        // The 4-byte length counts against it: keep the deflated body only when it pays.
        thread_local Deflater deflater;
        out.append(char(Deflated));
        if (deflater.appendIfSmaller(body, out))
            return out;
        out.chop(1);
    }
    out.append(char(0));
    out.append(body.data(), qsizetype(body.size()));
    return out;
}

} // namespace

double quantize(double value, double min, double max, double relativeAccuracy)
{
    if (std::isnan(value) || value == min || value == max || !std::isfinite(value))
        return value;
    const QuantileSketch sketch(accuracyOf(relativeAccuracy));
    return clampInto(keyValue(sketch, bucketKey(sketch, value)), min, max);
}

QByteArray encode(
    const std::vector<StoredPoint> &rows, qint64 chunkStart, qint64 step, double relativeAccuracy, bool deflate)
{
    const double alpha = accuracyOf(relativeAccuracy);
    const QuantileSketch sketch(alpha);
    Buffer body;
    body.reserve(rows.size() * 24 + 32);
    putVarint(body, rows.size());
    putVarint(body, quint64(std::llround(alpha * 1e6)));
    // Times: delta of delta in steps.
    qint64 prevTime = 0;
    qint64 prevDelta = 0;
    for (const auto &r : rows) {
        const qint64 t = (r.time - chunkStart) / step;
        const qint64 delta = minus(t, prevTime);
        putVarint(body, zigzag(minus(delta, prevDelta)));
        prevDelta = delta;
        prevTime = t;
    }
    qint64 prev = 0;
    for (const auto &r : rows) {
        putVarint(body, zigzag(minus(r.count, prev)));
        prev = r.count;
    }
    prev = 0;
    for (const auto &r : rows) {
        putVarint(body, zigzag(minus(r.unique, prev)));
        prev = r.unique;
    }
    std::vector<double> column(rows.size());
    for (auto member : { &StoredPoint::sum, &StoredPoint::min, &StoredPoint::max, &StoredPoint::last }) {
        for (size_t i = 0; i < rows.size(); ++i)
            column[i] = rows[i].*member;
        // A sum of decimals accumulated in binary is a few ulps off the decimal it stands for; min, max and last
        // are samples and stay exact.
        encodeFloats(body, column, member == &StoredPoint::sum ? kSumTolerance : 0.0);
    }
    for (int qi = 0; qi < StoredPoint::kQuantiles; ++qi) {
        qint64 prevKey = 0;
        for (const auto &r : rows)
            putQuantile(body, sketch, r, qi, prevKey);
    }
    return finish(body, deflate);
}

namespace {

// qUncompress of a deflated body, unless its 4-byte length says more than deflate can give from that many bytes
// (about 1032 to 1): qUncompress allocates whatever the length says, so a damaged blob of a few bytes asked for
// gigabytes (found by fuzz_blobs).
QByteArray inflateBody(QByteArrayView body)
{
    if (body.size() < 4)
        return {};
    const quint64 declared = (quint64(quint8(body[0])) << 24) | (quint64(quint8(body[1])) << 16)
        | (quint64(quint8(body[2])) << 8) | quint64(quint8(body[3]));
    if (declared > 1032 * quint64(body.size()) + 64)
        return {};
    return qUncompress(reinterpret_cast<const uchar *>(body.data()), body.size());
}

} // namespace

std::optional<double> relativeAccuracy(QByteArrayView blob)
{
    if (blob.size() < 2 || quint8(blob[0]) != kFormatVersion)
        return std::nullopt;
    QByteArray inflated;
    QByteArrayView body = blob.sliced(2);
    if (quint8(blob[1]) & Deflated) {
        inflated = inflateBody(body);
        body = inflated;
    }
    Reader in(body);
    in.varint();
    const double alpha = double(in.varint()) / 1e6;
    if (!in.ok() || !(alpha >= QuantileSketch::kMinRelativeAccuracy && alpha <= QuantileSketch::kMaxRelativeAccuracy))
        return std::nullopt;
    return alpha;
}

namespace {

// Sums wrap (unsigned) rather than overflow on damaged input; times must then come out in order and in range.
qint64 add(qint64 a, qint64 b)
{
    return qint64(quint64(a) + quint64(b));
}
constexpr qint64 kMaxOffset = qint64(1) << 32; // in steps: far beyond any chunk span

// A blob's body, inflated into `storage` when deflated, read past its row count `n` and accuracy `alpha`; nullopt
// when those are not what encode() writes.
std::optional<Reader> openBody(QByteArrayView blob, QByteArray &storage, quint64 &n, double &alpha)
{
    if (blob.size() < 2 || quint8(blob[0]) != kFormatVersion)
        return std::nullopt;
    QByteArrayView body = blob.sliced(2);
    if (quint8(blob[1]) & Deflated) {
        storage = inflateBody(body);
        if (storage.isEmpty())
            return std::nullopt;
        body = storage;
    }
    Reader in(body);
    n = in.varint();
    if (!in.ok() || n > quint64(body.size()))
        return std::nullopt; // every row takes at least one byte per column
    alpha = double(in.varint()) / 1e6;
    if (!(alpha >= QuantileSketch::kMinRelativeAccuracy && alpha <= QuantileSketch::kMaxRelativeAccuracy))
        return std::nullopt;
    return in;
}

} // namespace

std::optional<std::vector<StoredPoint>> decode(QByteArrayView blob, qint64 chunkStart, qint64 step)
{
    QByteArray inflated;
    quint64 n = 0;
    double alpha = 0;
    auto opened = openBody(blob, inflated, n, alpha);
    if (!opened)
        return std::nullopt;
    Reader &in = *opened;
    const QuantileSketch sketch(alpha);
    std::vector<StoredPoint> rows(n);
    qint64 t = 0;
    qint64 delta = 0;
    qint64 previous = -1;
    for (auto &r : rows) {
        delta = add(delta, in.svarint());
        t = add(t, delta);
        if (t <= previous || t > kMaxOffset)
            return std::nullopt;
        previous = t;
        r.time = chunkStart + t * step;
    }
    qint64 acc = 0;
    for (auto &r : rows) {
        acc = add(acc, in.svarint());
        r.count = acc;
    }
    acc = 0;
    for (auto &r : rows) {
        acc = add(acc, in.svarint());
        r.unique = acc;
    }
    std::vector<double> column(n);
    for (auto member : { &StoredPoint::sum, &StoredPoint::min, &StoredPoint::max, &StoredPoint::last }) {
        if (!decodeFloats(in, column))
            return std::nullopt;
        for (size_t i = 0; i < n; ++i)
            rows[i].*member = column[i];
    }
    for (int qi = 0; qi < StoredPoint::kQuantiles; ++qi) {
        qint64 key = 0;
        for (auto &r : rows) {
            const quint64 token = in.varint();
            double &v = r.q[size_t(qi)];
            if (token == NoValue) {
                v = StoredPoint::nan();
            } else if (token == EqualsMin) {
                v = r.min;
            } else if (token == EqualsMax) {
                v = r.max;
            } else {
                key = add(key, unzigzag(token - FirstDelta));
                v = clampInto(keyValue(sketch, key), r.min, r.max);
            }
        }
    }
    if (!in.ok() || !in.atEnd())
        return std::nullopt;
    return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoder: the columns of encode(), each kept as bytes and extended row by row.

void Encoder::FloatColumn::append(double v)
{
    switch (mode) {
    case AllMissing:
        if (!std::isnan(v)) {
            rebuild(v);
            return;
        }
        break;
    case Decimal: {
        const int k = decimalsOf(v, decimals, tolerance);
        if (k != decimals) { // more decimals, or none fit: every value is written again, as encode() would
            rebuild(v);
            return;
        }
        const auto m = qint64(std::nearbyint(v * kPow10[k]));
        if (exact.empty() && bitsOf(double(m) / kPow10[k]) != bitsOf(v))
            exact = values(); // from here on the bytes do not give every value back
        putVarint(bytes, zigzag(minus(m, prevMantissa)));
        prevMantissa = m;
        break;
    }
    default:
        putXor(bytes, bitsOf(v) ^ prevBits);
        prevBits = bitsOf(v);
        break;
    }
    ++count;
    if (!exact.empty())
        exact.push_back(v);
}

std::vector<double> Encoder::FloatColumn::values() const
{
    if (!exact.empty())
        return exact;
    std::vector<double> out(size_t(count), StoredPoint::nan());
    if (mode == AllMissing)
        return out;
    std::string column;
    column.reserve(bytes.size() + 2);
    column.push_back(char(mode));
    if (mode == Decimal)
        column.push_back(char(decimals));
    column += bytes;
    Reader in(QByteArrayView(column.data(), qsizetype(column.size())));
    decodeFloats(in, out);
    return out;
}

void Encoder::FloatColumn::rebuild(double v)
{
    std::vector<double> all = values();
    all.push_back(v);
    count = qsizetype(all.size());
    bytes.clear();
    prevMantissa = 0;
    prevBits = 0;
    exact.clear();
    // Only a decimal column needs the values kept: an XOR column is never encoded again, and gives them back.
    decimals = decimalsFor(all, tolerance);
    mode = decimals >= 0 ? Decimal : Xor;
    bool lossless = true;
    for (double x : all) {
        if (mode == Decimal) {
            const auto m = qint64(std::nearbyint(x * kPow10[decimals]));
            putVarint(bytes, zigzag(minus(m, prevMantissa)));
            prevMantissa = m;
            lossless = lossless && bitsOf(double(m) / kPow10[decimals]) == bitsOf(x);
        } else {
            putXor(bytes, bitsOf(x) ^ prevBits);
            prevBits = bitsOf(x);
        }
    }
    if (!lossless)
        exact = std::move(all);
    else
        exact.shrink_to_fit();
}

Encoder::Encoder()
    : Encoder(0, 1, QuantileSketch::kDefaultRelativeAccuracy)
{ }

Encoder::Encoder(qint64 chunkStart, qint64 step, double relativeAccuracy)
    : m_chunkStart(chunkStart)
    , m_step(step)
    , m_alpha(accuracyOf(relativeAccuracy))
{
    m_floats[0].tolerance = kSumTolerance; // see encode(): sums, not min, max and last, accept the decimal
}

void Encoder::append(const StoredPoint &r)
{
    if (!m_sketch) {
        // Shared by the encoders of a thread while they use the same accuracy (one each was 200 bytes a series).
        thread_local std::shared_ptr<const QuantileSketch> shared;
        if (!shared || shared->relativeAccuracy() != m_alpha)
            shared = std::make_shared<const QuantileSketch>(m_alpha);
        m_sketch = shared;
    }
    const qint64 t = (r.time - m_chunkStart) / m_step;
    const qint64 delta = minus(t, m_prevTime);
    putVarint(m_times, zigzag(minus(delta, m_prevDelta)));
    m_prevDelta = delta;
    m_prevTime = t;
    putVarint(m_counts, zigzag(minus(r.count, m_prevCount)));
    m_prevCount = r.count;
    putVarint(m_uniques, zigzag(minus(r.unique, m_prevUnique)));
    m_prevUnique = r.unique;
    m_floats[0].append(r.sum);
    m_floats[1].append(r.min);
    m_floats[2].append(r.max);
    m_floats[3].append(r.last);
    for (int qi = 0; qi < StoredPoint::kQuantiles; ++qi)
        putQuantile(m_quantiles[size_t(qi)], *m_sketch, r, qi, m_prevKeys[size_t(qi)]);
    ++m_rows;
}

QByteArray Encoder::blob(bool deflate) const
{
    Buffer body;
    size_t size = 24 + m_times.size() + m_counts.size() + m_uniques.size();
    for (const auto &f : m_floats)
        size += f.bytes.size();
    for (const auto &q : m_quantiles)
        size += q.size();
    body.reserve(size);
    putVarint(body, quint64(m_rows));
    putVarint(body, quint64(std::llround(m_alpha * 1e6)));
    body += m_times;
    body += m_counts;
    body += m_uniques;
    for (const auto &f : m_floats) {
        body.push_back(char(f.mode));
        if (f.mode == AllMissing)
            continue;
        if (f.mode == Decimal)
            body.push_back(char(f.decimals));
        body += f.bytes;
    }
    for (const auto &q : m_quantiles)
        body += q;
    return finish(body, deflate);
}

std::optional<Encoder> Encoder::resume(QByteArrayView blob, qint64 chunkStart, qint64 step, double relativeAccuracy)
{
    QByteArray inflated;
    quint64 n = 0;
    double alpha = 0;
    auto opened = openBody(blob, inflated, n, alpha);
    if (!opened)
        return std::nullopt;
    Encoder e(chunkStart, step, relativeAccuracy);
    if (std::llround(alpha * 1e6) != std::llround(e.m_alpha * 1e6)) {
        const auto rows = decode(blob, chunkStart, step);
        if (!rows)
            return std::nullopt;
        for (const StoredPoint &row : *rows)
            e.append(row);
        return e;
    }
    Reader &in = *opened;
    const auto bytesFrom = [&in](const char *from) { return std::string(from, in.position()); };
    const char *from = in.position();
    qint64 previous = -1;
    for (quint64 i = 0; i < n; ++i) {
        e.m_prevDelta = add(e.m_prevDelta, in.svarint());
        e.m_prevTime = add(e.m_prevTime, e.m_prevDelta);
        if (e.m_prevTime <= previous || e.m_prevTime > kMaxOffset)
            return std::nullopt;
        previous = e.m_prevTime;
    }
    e.m_times = bytesFrom(from);
    for (auto [bytes, last] : { std::pair(&e.m_counts, &e.m_prevCount), std::pair(&e.m_uniques, &e.m_prevUnique) }) {
        from = in.position();
        for (quint64 i = 0; i < n; ++i)
            *last = add(*last, in.svarint());
        *bytes = bytesFrom(from);
    }
    std::vector<double> values(n);
    for (FloatColumn &f : e.m_floats) {
        FloatEnd end;
        if (!decodeFloats(in, values, &end))
            return std::nullopt;
        f.mode = end.mode;
        f.decimals = end.decimals;
        f.prevMantissa = end.mantissa;
        f.prevBits = end.bits;
        f.count = qsizetype(n);
        f.bytes = bytesFrom(end.values);
    }
    for (int qi = 0; qi < StoredPoint::kQuantiles; ++qi) {
        from = in.position();
        qint64 &key = e.m_prevKeys[size_t(qi)];
        for (quint64 i = 0; i < n; ++i) {
            const quint64 token = in.varint();
            if (token >= FirstDelta)
                key = add(key, unzigzag(token - FirstDelta));
        }
        e.m_quantiles[size_t(qi)] = bytesFrom(from);
    }
    if (!in.ok() || !in.atEnd())
        return std::nullopt;
    e.m_rows = qsizetype(n);
    return e;
}

} // namespace perfdash::ChunkCodec
