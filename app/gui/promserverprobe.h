// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/promreader.h"
#include "models/serverprobe.h"

#include <QHash>

#include <memory>

namespace perfdash {

// The Sources dialog's Test over the fleet reader: lists a server's perfdash series of the last day and counts them
// and the hosts that pushed them. One reader per asked server, kept while its answer is due. GUI thread.
class PromServerProbe : public ServerProbe {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromServerProbe)
public:
    explicit PromServerProbe(QObject *parent = nullptr);
    ~PromServerProbe() override;

    void requestProbe(const QUrl &server, quint64 generation) override;

    static constexpr qint64 kLookBackSeconds = 24LL * 3600;

private:
    void finish(quint64 generation);
    QHash<quint64, std::shared_ptr<PromReader>> m_readers; // by generation
};

} // namespace perfdash
