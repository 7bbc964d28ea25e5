// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/historysource.h"

#include <memory>

class QThread;

namespace perfdash {

class HistoryWorker;

// Reads one-second history from perfdash.db through a read-only connection on its own thread.
// Created and called from the GUI thread; answers arrive as rangeReady() with the request's generation.
class HistoryReader : public HistorySource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryReader)
public:
    explicit HistoryReader(const QString &path, QObject *parent = nullptr);
    ~HistoryReader() override;

    void requestRange(qint64 fromSecond, qint64 toSecond, quint64 generation) override;

private:
    std::unique_ptr<QThread> m_thread;
    HistoryWorker *m_worker = nullptr; // lives on m_thread, deleted there
};

} // namespace perfdash
