// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

namespace perfdash {

// Asks a Prometheus-compatible server what perfdash holds there: how many perfdash series and how many hosts pushed
// them (the Sources dialog's Test button). app/ implements it over the fleet reader; tests use a fake. Answers carry
// the caller's generation, so a late answer for a server the user left is dropped. GUI thread.
class ServerProbe : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerProbe)
public:
    using QObject::QObject;
    ~ServerProbe() override = default;

    virtual void requestProbe(const QUrl &server, quint64 generation) = 0;

Q_SIGNALS:
    void probed(quint64 generation, int seriesCount, int hostCount);
    void probeFailed(quint64 generation, const QString &message);
};

} // namespace perfdash
