// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QStringList>
#include <QVariant>
#include <QVector>

#include <optional>

namespace perfdash {

// The samples a sampler took while a run ran (a `run` record's `telemetry`, docs/protocol.md; seed 002), as a table:
// one row per sample in the order sent, one column per member any sample has, by name.
struct RunTelemetry {
    struct Sample {
        double ts = 0; // Unix seconds
        QString timestamp; // as the producer wrote it (ISO 8601 with its UTC offset); empty when not sent
        QVariantList values; // one per column; an invalid QVariant where the sample had no such member
    };
    QStringList columns; // the members besides ts and timestamp, sorted
    QVector<Sample> samples;
    qint64 dropped = 0; // taken during the run but not sent (the producer's bound)

    // From the stored JSON array; an empty or unreadable array gives no samples.
    static RunTelemetry fromJson(const QByteArray &json, std::optional<qint64> dropped);
    bool isEmpty() const { return samples.isEmpty(); }
};

} // namespace perfdash
