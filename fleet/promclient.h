// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <QVector>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace perfdash {

// One series of a PromQL answer: its labels (with __name__ when the engine kept it) and its samples, oldest first.
// A vector's series holds one sample. Values parse "NaN", "+Inf" and "-Inf".
struct PromSeries {
    QHash<QString, QString> labels;
    QVector<std::pair<qint64, double>> samples; // (unix milliseconds, value)
};

// What one call answered: ok with its series (query, query_range) or label sets (series: samples empty), or the
// reason it failed, in the server's own words when it gave some ("bad_data: parse error at char 5…"), else what the
// network said ("cannot reach http://…: Connection refused").
struct PromAnswer {
    bool ok = false;
    QString error;
    QVector<PromSeries> series;
    QStringList names; // /api/v1/labels
};

// An asynchronous client of the Prometheus HTTP query API (/api/v1/query, query_range, series, labels) as
// VictoriaMetrics (single and cluster) and Prometheus serve it. The base URL is the prefix the API hangs off:
// http://host:8428, http://host:9090, http://vmselect:8481/select/0/prometheus; /api/v1/... is appended to its path.
// Lives on one thread, the one that calls it; each callback runs on that thread, once, unless the client was destroyed
// first (then never). Requests run in parallel; each has a transfer timeout.
class PromClient : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromClient)
public:
    using Done = std::function<void(const PromAnswer &answer)>;
    static constexpr int kDefaultTimeoutMs = 30000;

    explicit PromClient(const QUrl &base, QObject *parent = nullptr);
    ~PromClient() override;

    QUrl base() const { return m_base; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    int timeoutMs() const { return m_timeoutMs; }

    // An instant query at `timeSeconds`.
    void query(const QString &promql, qint64 timeSeconds, Done done);
    // A range query: points at start, start + step, … up to end (inclusive), unix seconds.
    void queryRange(const QString &promql, qint64 startSeconds, qint64 endSeconds, qint64 stepSeconds, Done done);
    // The label sets of the series that match any of `matchers` in [start, end] (the engine's index granularity:
    // VictoriaMetrics answers by day).
    void series(const QStringList &matchers, qint64 startSeconds, qint64 endSeconds, Done done);
    // Label names.
    void labels(qint64 startSeconds, qint64 endSeconds, Done done);

    // The body of an answer parsed: exposed for the tests and the fuzz target. httpStatus: 0 when the network failed.
    static PromAnswer parse(const QByteArray &body, int httpStatus);

private:
    void get(const QString &path, const QList<std::pair<QString, QString>> &items, Done done);

    QUrl m_base;
    int m_timeoutMs = kDefaultTimeoutMs;
    QNetworkAccessManager *m_network; // a child
};

} // namespace perfdash
