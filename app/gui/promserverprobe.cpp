// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/promserverprobe.h"

#include <QDateTime>
#include <QSet>
#include <QTimer>

namespace perfdash {

PromServerProbe::PromServerProbe(QObject *parent)
    : ServerProbe(parent)
{ }

PromServerProbe::~PromServerProbe() = default;

void PromServerProbe::requestProbe(const QUrl &server, quint64 generation)
{
    // Grouped: every series comes back once per host, so both counts are read off one listing.
    auto reader = std::make_shared<PromReader>(server, PromReader::Hosts::Grouped);
    m_readers.insert(generation, reader);
    connect(reader.get(), &PromReader::seriesListed, this, [this](quint64 id, const QVector<PromSeriesInfo> &series) {
        QSet<QString> keys, hosts;
        for (const PromSeriesInfo &s : series) {
            keys.insert(s.key);
            for (const QString &host : s.host.split(u',', Qt::SkipEmptyParts))
                hosts.insert(host);
        }
        Q_EMIT probed(id, int(keys.size()), int(hosts.size()));
        finish(id);
    });
    connect(reader.get(), &PromReader::failed, this, [this](quint64 id, const QString &message) {
        Q_EMIT probeFailed(id, message);
        finish(id);
    });
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    reader->requestSeries(now - kLookBackSeconds, now + 1, generation);
}

void PromServerProbe::finish(quint64 generation)
{
    // Not inside the reader's own signal: it is deleted once that returns.
    if (auto reader = m_readers.take(generation))
        QTimer::singleShot(0, this, [reader]() {});
}

} // namespace perfdash
