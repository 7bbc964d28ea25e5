// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"

#include <QByteArrayView>
#include <QStringList>
#include <QVarLengthArray>

#include <optional>

namespace perfdash {

// Parses StatsD/DogStatsD metric lines: name:value[:value...]|type[|@rate][|#tag,tag][|Tunix]. Pure and reentrant.
class StatsdParser {
public:
    // Reason codes follow tests/fixtures/statsd-README.md.
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
        UnsupportedType,
        Count_
    };
    static const char *reasonCode(Reason reason);

    struct Limits {
        qsizetype maxLineBytes = 65536;
        qsizetype maxNameBytes = 200;
        qsizetype maxTagBytes = 200;
        qsizetype maxTags = 64;
        qint64 maxFutureSeconds = 300;
    };

    struct Value {
        double value = 0;
        bool signedGauge = false; // a leading + or - on a gauge: a delta when the gauge exists
    };

    struct Line {
        QString name;
        QStringList tags; // sorted, distinct
        MetricKind kind = MetricKind::Counter;
        QVarLengthArray<Value, 4> values;
        double sampleRate = 1.0;
        qint64 timestamp = 0; // unix seconds from |T, 0 when absent
    };

    // Parses one line without its line end. Returns the reason it was rejected, or nothing when `out` holds it.
    static std::optional<Reason> parseLine(QByteArrayView line, Line &out, const Limits &limits, qint64 nowSeconds);

    // Calls f(line) for every non-empty line of a datagram, with one trailing CR stripped from each.
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

} // namespace perfdash
