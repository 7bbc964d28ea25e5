// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/historyreader.h"

#include "storage/database.h"

#include <QThread>
#include <QUuid>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

class HistoryWorker : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryWorker)
public:
    explicit HistoryWorker(QString path)
        : m_path(std::move(path))
        , m_connectionName(u"perfdash-reader-"_s % QUuid::createUuid().toString(QUuid::WithoutBraces))
        , m_query(m_connectionName)
    {
    }
    ~HistoryWorker() override { Database::close(m_connectionName); }

    // The collector may not have created the file yet; try again on every request.
    bool ensureOpen(quint64 generation)
    {
        if (m_open)
            return true;
        Database::close(m_connectionName);
        const auto opened = Database::openReadOnly(m_connectionName, m_path);
        if (!opened.ok) {
            Q_EMIT failed(generation, opened.error);
            return false;
        }
        m_open = true;
        return true;
    }
    void fail(quint64 generation, const QString &error)
    {
        m_open = false; // reopen next time: the file may have been replaced
        Q_EMIT failed(generation, error);
    }

    void range(qint64 from, qint64 to, quint64 generation)
    {
        if (!ensureOpen(generation))
            return;
        QVector<LiveFrame> frames;
        QString error;
        if (!m_query.secondsAsFrames(from, to, &frames, &error))
            return fail(generation, error);
        Q_EMIT rangeReady(generation, frames);
    }
    void series(quint64 generation)
    {
        if (!ensureOpen(generation))
            return;
        QVector<SeriesInfo> list;
        QString error;
        if (!m_query.seriesList(&list, &error))
            return fail(generation, error);
        Q_EMIT seriesReady(generation, list);
    }
    void window(const QStringList &keys, qint64 from, qint64 to, qint64 step, quint64 generation)
    {
        if (!ensureOpen(generation))
            return;
        QVector<SeriesInfo> list;
        QString error;
        if (!m_query.seriesList(&list, &error))
            return fail(generation, error);
        QVector<SeriesWindow> windows;
        for (const SeriesInfo &info : list) {
            if (!keys.contains(info.key))
                continue;
            SeriesWindow w;
            if (!m_query.window(info, from, to, step, &w, &error))
                return fail(generation, error);
            windows.push_back(std::move(w));
        }
        Q_EMIT windowReady(generation, windows);
    }
    void records(HistoryReader::Records kind, qint64 from, qint64 to, int limit, quint64 generation)
    {
        if (!ensureOpen(generation))
            return;
        QList<QVariantMap> rows;
        QString error;
        const bool ok = kind == HistoryReader::Records::Events ? m_query.events(from, to, limit, &rows, &error)
                : kind == HistoryReader::Records::Operations   ? m_query.operations(from, to, limit, &rows, &error)
                                                               : m_query.runs(from, to, limit, &rows, &error);
        if (!ok)
            return fail(generation, error);
        Q_EMIT recordsReady(generation, kind, rows);
    }

Q_SIGNALS:
    void rangeReady(quint64 generation, const QVector<perfdash::LiveFrame> &frames);
    void seriesReady(quint64 generation, const QVector<perfdash::SeriesInfo> &series);
    void windowReady(quint64 generation, const QVector<perfdash::SeriesWindow> &windows);
    void recordsReady(quint64 generation, perfdash::HistoryReader::Records kind, const QList<QVariantMap> &records);
    void failed(quint64 generation, const QString &message);

private:
    QString m_path;
    QString m_connectionName;
    HistoryQuery m_query;
    bool m_open = false;
};

HistoryReader::HistoryReader(const QString &path, QObject *parent)
    : HistorySource(parent)
    , m_thread(std::make_unique<QThread>())
    , m_worker(new HistoryWorker(path))
{
    qRegisterMetaType<QVector<LiveFrame>>();
    qRegisterMetaType<QVector<SeriesInfo>>();
    qRegisterMetaType<QVector<SeriesWindow>>();
    qRegisterMetaType<QList<QVariantMap>>();
    qRegisterMetaType<HistoryReader::Records>();
    m_thread->setObjectName(u"perfdash-history"_s);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &HistoryWorker::rangeReady, this, &HistorySource::rangeReady);
    connect(m_worker, &HistoryWorker::seriesReady, this, &HistoryReader::seriesReady);
    connect(m_worker, &HistoryWorker::windowReady, this, &HistoryReader::windowReady);
    connect(m_worker, &HistoryWorker::recordsReady, this, &HistoryReader::recordsReady);
    connect(m_worker, &HistoryWorker::failed, this, &HistorySource::failed);
    m_thread->start();
}

HistoryReader::~HistoryReader()
{
    m_thread->quit();
    m_thread->wait();
}

void HistoryReader::requestRange(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    QMetaObject::invokeMethod(
            m_worker, [w = m_worker, fromSecond, toSecond, generation]() { w->range(fromSecond, toSecond, generation); },
            Qt::QueuedConnection);
}

void HistoryReader::requestSeries(quint64 generation)
{
    QMetaObject::invokeMethod(
            m_worker, [w = m_worker, generation]() { w->series(generation); }, Qt::QueuedConnection);
}

void HistoryReader::requestWindow(const QStringList &keys, qint64 from, qint64 to, qint64 step, quint64 generation)
{
    QMetaObject::invokeMethod(
            m_worker, [w = m_worker, keys, from, to, step, generation]() { w->window(keys, from, to, step, generation); },
            Qt::QueuedConnection);
}

void HistoryReader::requestRecords(Records kind, qint64 from, qint64 to, int limit, quint64 generation)
{
    QMetaObject::invokeMethod(
            m_worker, [w = m_worker, kind, from, to, limit, generation]() { w->records(kind, from, to, limit, generation); },
            Qt::QueuedConnection);
}

} // namespace perfdash

#include "historyreader.moc"
