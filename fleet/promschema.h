// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QVector>

#include <optional>
#include <utility>

namespace perfdash {

// The one definition of how a perfdash series looks in a Prometheus-compatible engine (docs/fleet.md, "Schema"): what
// `perfdashd --push` sends, what `/metrics` exposes for a scrape, and what the readers (`--source URL`) parse back.
//
// A series `name|k1:v1,k2` of kind K becomes metrics named metricName(name) plus a suffix, with the labels
// k1="v1", k2="true" (a tag without a value), perfdash_series="name", perfdash_kind="timer|counter|...", and the
// pushing collector's labels (host="NAME" and every --push-label), which override tags of the same name. Every value
// that sums over time is cumulative since the collector started (a counter: PromQL's increase() reads a window):
//   timer, distribution: NAME_bucket{vmrange="lo...hi"} (values in that sketch bucket), NAME_count, NAME_sum; and per
//                        push interval NAME_min, NAME_max and NAME{quantile="0.5|0.95|0.99"} (this host's sketch);
//   counter:             NAME_total (the sum of increments);
//   gauge, set:          NAME (the last value; a set: members in the last second), NAME_samples_total (seconds
//   sampled).
// Buckets are the QuantileSketch's: bucket i of a sketch with gamma g holds magnitudes in (g^(i-1), g^i], so the
// vmrange label names i and g exactly; merging a window's buckets over hosts and rebuilding a sketch gives the fleet's
// quantiles with the sketch's own relative error. Zero is vmrange="0...1e-09"; a negative bucket is "-hi...-lo".
namespace PromSchema {

inline constexpr char kSeriesLabel[] = "perfdash_series";
inline constexpr char kKindLabel[] = "perfdash_kind";
inline constexpr char kHostLabel[] = "host";
inline constexpr char kRangeLabel[] = "vmrange";
inline constexpr char kQuantileLabel[] = "quantile";
// A tag without a value: the label's value, since an empty label value is no label in PromQL.
inline constexpr char kNoValue[] = "true";

using Labels = QVector<std::pair<QByteArray, QString>>;

// A metric name: [a-zA-Z_:][a-zA-Z0-9_:]*, every other character '_' (api.latency -> api_latency).
QByteArray metricName(QStringView seriesName);
// A label name: [a-zA-Z_][a-zA-Z0-9_]*; names PromQL reserves ("__x") and the schema's own get a "tag_" prefix.
QByteArray labelName(QStringView tagKey);
// A label value in the text format: quoted, with backslash, double quote and line feed escaped.
QByteArray quoted(const QString &value);
// A sample value in the text format: shortest round-trip digits, NaN, +Inf, -Inf.
QByteArray number(double value);

// The labels of a series: its tags, perfdash_series and perfdash_kind, then `extra` (host, --push-label), which
// replace tags of the same name. Sorted by name.
Labels seriesLabels(const QString &seriesKey, MetricKind kind, const Labels &extra);
// `{a="1",b="x"}` for a label set (already in its order); `more` is appended as is (`,vmrange="..."`).
QByteArray labelBlock(const Labels &labels, const QByteArray &more = {});

// The vmrange label of a sketch bucket, and back. parseRange gives the bucket's index, sign and the sketch's gamma.
QByteArray bucketRange(int index, bool negative, double gamma);
QByteArray zeroRange();
struct BucketRange {
    enum class Sign { Zero, Positive, Negative };
    Sign sign = Sign::Zero;
    int index = 0;
    double gamma = 0;
};
std::optional<BucketRange> parseRange(QStringView vmrange);

// A series as a reader sees it: its perfdash key, kind and host, from the labels of any of its metrics. Labels the
// engine adds (job, instance) and the schema's own are not tags. hostTag: keep the host as a `host:NAME` tag (the
// fleet grouped by host) or drop it (merged). nullopt for a metric that is not a perfdash series.
struct ParsedSeries {
    QString key;
    MetricKind kind = MetricKind::Gauge;
    QString host;
};
std::optional<ParsedSeries> parseSeries(const QHash<QString, QString> &labels, bool hostTag);
// The label names a reader drops before it rebuilds a key, and which it sums over when hosts are merged.
QStringList engineLabels();

} // namespace PromSchema
} // namespace perfdash
