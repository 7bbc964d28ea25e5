// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/promclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QLocale>

#include <charconv>
#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

double parseValue(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    const QByteArray text = value.toString().toLatin1();
    if (text == "NaN")
        return std::numeric_limits<double>::quiet_NaN();
    if (text == "+Inf" || text == "Inf")
        return std::numeric_limits<double>::infinity();
    if (text == "-Inf")
        return -std::numeric_limits<double>::infinity();
    double out = 0;
    const auto [end, error] = std::from_chars(text.constData(), text.constData() + text.size(), out);
    if (error != std::errc() || end != text.constData() + text.size())
        return std::numeric_limits<double>::quiet_NaN();
    return out;
}

// [time, "value"]: time in seconds, a number with up to millisecond decimals.
std::pair<qint64, double> parseSample(const QJsonArray &pair)
{
    return { qint64(std::llround(pair.at(0).toDouble() * 1000.0)), parseValue(pair.at(1)) };
}

QHash<QString, QString> parseLabels(const QJsonObject &object)
{
    QHash<QString, QString> labels;
    labels.reserve(object.size());
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        labels.insert(it.key(), it.value().toString());
    return labels;
}

} // namespace

PromClient::PromClient(const QUrl &base, QObject *parent)
    : QObject(parent)
    , m_base(base)
    , m_network(new QNetworkAccessManager(this))
{
}

PromClient::~PromClient() = default;

PromAnswer PromClient::parse(const QByteArray &body, int httpStatus)
{
    PromAnswer answer;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    const QJsonObject root = document.object();
    if (root.value(u"status"_s).toString() != u"success"_s) {
        QString message = root.value(u"error"_s).toString();
        const QString type = root.value(u"errorType"_s).toString();
        if (!message.isEmpty() && !type.isEmpty() && !message.startsWith(type))
            message = type % u": "_s % message;
        if (message.isEmpty()) {
            // Not the API's JSON (a proxy's page, a wrong path): its first line says more than a parse error.
            const QString text = QString::fromUtf8(body.left(200)).simplified();
            message = text.isEmpty() ? u"an empty answer"_s : u"not a Prometheus API answer: "_s % text;
        }
        answer.error = httpStatus != 0 && httpStatus != 200 ? u"HTTP "_s % QString::number(httpStatus) % u": "_s % message
                                                             : message;
        return answer;
    }
    const QJsonValue data = root.value(u"data"_s);
    if (data.isArray()) { // /api/v1/series: label sets; /api/v1/labels: names
        for (const QJsonValue &item : data.toArray()) {
            if (item.isObject())
                answer.series.push_back({ parseLabels(item.toObject()), {} });
            else
                answer.names.push_back(item.toString());
        }
        answer.ok = true;
        return answer;
    }
    const QJsonObject object = data.toObject();
    const QString type = object.value(u"resultType"_s).toString();
    const QJsonValue result = object.value(u"result"_s);
    if (type == u"scalar"_s) {
        answer.series.push_back({ {}, { parseSample(result.toArray()) } });
    } else {
        for (const QJsonValue &item : result.toArray()) {
            const QJsonObject one = item.toObject();
            PromSeries series;
            series.labels = parseLabels(one.value(u"metric"_s).toObject());
            if (one.contains(u"value"_s)) {
                series.samples.push_back(parseSample(one.value(u"value"_s).toArray()));
            } else {
                const QJsonArray values = one.value(u"values"_s).toArray();
                series.samples.reserve(values.size());
                for (const QJsonValue &v : values)
                    series.samples.push_back(parseSample(v.toArray()));
            }
            answer.series.push_back(std::move(series));
        }
    }
    answer.ok = true;
    return answer;
}

void PromClient::get(const QString &path, const QList<std::pair<QString, QString>> &items, Done done)
{
    QUrl url = m_base;
    QString basePath = url.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath % u"/api/v1/"_s % path);
    // Encoded by hand: QUrlQuery leaves '+' as is, which a Go server reads as a space (a regex's `.+`).
    QByteArray query;
    for (const auto &[key, value] : items) {
        if (!query.isEmpty())
            query += '&';
        query += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setTransferTimeout(m_timeoutMs);
    request.setRawHeader("Accept", "application/json");
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        PromAnswer answer;
        if (status == 0) {
            // No HTTP answer at all: refused, unresolved, timed out.
            const QString why = reply->error() == QNetworkReply::OperationCanceledError
                ? u"no answer within %1 s"_s.arg(QLocale::c().toString(m_timeoutMs / 1000.0))
                : reply->errorString();
            answer.error = u"cannot reach "_s % m_base.toString() % u": "_s % why;
        } else {
            answer = parse(reply->readAll(), status);
            if (answer.ok && status != 200) {
                answer.ok = false;
                answer.error = u"HTTP "_s % QString::number(status);
            }
            if (!answer.ok)
                answer.error = reply->url().path() % u" answered "_s % answer.error;
        }
        done(answer);
    });
}

void PromClient::query(const QString &promql, qint64 timeSeconds, Done done)
{
    get(u"query"_s, { { u"query"_s, promql }, { u"time"_s, QString::number(timeSeconds) } }, std::move(done));
}

void PromClient::queryRange(const QString &promql, qint64 startSeconds, qint64 endSeconds, qint64 stepSeconds, Done done)
{
    get(u"query_range"_s,
        { { u"query"_s, promql }, { u"start"_s, QString::number(startSeconds) }, { u"end"_s, QString::number(endSeconds) },
            { u"step"_s, QString::number(stepSeconds) } },
        std::move(done));
}

void PromClient::series(const QStringList &matchers, qint64 startSeconds, qint64 endSeconds, Done done)
{
    QList<std::pair<QString, QString>> items;
    for (const QString &m : matchers)
        items.push_back({ u"match[]"_s, m });
    items.push_back({ u"start"_s, QString::number(startSeconds) });
    items.push_back({ u"end"_s, QString::number(endSeconds) });
    get(u"series"_s, items, std::move(done));
}

void PromClient::labels(qint64 startSeconds, qint64 endSeconds, Done done)
{
    get(u"labels"_s, { { u"start"_s, QString::number(startSeconds) }, { u"end"_s, QString::number(endSeconds) } },
        std::move(done));
}

} // namespace perfdash
