// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/historysource.h"
#include "storage/historyquery.h"

#include <memory>

class QThread;

namespace perfdash {

class HistoryWorker;

// Reads perfdash.db through a read-only connection on its own thread. Created and called from one thread (the GUI's);
// every answer arrives as a signal carrying the generation of its request, so the caller drops stale ones.
class HistoryReader : public HistorySource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryReader)
public:
    enum class Records { Events, Operations, Runs };
    Q_ENUM(Records)

    explicit HistoryReader(const QString &path, QObject *parent = nullptr);
    ~HistoryReader() override;

    // Every series' one-second statistics in [fromSecond, toSecond] (the GUI's last hour).
    void requestRange(qint64 fromSecond, qint64 toSecond, quint64 generation) override;
    // The series registry -> seriesReady.
    void requestSeries(quint64 generation);
    // Buckets of `step` seconds in [from, to) for the given series keys, each from the tier that serves the step
    // (HistoryQuery::tierFor) -> windowReady.
    void requestWindow(const QStringList &keys, qint64 from, qint64 to, qint64 step, quint64 generation);
    // Events, operations or runs (with steps) in [from, to), newest first -> recordsReady.
    void requestRecords(Records kind, qint64 from, qint64 to, int limit, quint64 generation);

Q_SIGNALS:
    void seriesReady(quint64 generation, const QVector<perfdash::SeriesInfo> &series);
    void windowReady(quint64 generation, const QVector<perfdash::SeriesWindow> &windows);
    void recordsReady(quint64 generation, perfdash::HistoryReader::Records kind, const QList<QVariantMap> &records);

private:
    std::unique_ptr<QThread> m_thread;
    HistoryWorker *m_worker = nullptr; // lives on m_thread, deleted there
};

} // namespace perfdash
