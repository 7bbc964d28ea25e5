// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/storagewriter.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>
#include <QVariant>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
QVariant nullable(double value)
{
    return std::isfinite(value) ? QVariant(value) : QVariant();
}
} // namespace

StorageWriter::StorageWriter(QString path, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_connectionName(u"perfdash-writer-"_s % QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

StorageWriter::~StorageWriter()
{
    Database::close(m_connectionName);
}

Database::OpenResult StorageWriter::open()
{
    return Database::openWritable(m_connectionName, m_path);
}

qint64 StorageWriter::seriesId(const SeriesStats &stats, qint64 second)
{
    const auto it = m_seriesIds.constFind(stats.key);
    if (it != m_seriesIds.constEnd())
        return *it;
    auto db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO series(key, kind, first_seen) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING"_s);
    insert.addBindValue(stats.key);
    insert.addBindValue(int(stats.kind));
    insert.addBindValue(second);
    if (!insert.exec())
        return -1;
    QSqlQuery select(db);
    select.prepare(u"SELECT id FROM series WHERE key = ?"_s);
    select.addBindValue(stats.key);
    if (!select.exec() || !select.next())
        return -1;
    const qint64 id = select.value(0).toLongLong();
    m_seriesIds.insert(stats.key, id);
    return id;
}

void StorageWriter::writeFrames(const QVector<LiveFrame> &frames)
{
    auto db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen() || frames.isEmpty())
        return;
    if (!db.transaction()) {
        Q_EMIT writeFailed(db.lastError().text());
        return;
    }
    QSqlQuery insert(db);
    insert.prepare(u"INSERT OR REPLACE INTO stats_1s(series_id, ts, count, rate, sum, min, max, last, p50, p90, p95, p99)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    quint64 rows = 0;
    for (const auto &frame : frames) {
        for (const auto &s : frame.series) {
            const qint64 id = seriesId(s, frame.second);
            if (id < 0)
                continue;
            insert.addBindValue(id);
            insert.addBindValue(frame.second);
            insert.addBindValue(s.count);
            insert.addBindValue(s.rate);
            insert.addBindValue(s.sum);
            insert.addBindValue(nullable(s.min));
            insert.addBindValue(nullable(s.max));
            insert.addBindValue(nullable(s.last));
            insert.addBindValue(nullable(s.p50));
            insert.addBindValue(nullable(s.p90));
            insert.addBindValue(nullable(s.p95));
            insert.addBindValue(nullable(s.p99));
            if (!insert.exec()) {
                const QString message = insert.lastError().text();
                db.rollback();
                m_seriesIds.clear(); // ids inserted in this transaction are gone too
                Q_EMIT writeFailed(message);
                return;
            }
            ++rows;
        }
    }
    if (!db.commit()) {
        const QString message = db.lastError().text();
        db.rollback();
        m_seriesIds.clear();
        Q_EMIT writeFailed(message);
        return;
    }
    m_rowsWritten += rows;
}

StorageThread::StorageThread(const QString &path)
    : m_thread(std::make_unique<QThread>())
    , m_writer(std::make_unique<StorageWriter>(path))
{
    m_thread->setObjectName(u"perfdash-storage"_s);
    m_writer->moveToThread(m_thread.get());
    m_thread->start();
}

StorageThread::~StorageThread()
{
    // Queued writes run before this blocking call, so nothing posted is lost; the writer then dies on its thread.
    StorageWriter *writer = m_writer.release();
    QMetaObject::invokeMethod(writer, [writer]() { delete writer; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

Database::OpenResult StorageThread::start()
{
    Database::OpenResult result;
    QMetaObject::invokeMethod(
            m_writer.get(), [&]() { result = m_writer->open(); }, Qt::BlockingQueuedConnection);
    return result;
}

void StorageThread::post(const QVector<LiveFrame> &frames)
{
    QMetaObject::invokeMethod(
            m_writer.get(), [writer = m_writer.get(), frames]() { writer->writeFrames(frames); }, Qt::QueuedConnection);
}

} // namespace perfdash
