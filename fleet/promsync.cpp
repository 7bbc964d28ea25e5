// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/promsync.h"

#include <QEventLoop>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::PromSync {

namespace {

// Ids of this helper's own requests: distinct per call, so an answer that comes after its call gave up is ignored.
quint64 nextId()
{
    static quint64 id = 0;
    return ++id;
}

template <typename Value, typename Ready, typename Request>
bool wait(PromReader &reader, Ready ready, Request request, Value *out, QString *error, int timeoutMs)
{
    const quint64 id = nextId();
    QEventLoop loop;
    bool done = false, ok = false;
    const auto onReady = QObject::connect(&reader, ready, &loop, [&](quint64 answered, const Value &value) {
        if (answered != id)
            return;
        *out = value;
        done = ok = true;
        loop.quit();
    });
    const auto onFailed
        = QObject::connect(&reader, &PromReader::failed, &loop, [&](quint64 answered, const QString &why) {
              if (answered != id)
                  return;
              *error = why;
              done = true;
              loop.quit();
          });
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    request(id);
    if (!done)
        loop.exec();
    QObject::disconnect(onReady);
    QObject::disconnect(onFailed);
    if (!done)
        *error = u"no answer from %1 within %2 s"_s.arg(reader.server().toString()).arg(timeoutMs / 1000);
    return ok;
}

} // namespace

bool series(
    PromReader &reader, qint64 fromSecond, qint64 toSecond, QVector<PromSeriesInfo> *out, QString *error, int timeoutMs)
{
    return wait<QVector<PromSeriesInfo>>(
        reader, &PromReader::seriesListed, [&](quint64 id) { reader.requestSeries(fromSecond, toSecond, id); }, out,
        error, timeoutMs);
}

bool buckets(PromReader &reader, const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step,
    QVector<RangeSeries> *out, QString *error, int timeoutMs)
{
    return wait<QVector<RangeSeries>>(
        reader, &PromReader::bucketsReady,
        [&](quint64 id) { reader.requestBuckets(keys, fromSecond, toSecond, step, id); }, out, error, timeoutMs);
}

} // namespace perfdash::PromSync
