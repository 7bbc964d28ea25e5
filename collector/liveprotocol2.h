// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/liveprotocol.h"

#include <QHash>
#include <QSet>
#include <QVector>

#include <array>
#include <limits>
#include <optional>

namespace perfdash::LiveProtocol {

// Version 2 of live.sock (docs/protocol.md, "Version 2: subscriptions"). A subscriber asks for the series it shows;
// those come in full, every other series as a brief row (its id and count), and keys travel once, in "names"
// messages, instead of in every frame. Still one JSON object per line: a binary frame was measured beside it
// (bench_live) and saved little more once the keys were gone.
constexpr int version2 = 2;
// A subscribe request names at most this many series; its line may be up to maxRequestBytes.
constexpr qsizetype maxSubscribedKeys = 8192;
constexpr qsizetype maxRequestBytes = 1024LL * 1024;

// What one version 2 subscriber asked for.
struct Subscription {
    QSet<QString> keys; // these series in full (with their sketch when also followed)
    bool others = true; // every other series as a brief row; false: not at all
    bool operator==(const Subscription &o) const { return others == o.others && keys == o.keys; }
};

// {"type":"request","id":…,"method":"subscribe","version":2,"keys":[…],"others":"brief"|"none"}
QByteArray encodeSubscribe(qint64 id, const QStringList &keys, bool others = true);
// The subscription of a subscribe request; nullopt with a sentence in *error when it is malformed or too long.
std::optional<Subscription> subscriptionOf(const QJsonObject &request, QString *error);

// The collector's numbering of series: a key and its kind get an id the first time a frame carries them, and keep it
// for the collector's life. Ids count up from 0, so a subscriber is "told" everything below a watermark.
class NameTable {
public:
    // The id of every series of the frame, in its order; new series are numbered.
    QVector<quint32> number(const LiveFrame &frame);
    qsizetype size() const { return m_names.size(); }
    // {"type":"names","first":from,"names":[["key","kind"],…]} for the ids from `from` on.
    QByteArray encodeNames(qsizetype from) const;

private:
    struct Name {
        QString key;
        MetricKind kind;
    };
    std::array<QHash<QString, quint32>, 5> m_ids; // per MetricKind
    QVector<Name> m_names;
};

// One version 2 frame line for one subscription. `ids` from NameTable::number(frame); `followed`: the series whose
// sketch goes with their full row (they come in full even when not subscribed). `quality` and `collector` are the
// frame's encoded "quality" array and the collector's totals object (empty: absent), encoded once for everyone.
// Series numbered from `newFrom` on (new in this frame) come in full to every subscriber: a client sees a new series
// whole the first time, and subscribes to it in time for the next frame if it draws it.
QByteArray encodeFrame2(const LiveFrame &frame, const QVector<quint32> &ids, const Subscription &subscription,
    const QSet<QString> &followed, const QByteArray &quality, const QByteArray &collector,
    quint32 newFrom = std::numeric_limits<quint32>::max());

// Reads a connection's messages of either version. Version 2 frames need the names that came before them on the same
// connection: start a new Decoder (or reset()) for every connection.
class Decoder {
public:
    MessageType decode(QByteArrayView line, Hello *hello, LiveFrame *frame, QJsonObject *other);
    void reset();
    qsizetype namesKnown() const { return m_names.size(); }
    // Rows of version 2 frames whose id no names message had given (skipped); a collector bug if ever non-zero.
    quint64 unknownIds() const { return m_unknownIds; }
    // A names message did not continue from the names known: one was lost, and the numbers after it cannot be read.
    // The connection must start again.
    bool namesBroken() const { return m_namesBroken; }

private:
    bool addNames(const QJsonObject &message);
    void decodeFrame2(const QJsonObject &message, LiveFrame *frame);

    struct Name {
        QString key;
        MetricKind kind;
    };
    QVector<Name> m_names;
    quint64 m_unknownIds = 0;
    bool m_namesBroken = false;
};

} // namespace perfdash::LiveProtocol
