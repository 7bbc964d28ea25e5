// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/baseline.h"

#include <QObject>

namespace perfdash {

// Sends the baselines a user made in the GUI to the collector as `baseline` records over ingest.sock
// (docs/protocol.md): the collector is the only writer of the database. GUI thread only; never blocks.
class BaselineSender : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BaselineSender)
public:
    explicit BaselineSender(QString ingestSocket, QObject *parent = nullptr);

    // One NDJSON line per row.
    static QByteArray record(const Baseline::Stored &row);
    void send(const QVector<Baseline::Stored> &rows);

Q_SIGNALS:
    void sent(int rows);
    void failed(const QString &message);

private:
    QString m_socket;
};

} // namespace perfdash
