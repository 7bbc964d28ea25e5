// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/statsdevent.h"
#include "collector/statsdservicecheck.h"
#include "models/metrickind.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFlags>
#include <QStringList>
#include <QVarLengthArray>

#include <optional>

namespace perfdash {

// Parses the StatsD/DogStatsD dialect of DESIGN.md "StatsD dialect decisions", one line at a time:
// metrics `name:value[:value...]|type[|@rate][|#tag,...][|Tunix][|other]`, events `_e{a,b}:title|text|...` and
// service checks `_sc|name|status|...`. Pure and reentrant; any thread may call it. tests/fixtures/statsd.tsv is the
// contract and tests/fixtures/statsd-README.md defines its reason codes and the order of checks.
class StatsdParser {
public:
    // Why a line was rejected: exactly the codes of statsd-README.md, in no particular order.
    enum class Reason : quint8 {
        BadFormat,
        EmptyName,
        BadType,
        BadValue,
        NegativeTimer,
        BadRate,
        BadTimestamp,
        TimestampOutOfRange,
        InvalidUtf8,
        NameTooLong,
        TagTooLong,
        TooManyTags,
        LineTooLong,
        BadEvent,
        BadServiceCheck,
        Count_
    };
    static const char *reasonCode(Reason reason);

    // Something worth counting about an accepted line.
    enum class Warning : quint8 {
        RateClamped = 0x1, // the sample rate was above 1 and became 1
    };
    Q_DECLARE_FLAGS(Warnings, Warning)
    static const char *warningCode(Warning warning);

    struct Limits {
        qsizetype maxLineBytes = 65536;
        qsizetype maxNameBytes = 200; // metric names
        qsizetype maxTagBytes = 200; // the whole `k:v`
        qsizetype maxTags = 64; // distinct tags
        qint64 maxFutureSeconds = 300; // for |T (rejected beyond) and d: (ignored beyond)
        // Metrics: fill Line::name and Line::tags as QStrings. Ingest needs only Line::key and turns it off.
        bool decodeText = true;
    };

    struct Value {
        double value = 0;
        bool signedGauge = false; // a leading + or - on a gauge: a delta when the gauge exists, else a set
    };

    struct Line {
        QString name;
        QStringList tags; // sorted bytewise on their UTF-8 bytes, distinct
        QByteArray key; // the canonical series key in UTF-8: "name" or "name|tag1,tag2" (SeriesKey::toString())
        MetricKind kind = MetricKind::Counter; // h and d are both Distribution
        QVarLengthArray<Value, 4> values; // as sent, in order, not scaled by the rate; empty for sets
        QByteArray setMember; // sets only: the one member, verbatim opaque bytes (never split on ':')
        double sampleRate = 1.0; // after clamping; recorded for every type, applied by the aggregator to counters
        qint64 timestamp = 0; // unix seconds from |T, 0 when absent
    };

    // One parsed line. Only the member named by `kind` is meaningful; the others keep stale data from earlier calls
    // so that a reused Message keeps its buffers.
    struct Message {
        enum class Kind : quint8 { Metric, Event, ServiceCheck };
        Kind kind = Kind::Metric;
        Warnings warnings;
        Line metric;
        StatsdEvent event;
        StatsdServiceCheck serviceCheck;
    };

    // Parses one line without its line end (see forEachLine). Returns the reason it was rejected, or nothing when
    // `out` holds the message. nowSeconds is the injected clock for the |T and d: future bounds.
    static std::optional<Reason> parseLine(QByteArrayView line, Message &out, const Limits &limits, qint64 nowSeconds);

    // Calls f(line) for every non-empty line of a datagram. Lines end at LF; one CR before each LF, and one CR at the
    // very end of the datagram, is stripped. A lone CR elsewhere does not split lines.
    template <typename F>
    static void forEachLine(QByteArrayView datagram, F &&f)
    {
        qsizetype start = 0;
        while (start <= datagram.size()) {
            qsizetype end = datagram.indexOf('\n', start);
            if (end < 0)
                end = datagram.size();
            QByteArrayView line = datagram.sliced(start, end - start);
            if (line.endsWith('\r'))
                line.chop(1);
            if (!line.isEmpty())
                f(line);
            start = end + 1;
        }
    }
};

Q_DECLARE_OPERATORS_FOR_FLAGS(StatsdParser::Warnings)

} // namespace perfdash
