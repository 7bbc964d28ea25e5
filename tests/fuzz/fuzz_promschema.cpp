// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for what a reader makes of a Prometheus server's labels (fleet/promschema.h): the input parsed as a
// query answer (PromClient::parse), then every series' labels through parseSeries and its vmrange through parseRange;
// the whole input is also read as one vmrange. An accepted range is added to a sketch as PromReader rebuilds one.
// Promises: a parsed series has a key; a broken one traps, so the fuzzer reports it like a crash.
#include "fleet/promclient.h"
#include "fleet/promschema.h"
#include "models/quantilesketch.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

using namespace perfdash;

namespace {

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

// As PromReader::onBuckets: the range's gamma when it names one, the bucket's representative value added.
void addRange(QStringView vmrange)
{
    const auto range = PromSchema::parseRange(vmrange);
    if (!range)
        return;
    const double gamma = range->gamma > 1 ? range->gamma : 0;
    const double alpha = gamma > 1 ? (gamma - 1) / (gamma + 1) : QuantileSketch::kDefaultRelativeAccuracy;
    QuantileSketch sketch(
        std::clamp(alpha, QuantileSketch::kMinRelativeAccuracy, QuantileSketch::kMaxRelativeAccuracy));
    switch (range->sign) {
    case PromSchema::BucketRange::Sign::Zero:
        sketch.add(0.0, 1);
        break;
    case PromSchema::BucketRange::Sign::Positive:
        sketch.add(sketch.bucketValue(range->index), 1);
        break;
    case PromSchema::BucketRange::Sign::Negative:
        sketch.add(-sketch.bucketValue(range->index), 1);
        break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    addRange(QString::fromUtf8(bytes));
    const PromAnswer answer = PromClient::parse(bytes, 200);
    for (const PromSeries &s : answer.series) {
        for (const bool hostTag : { false, true }) {
            if (const auto parsed = PromSchema::parseSeries(s.labels, hostTag))
                check(!parsed->key.isEmpty());
        }
        addRange(s.labels.value(QString::fromLatin1(PromSchema::kRangeLabel)));
    }
    return 0;
}
