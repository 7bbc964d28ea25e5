// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesstats.h"

#include <QByteArray>
#include <QJsonObject>

#include <optional>

namespace perfdash {

// The live.sock wire format, version 1: newline-delimited JSON objects. See docs/protocol.md.
namespace LiveProtocol {
constexpr int version = 1;
inline constexpr char name[] = "perfdash-live";

struct Hello {
    int version = 0;
    QString collectorVersion;
    QString udp; // "host:port" StatsD listens on
    QString db;
    qint64 pid = 0;
};

QByteArray encodeHello(const Hello &hello);
// The frame plus the collector's running totals, as one line.
QByteArray encodeFrame(const LiveFrame &frame, const QJsonObject &collectorStats = {});

// Decodes one line. Returns the message's "type" and fills whichever out-parameter matches.
enum class MessageType { Invalid, Hello, Frame, Response };
MessageType decode(QByteArrayView line, Hello *hello, LiveFrame *frame, QJsonObject *other);
} // namespace LiveProtocol

} // namespace perfdash
