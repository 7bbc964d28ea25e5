// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the blobs perfdash reads back from perfdash.db (and the live protocol's sketches): the first
// byte picks the decoder, the rest is the blob. Each decoder must refuse what it cannot read, never read past the
// end, and keep its promises on what it accepts; a broken promise traps, so the fuzzer reports it like a crash.
// - 0: a chunk (ChunkCodec::decode): rows in time order, as many as it says; encoded again, it decodes to the same
//   times and counts; Encoder::resume accepts it exactly when decode does, and its blob gives the same rows back;
// - 1: a quantile sketch (QuantileSketch::deserialize): serialize() of what it accepted is accepted again with the
//   same count;
// - 2: a recent_1s block (RecentSeconds::decodeBlock), and each entry's blobs as chunks;
// - 3: model quality metrics (QualityMetrics::deserialize).
#include "models/qualitymetrics.h"
#include "models/quantilesketch.h"
#include "storage/chunkcodec.h"
#include "storage/recentseconds.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace perfdash;

namespace {

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

constexpr qint64 kStart = 1'800'000'000;

void chunk(QByteArrayView blob)
{
    const auto rows = ChunkCodec::decode(blob, kStart, 1);
    // Encoder::resume() reads what decode() reads, and continues it: the rows it gives back are the same.
    const auto resumed
        = ChunkCodec::Encoder::resume(blob, kStart, 1, ChunkCodec::relativeAccuracy(blob).value_or(0.01));
    check(bool(resumed) == bool(rows));
    if (!rows)
        return;
    const auto continued = ChunkCodec::decode(resumed->blob(false), kStart, 1);
    check(continued && continued->size() == rows->size());
    for (size_t i = 0; i < rows->size(); ++i)
        check((*continued)[i].time == (*rows)[i].time && (*continued)[i].count == (*rows)[i].count);
    for (size_t i = 1; i < rows->size(); ++i)
        check((*rows)[i].time > (*rows)[i - 1].time);
    const auto accuracy = ChunkCodec::relativeAccuracy(blob);
    check(accuracy.has_value());
    const auto again = ChunkCodec::decode(ChunkCodec::encode(*rows, kStart, 1, *accuracy), kStart, 1);
    check(again && again->size() == rows->size());
    for (size_t i = 0; i < rows->size(); ++i)
        check((*again)[i].time == (*rows)[i].time && (*again)[i].count == (*rows)[i].count);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray blob(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0:
        chunk(blob);
        break;
    case 1:
        if (const auto sketch = QuantileSketch::deserialize(blob)) {
            const auto again = QuantileSketch::deserialize(sketch->serialize());
            check(again && again->count() == sketch->count());
        }
        break;
    case 2: {
        std::vector<RecentSeconds::Entry> entries;
        if (RecentSeconds::decodeBlock(blob, &entries)) {
            check(RecentSeconds::decodeBlock(RecentSeconds::encodeBlock(entries), &entries));
            for (const auto &e : entries) {
                chunk(e.finals);
                chunk(e.tail);
            }
        }
        break;
    }
    default:
        if (const auto q = QualityMetrics::deserialize(blob))
            check(QualityMetrics::deserialize(q->serialize()).has_value());
        break;
    }
    return 0;
}
