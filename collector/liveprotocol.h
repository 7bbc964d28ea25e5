// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevent.h"
#include "models/seriesstats.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QStringList>

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
    QString rules; // the alert rules file the collector watches (docs/alerts.md); empty from older collectors
    qint64 pid = 0;
    // Every version the collector can speak on this connection: it starts in `version` (1) and switches a subscriber
    // to 2 when asked (the "subscribe" request, liveprotocol2.h). [version] from a collector before version 2.
    QList<int> versions { 1, 2 };
};

QByteArray encodeHello(const Hello &hello);
// The frame plus the collector's running totals, as one line.
QByteArray encodeFrame(const LiveFrame &frame, const QJsonObject &collectorStats = {});
// frameLine (from encodeFrame) for a subscriber that follows `keys`: the same object plus "sketches", the base64
// QuantileSketch of every followed series of the frame that has one (SeriesStats::sketch). frameLine itself when
// none has, so a subscriber costs a copy of the line only when it gets something more.
QByteArray withSketches(const QByteArray &frameLine, const LiveFrame &frame, const QSet<QString> &keys);

// The "follow" request: after it, every frame carries the sketches of these series for this subscriber. It replaces
// the subscriber's previous set; an empty list stops it. At most maxFollowedKeys keys.
constexpr qsizetype maxFollowedKeys = 256;
QByteArray encodeFollow(qint64 id, const QStringList &keys);
// The keys of a follow request (its "keys" array); nullopt with a sentence in *error when it is not a list of at
// most maxFollowedKeys non-empty strings.
std::optional<QSet<QString>> followedKeys(const QJsonObject &request, QString *error);

// Alert transitions (AlertEvent) as one line: {"type": "alerts", "events": [...]}, sent to every subscriber when the
// collector's alerts change state (docs/protocol.md, "alerts").
QByteArray encodeAlerts(const QVector<AlertEvent> &events);
// The events of a decoded "alerts" message (decode's *other); events without a rule or state are skipped.
QVector<AlertEvent> alertEventsOf(const QJsonObject &message);

// Decodes one line (a frame's "sketches" land in SeriesStats::sketch of its series). Returns the message's "type" and
// fills whichever out-parameter matches.
enum class MessageType { Invalid, Hello, Frame, Response, Alerts, Names };
MessageType decode(QByteArrayView line, Hello *hello, LiveFrame *frame, QJsonObject *other);
// The same for a line already parsed (parseLine). Version 1 messages only; a Decoder (liveprotocol2.h) reads both.
bool parseLine(QByteArrayView line, QJsonObject *object);
MessageType decodeObject(const QJsonObject &message, Hello *hello, LiveFrame *frame, QJsonObject *other);

// The "quality" array of a frame, shared by both versions.
QJsonArray encodeQuality(const QVector<QualityStats> &qualities);
QVector<QualityStats> decodeQuality(const QJsonArray &array);
} // namespace LiveProtocol

} // namespace perfdash
