// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/ndjsonrecord.h"
#include "collector/statsdparser.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <array>

namespace perfdash {

// What ingest has seen since start. Owned and written by the collector thread only.
struct IngestCounters {
    quint64 datagrams = 0;
    quint64 linesAccepted = 0;
    quint64 linesRejected = 0;
    std::array<quint64, size_t(StatsdParser::Reason::Count_)> rejectedByReason {};
    // Rejections that are not the parser's: whole datagrams, records, the series cap. Keyed by reason code.
    QHash<QString, quint64> otherRejections;
    quint64 rateClamped = 0;
    quint64 events = 0; // events and service checks accepted
    quint64 eventsDropped = 0; // more arrived in one second than StatsdIngest keeps

    // Native records (ingest.sock). Kept apart from the StatsD lines: both formats have a `line_too_long`, an
    // `invalid_utf8` and a `timestamp_out_of_range`, and one JSON object cannot hold the same key twice.
    quint64 recordsAccepted = 0;
    quint64 recordsRejected = 0;
    std::array<quint64, size_t(NdjsonRecord::Reason::Count_)> recordsRejectedByReason {};

    void reject(StatsdParser::Reason reason)
    {
        ++linesRejected;
        ++rejectedByReason[size_t(reason)];
    }
    void rejectOther(const QString &reason, quint64 lines = 1)
    {
        linesRejected += lines;
        otherRejections[reason] += lines;
    }
    void rejectRecord(NdjsonRecord::Reason reason)
    {
        ++recordsRejected;
        ++recordsRejectedByReason[size_t(reason)];
    }
    // Every non-zero record rejection by reason code (docs/protocol.md, ingest.sock).
    QJsonObject recordRejectionsJson() const
    {
        QJsonObject out;
        for (size_t i = 0; i < recordsRejectedByReason.size(); ++i) {
            if (recordsRejectedByReason[i] > 0)
                out.insert(QLatin1StringView(NdjsonRecord::reasonCode(NdjsonRecord::Reason(i))),
                    qint64(recordsRejectedByReason[i]));
        }
        return out;
    }
    // Every non-zero rejection by reason code.
    QJsonObject rejectionsJson() const
    {
        QJsonObject out;
        for (size_t i = 0; i < rejectedByReason.size(); ++i) {
            if (rejectedByReason[i] > 0)
                out.insert(
                    QLatin1StringView(StatsdParser::reasonCode(StatsdParser::Reason(i))), qint64(rejectedByReason[i]));
        }
        for (auto it = otherRejections.cbegin(); it != otherRejections.cend(); ++it)
            out.insert(it.key(), qint64(it.value()));
        return out;
    }
};

} // namespace perfdash
