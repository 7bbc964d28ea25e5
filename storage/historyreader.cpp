// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/historyreader.h"

#include "storage/alertstore.h"
#include "storage/database.h"
#include "storage/modelhistoryreader.h"

#include <QDateTime>
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
    { }
    ~HistoryWorker() override { Database::close(m_connectionName); }

    // The collector may not have created the file yet; try again on every request.
    bool ensureOpen(QString *error)
    {
        if (m_open)
            return true;
        Database::close(m_connectionName);
        const auto opened = Database::openReadOnly(m_connectionName, m_path);
        if (!opened.ok) {
            *error = opened.error;
            return false;
        }
        m_open = true;
        return true;
    }
    // Runs one request; a failure reopens the file next time (it may have been replaced).
    template <typename Answer>
    bool run(QString *error, Answer &&answer)
    {
        if (!ensureOpen(error))
            return false;
        if (answer())
            return true;
        m_open = false;
        return false;
    }

    void range(qint64 from, qint64 to, quint64 generation, const QStringList &keys)
    {
        QVector<LiveFrame> frames;
        QString error;
        if (run(&error, [&]() { return m_query.secondsAsFrames(from, to, &frames, &error, keys); }))
            Q_EMIT rangeReady(generation, frames);
        else
            Q_EMIT failed(generation, error);
    }
    void series(quint64 id)
    {
        QVector<SeriesInfo> list;
        QString error;
        if (run(&error, [&]() { return m_query.seriesList(&list, &error); }))
            Q_EMIT seriesReady(id, list);
        else
            Q_EMIT requestFailed(HistoryReader::Answer::Series, id, error);
    }
    void window(const QStringList &keys, qint64 from, qint64 to, qint64 step, qint64 now, quint64 id)
    {
        QVector<SeriesWindow> windows;
        QString error;
        const auto read = [&]() {
            QVector<SeriesInfo> list;
            Coverage coverage;
            if (!m_query.seriesList(&list, &error) || !m_query.coverage(from, to, step, now, &coverage, &error))
                return false;
            for (const SeriesInfo &info : list) {
                if (!keys.contains(info.key))
                    continue;
                SeriesWindow w;
                if (!m_query.window(info, from, to, step, &w, &error))
                    return false;
                w.setCoverage(coverage);
                windows.push_back(std::move(w));
            }
            return true;
        };
        if (run(&error, read))
            Q_EMIT windowReady(id, windows);
        else
            Q_EMIT requestFailed(HistoryReader::Answer::Window, id, error);
    }
    void events(qint64 from, qint64 to, int limit, quint64 id)
    {
        QVector<TimelineEvent> rows;
        QString error;
        if (run(&error, [&]() { return m_query.events(from, to, limit, &rows, &error); }))
            Q_EMIT eventsReady(id, rows);
        else
            Q_EMIT requestFailed(HistoryReader::Answer::Events, id, error);
    }
    void operations(qint64 from, qint64 to, int limit, quint64 id)
    {
        QVector<OperationRecord> rows;
        QString error;
        if (run(&error, [&]() { return m_query.operations(from, to, limit, &rows, &error); }))
            Q_EMIT operationsReady(id, rows);
        else
            Q_EMIT requestFailed(HistoryReader::Answer::Operations, id, error);
    }
    void runs(qint64 from, qint64 to, int limit, quint64 id)
    {
        QVector<RunRecord> rows;
        QString error;
        if (run(&error, [&]() { return m_query.runs(from, to, limit, &rows, &error); }))
            Q_EMIT runsReady(id, rows);
        else
            Q_EMIT requestFailed(HistoryReader::Answer::Runs, id, error);
    }

    void outlook(const QString &model, qint64 now, quint64 id)
    {
        ModelHistory history;
        QString error;
        const auto read = [&]() {
            QVector<SeriesInfo> list;
            return m_query.seriesList(&list, &error)
                && ModelHistoryReader::read(m_query, list, model, now, &history, &error);
        };
        if (run(&error, read))
            Q_EMIT outlookReady(id, Outlook::compute(history, Baseline::Limits::fromEnvironment()));
        else
            Q_EMIT requestFailed(HistoryReader::Answer::Outlook, id, error);
    }

    void alerts(qint64 from, qint64 to, int limit, quint64 id)
    {
        QVector<AlertEvent> rows;
        QString error;
        const auto read = [&]() {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            QVector<AlertEvent> latest;
            if (!AlertStore::latest(db, &latest, &error) || !AlertStore::events(db, from, to, limit, &rows, &error))
                return false;
            // Alerts that were already active when the range began: their newest transition before it.
            QVector<AlertEvent> earlier;
            for (const AlertEvent &e : std::as_const(latest)) {
                if (e.time < from && (e.state == u"firing"_s || e.state == u"pending"_s))
                    earlier.push_back(e);
            }
            rows = earlier + rows;
            return true;
        };
        if (run(&error, read))
            Q_EMIT alertsReady(id, rows);
        else
            Q_EMIT requestFailed(HistoryReader::Answer::Alerts, id, error);
    }

