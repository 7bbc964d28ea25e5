// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/promclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// A sample value as the API writes it: a decimal, "NaN", "+Inf" or "-Inf"; NaN for anything else.
double numberOf(QByteArrayView text)
{
    if (text == "NaN")
        return std::numeric_limits<double>::quiet_NaN();
    if (text == "+Inf" || text == "Inf")
        return std::numeric_limits<double>::infinity();
    if (text == "-Inf")
        return -std::numeric_limits<double>::infinity();
    double out = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (error != std::errc() || end != text.data() + text.size())
        return std::numeric_limits<double>::quiet_NaN();
    return out;
}

double parseValue(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    // On the stack: a heap copy per value would show in a large answer.
    const QString text = value.toString();
    char buffer[64];
    if (text.size() >= qsizetype(sizeof buffer))
        return std::numeric_limits<double>::quiet_NaN();
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i)
        buffer[i] = char(text[i].unicode() < 128 ? text[i].unicode() : '?');
    return numberOf(QByteArrayView(buffer, n));
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

// A fast path for the bulk of a range query's answer: the matrix's sample pairs are scanned in place, and only each
// series' small label object goes through QJsonDocument (a DOM of a 100 MB answer, a QString per value, costs seconds).
// Anything it does not expect, it leaves to the general parser: nullopt.
class MatrixScanner {
public:
    explicit MatrixScanner(const QByteArray &body)
        : m_p(body.constData())
        , m_end(body.constData() + body.size())
    { }

    std::optional<QVector<PromSeries>> scan()
    {
        // The shape both servers write: {"status":"success","data":{"resultType":"matrix","result":[...]}...}
        const QByteArrayView all(m_p, m_end - m_p);
        const qsizetype result = all.indexOf("\"result\":[");
        if (result < 0 || all.first(result).indexOf("\"status\":\"success\"") < 0
            || all.first(result).indexOf("\"resultType\":\"matrix\"") < 0)
            return std::nullopt;
        m_p += result + 10;
        QVector<PromSeries> out;
        skipSpace();
        if (eat(']'))
            return out;
        do {
            PromSeries series;
            if (!seriesObject(&series))
                return std::nullopt;
            out.push_back(std::move(series));
            skipSpace();
        } while (eat(','));
        skipSpace();
        if (!eat(']'))
            return std::nullopt;
        return out;
    }

private:
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool eat(char c)
    {
        skipSpace();
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    // A JSON string's raw bytes (escapes kept), after its opening quote was eaten.
    bool rawString(QByteArrayView *out)
    {
        const char *begin = m_p;
        while (m_p < m_end && *m_p != '"') {
            if (*m_p == '\\')
                ++m_p;
            ++m_p;
        }
        if (m_p >= m_end)
            return false;
        *out = QByteArrayView(begin, m_p - begin);
        ++m_p;
        return true;
    }
    // An object, skipped with strings honoured; *out spans it braces included.
    bool object(QByteArrayView *out)
    {
        skipSpace();
        const char *begin = m_p;
        if (!eat('{'))
            return false;
        int depth = 1;
        while (m_p < m_end && depth > 0) {
            const char c = *m_p++;
            if (c == '"') {
                QByteArrayView ignored;
                if (!rawString(&ignored))
                    return false;
            } else if (c == '{') {
                ++depth;
            } else if (c == '}') {
                --depth;
            }
        }
        *out = QByteArrayView(begin, m_p - begin);
        return depth == 0;
    }
    // [time, "value"]
    bool pair(std::pair<qint64, double> *out)
    {
        if (!eat('['))
            return false;
        skipSpace();
        double seconds = 0;
        const auto [end, error] = std::from_chars(m_p, m_end, seconds);
        if (error != std::errc())
            return false;
        m_p = end;
        if (!eat(',') || !eat('"'))
            return false;
        QByteArrayView text;
        if (!rawString(&text) || !eat(']'))
            return false;
        out->first = qint64(std::llround(seconds * 1000.0));
        out->second = numberOf(text);
        return true;
    }
    bool seriesObject(PromSeries *series)
    {
        if (!eat('{'))
            return false;
        do {
            if (!eat('"'))
                return false;
            QByteArrayView key;
            if (!rawString(&key) || !eat(':'))
                return false;
            if (key == "metric") {
                QByteArrayView labels;
                if (!object(&labels))
                    return false;
                series->labels = parseLabels(QJsonDocument::fromJson(labels.toByteArray()).object());
            } else if (key == "values") {
                if (!eat('['))
                    return false;
                if (!eat(']')) {
                    do {
                        std::pair<qint64, double> sample;
                        if (!pair(&sample))
                            return false;
                        series->samples.push_back(sample);
                    } while (eat(','));
                    if (!eat(']'))
                        return false;
                }
            } else {
                return false; // not what a matrix holds: the general parser decides
            }
        } while (eat(','));
        return eat('}');
    }

    const char *m_p;
    const char *m_end;
};

} // namespace

PromClient::PromClient(const QUrl &base, QObject *parent)
    : QObject(parent)
    , m_base(base)
    , m_network(new QNetworkAccessManager(this))
{ }

PromClient::~PromClient() = default;

PromAnswer PromClient::parse(const QByteArray &body, int httpStatus)
{
    PromAnswer answer;
    if (httpStatus == 200 || httpStatus == 0) {
        if (auto matrix = MatrixScanner(body).scan()) {
            answer.ok = true;
            answer.series = std::move(*matrix);
            return answer;
        }
    }
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
        answer.error = httpStatus != 0 && httpStatus != 200
            ? u"HTTP "_s % QString::number(httpStatus) % u": "_s % message
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

void PromClient::queryRange(
    const QString &promql, qint64 startSeconds, qint64 endSeconds, qint64 stepSeconds, Done done)
{
    get(u"query_range"_s,
        { { u"query"_s, promql }, { u"start"_s, QString::number(startSeconds) },
            { u"end"_s, QString::number(endSeconds) }, { u"step"_s, QString::number(stepSeconds) } },
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
