// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesstats.h"
#include "storage/database.h"

#include <QHash>
#include <QObject>

#include <memory>

class QThread;

namespace perfdash {

// The only writer of perfdash.db. Lives on its own thread; every call arrives queued. One transaction per call.
class StorageWriter : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StorageWriter)
public:
    explicit StorageWriter(QString path, QObject *parent = nullptr);
    ~StorageWriter() override;

    Database::OpenResult open();
    void writeFrames(const QVector<perfdash::LiveFrame> &frames);
    quint64 rowsWritten() const { return m_rowsWritten; }

Q_SIGNALS:
    void writeFailed(const QString &message);

private:
    qint64 seriesId(const SeriesStats &stats, qint64 second);

    QString m_path;
    QString m_connectionName;
    QHash<QString, qint64> m_seriesIds;
    quint64 m_rowsWritten = 0;
};

// Owns the writer's thread. Destroying it writes what is queued, closes the database and joins the thread.
class StorageThread {
public:
    explicit StorageThread(const QString &path);
    ~StorageThread();
    StorageThread(const StorageThread &) = delete;
    StorageThread &operator=(const StorageThread &) = delete;

    // Opens the database on the writer thread and waits for the outcome.
    Database::OpenResult start();
    // Queues frames for the next transaction; never blocks the caller.
    void post(const QVector<LiveFrame> &frames);
    StorageWriter *writer() const { return m_writer.get(); }

private:
    std::unique_ptr<QThread> m_thread;
    std::unique_ptr<StorageWriter> m_writer;
};

} // namespace perfdash