Q_SIGNALS:
    void rangeReady(quint64 generation, const QVector<perfdash::LiveFrame> &frames);
    void failed(quint64 generation, const QString &message);
    void seriesReady(quint64 id, const QVector<perfdash::SeriesInfo> &series);
    void windowReady(quint64 id, const QVector<perfdash::SeriesWindow> &windows);
    void eventsReady(quint64 id, const QVector<perfdash::TimelineEvent> &events);
    void operationsReady(quint64 id, const QVector<perfdash::OperationRecord> &operations);
    void runsReady(quint64 id, const QVector<perfdash::RunRecord> &runs);
    void outlookReady(quint64 id, const perfdash::ModelOutlook &outlook);
    void alertsReady(quint64 id, const QVector<perfdash::AlertEvent> &events);
    void requestFailed(perfdash::HistoryReader::Answer kind, quint64 id, const QString &message);

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
    qRegisterMetaType<QVector<TimelineEvent>>();
    qRegisterMetaType<QVector<OperationRecord>>();
    qRegisterMetaType<QVector<RunRecord>>();
    qRegisterMetaType<HistoryReader::Answer>();
    qRegisterMetaType<ModelOutlook>();
    qRegisterMetaType<QVector<AlertEvent>>();
    m_thread->setObjectName(u"perfdash-history"_s);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &HistoryWorker::rangeReady, this, &HistorySource::rangeReady);
    connect(m_worker, &HistoryWorker::failed, this, &HistorySource::failed);
    connect(m_worker, &HistoryWorker::seriesReady, this, &HistoryReader::seriesReady);
    connect(m_worker, &HistoryWorker::windowReady, this, &HistoryReader::windowReady);
    connect(m_worker, &HistoryWorker::eventsReady, this, &HistoryReader::eventsReady);
    connect(m_worker, &HistoryWorker::operationsReady, this, &HistoryReader::operationsReady);
    connect(m_worker, &HistoryWorker::runsReady, this, &HistoryReader::runsReady);
    connect(m_worker, &HistoryWorker::outlookReady, this, &HistoryReader::outlookReady);
    connect(m_worker, &HistoryWorker::alertsReady, this, &HistoryReader::alertsReady);
    connect(m_worker, &HistoryWorker::requestFailed, this, &HistoryReader::requestFailed);
    m_thread->start();
}

HistoryReader::~HistoryReader()
{
    m_thread->quit();
    m_thread->wait();
}

void HistoryReader::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

void HistoryReader::requestRange(qint64 fromSecond, qint64 toSecond, quint64 generation, const QStringList &keys)
{
    QMetaObject::invokeMethod(
        m_worker,
        [w = m_worker, fromSecond, toSecond, generation, keys]() { w->range(fromSecond, toSecond, generation, keys); },
        Qt::QueuedConnection);
}

void HistoryReader::requestSeries(quint64 id)
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, id]() { w->series(id); }, Qt::QueuedConnection);
}

void HistoryReader::requestWindow(const QStringList &keys, qint64 from, qint64 to, qint64 step, quint64 id)
{
    const qint64 now = m_clock ? m_clock() : QDateTime::currentSecsSinceEpoch();
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, keys, from, to, step, now, id]() { w->window(keys, from, to, step, now, id); },
        Qt::QueuedConnection);
}

void HistoryReader::requestEvents(qint64 from, qint64 to, int limit, quint64 id)
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, from, to, limit, id]() { w->events(from, to, limit, id); }, Qt::QueuedConnection);
}

void HistoryReader::requestOperations(qint64 from, qint64 to, int limit, quint64 id)
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, from, to, limit, id]() { w->operations(from, to, limit, id); }, Qt::QueuedConnection);
}

void HistoryReader::requestRuns(qint64 from, qint64 to, int limit, quint64 id)
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, from, to, limit, id]() { w->runs(from, to, limit, id); }, Qt::QueuedConnection);
}

void HistoryReader::requestOutlook(const QString &model, quint64 id)
{
    const qint64 now = m_clock ? m_clock() : QDateTime::currentSecsSinceEpoch();
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, model, now, id]() { w->outlook(model, now, id); }, Qt::QueuedConnection);
}

void HistoryReader::requestAlerts(qint64 from, qint64 to, int limit, quint64 id)
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, from, to, limit, id]() { w->alerts(from, to, limit, id); }, Qt::QueuedConnection);
}

} // namespace perfdash

#include "historyreader.moc"
