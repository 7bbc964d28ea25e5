// SPDX-License-Identifier: GPL-3.0-or-later
// PromReader against a real VictoriaMetrics holding what two collectors pushed (PromEncoder's exact bytes).
#include "fleetframes.h"
#include "../e2e/victoriametricsprocess.h"
#include "fleet/promclient.h"
#include "fleet/promencoder.h"
#include "fleet/promreader.h"
#include "fleet/promsync.h"
#include "models/coverage.h"
#include "models/kpi.h"
#include "models/timebucket.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <map>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;
using namespace perfdash::test;

namespace {

constexpr qint64 kSeconds = 120; // two minutes of data from host a; host b only the first
constexpr qint64 kPushEvery = 10;

// A one-shot HTTP server that answers every request with `response` (status line, headers and body).
class CannedServer : public QTcpServer {
public:
    explicit CannedServer(QByteArray response)
        : m_response(std::move(response))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    if (!socket->readAll().contains("\r\n\r\n"))
                        return;
                    socket->write(m_response);
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

private:
    QByteArray m_response;
};

} // namespace

class TestPromReader : public QObject {
    Q_OBJECT

    test::VictoriaMetricsProcess m_vm;
    bool m_ready = false;
    qint64 m_t0 = 0;
    std::map<qint64, QVector<double>> m_latency; // bucket start (60 s) -> every value both hosts sent
    std::map<std::pair<QString, qint64>, double> m_requests; // (host, 60 s bucket) -> increments

    QVector<RangeSeries> buckets(PromReader &reader, const QStringList &keys, qint64 from, qint64 to, qint64 step)
    {
        QVector<RangeSeries> out;
        QString error;
        if (!PromSync::buckets(reader, keys, from, to, step, &out, &error, 20000))
            qWarning("%s", qPrintable(error));
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Without the binary only the tests that need no server run.
        if (test::VictoriaMetricsProcess::program().isEmpty())
            return;
        QVERIFY2(m_vm.start(), qPrintable(m_vm.output()));
        m_ready = true;
        m_t0 = floorTo(QDateTime::currentSecsSinceEpoch() - 3600, 60);
        QNetworkAccessManager net;
        for (const QString &host : { u"a"_s, u"b"_s }) {
            PromEncoder encoder({ { "host", host } });
            const qint64 seconds = host == u"a"_s ? kSeconds : kSeconds / 2;
            const int perSecond = host == u"a"_s ? 20 : 10;
            QByteArray pushed;
            for (qint64 s = 0; s < seconds; ++s) {
                const qint64 second = m_t0 + s;
                QVector<double> values;
                for (int i = 0; i < perSecond; ++i) {
                    const int k = int(s) * perSecond + i;
                    values.push_back(host == u"a"_s ? 5 + (k * 7919 % 1000) * 0.1 : 80 + (k * 104729 % 997) * 0.4);
                }
                m_latency[floorTo(second, 60)] += values;
                const double increments = host == u"a"_s ? 3 : 1 + s % 2;
                m_requests[{ host, floorTo(second, 60) }] += increments;
                encoder.add({ second,
                    { timer(u"lat|model:m1"_s, values), counter(u"requests|model:m1"_s, increments),
                        gauge(u"queue|model:m1"_s, host == u"a"_s ? 4 : 8), gauge(Coverage::heartbeatKey(), 3) } });
                if ((s + 1) % kPushEvery == 0)
                    pushed += encoder.takePush((second + 1) * 1000);
            }
            const auto [status, body] = m_vm.post(u"/api/v1/import/prometheus"_s, pushed);
            QVERIFY2(status == 204, body.constData());
        }
        QVERIFY(m_vm.flush());
    }

    void listsSeriesGroupedByHostOrMerged()
    {
        if (!m_ready)
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        PromReader grouped(QUrl(m_vm.url()), PromReader::Hosts::Grouped);
        QVector<PromSeriesInfo> series;
        QString error;
        QVERIFY2(PromSync::series(grouped, m_t0, m_t0 + kSeconds, &series, &error), qPrintable(error));
        QStringList keys;
        for (const PromSeriesInfo &s : series)
            keys << s.key;
        QVERIFY2(keys.contains(u"lat|host:a,model:m1"_s), qPrintable(keys.join(u' ')));
        QVERIFY(keys.contains(u"lat|host:b,model:m1"_s));
        QVERIFY(keys.contains(u"requests|host:b,model:m1"_s));
        QVERIFY(keys.contains(u"perfdash.ingest.live_series|host:a"_s));
        const auto lat = std::find_if(
            series.begin(), series.end(), [](const auto &s) { return s.key == u"lat|host:b,model:m1"_s; });
        QCOMPARE(lat->kind, MetricKind::Timer);
        QCOMPARE(lat->host, u"b"_s);

        PromReader merged(QUrl(m_vm.url()), PromReader::Hosts::Merged);
        QVERIFY2(PromSync::series(merged, m_t0, m_t0 + kSeconds, &series, &error), qPrintable(error));
        keys.clear();
        for (const PromSeriesInfo &s : series)
            keys << s.key;
        QCOMPARE(keys.count(u"lat|model:m1"_s), 1);
        QVERIFY(!keys.join(u' ').contains(u"host:"_s));
        const auto requests
            = std::find_if(series.begin(), series.end(), [](const auto &s) { return s.key == u"requests|model:m1"_s; });
        QCOMPARE(requests->kind, MetricKind::Counter);
        QCOMPARE(requests->host, u"a,b"_s);
    }

    void mergedBucketsAddExactlyAndQuantilesComeFromMergedBuckets()
    {
        if (!m_ready)
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        PromReader reader(QUrl(m_vm.url()), PromReader::Hosts::Merged);
        const QStringList keys { u"lat|model:m1"_s, u"requests|model:m1"_s, u"queue|model:m1"_s,
            Coverage::heartbeatKey(), u"nothing|model:m1"_s };
        const QVector<RangeSeries> series = buckets(reader, keys, m_t0, m_t0 + kSeconds, 60);
        QCOMPARE(series.size(), keys.size());
        for (int i = 0; i < keys.size(); ++i) {
            QCOMPARE(series[i].key, keys[i]);
            QCOMPARE(series[i].step, 60);
        }
        const RangeSeries &lat = series[0];
        QCOMPARE(lat.points.size(), 2);
        QVector<double> all;
        for (const SeriesPoint &p : lat.points) {
            const QVector<double> &values = m_latency.at(p.second);
            all += values;
            QCOMPARE(p.stats.kind, MetricKind::Timer);
            QCOMPARE(p.stats.count, values.size());
            QCOMPARE(p.stats.rate, double(values.size()) / 60.0); // host a covered every second of both minutes
            QVERIFY(!p.stats.sketch.isEmpty());
            for (const auto &[q, got] :
                { std::pair { 0.5, p.stats.p50 }, { 0.95, p.stats.p95 }, { 0.99, p.stats.p99 } }) {
                const double exact = exactQuantile(values, q);
                QVERIFY2(std::abs(got - exact) <= 0.01 * exact + 1e-9,
                    qPrintable(u"q %1: %2 vs exact %3"_s.arg(q).arg(got).arg(exact)));
            }
            QCOMPARE(p.stats.min, *std::min_element(values.begin(), values.end()));
            QCOMPARE(p.stats.max, *std::max_element(values.begin(), values.end()));
            QCOMPARE(p.stats.quantileError, QuantileSketch::kDefaultRelativeAccuracy);
        }
        // The KPI layer merges the buckets' sketches into the window's p95: the union's within the sketch's 1%.
        const Kpi::Latency window = Kpi::latency(lat.points, m_t0, m_t0 + kSeconds);
        QCOMPARE(window.n, quint64(all.size()));
        const double exact = exactQuantile(all, 0.95);
        QVERIFY2(std::abs(window.p95.value - exact) <= 0.01 * exact,
            qPrintable(u"%1 vs %2"_s.arg(window.p95.value).arg(exact)));

        const RangeSeries &requests = series[1];
        QCOMPARE(requests.points.size(), 2);
        for (const SeriesPoint &p : requests.points) {
            const double expected = m_requests[{ u"a"_s, p.second }] + m_requests[{ u"b"_s, p.second }];
            QCOMPARE(double(p.stats.count), expected);
            QCOMPARE(p.stats.rate, expected / 60.0);
        }
        const RangeSeries &queue = series[2];
        QCOMPARE(queue.points.size(), 2);
        QCOMPARE(queue.points[0].stats.count, 120); // 60 s sampled on each host
        QCOMPARE(queue.points[0].stats.sum / 120.0, 6.0); // the mean over both hosts' samples
        QCOMPARE(queue.points[1].stats.count, 60);
        QCOMPARE(queue.points[1].stats.sum / 60.0, 4.0);
        QCOMPARE(queue.points[0].stats.min, 4.0);
        QCOMPARE(queue.points[0].stats.max, 8.0);
        // Covered seconds: the max over hosts, under the plain heartbeat key.
        const RangeSeries &heartbeat = series[3];
        QCOMPARE(heartbeat.points.size(), 2);
        QCOMPARE(heartbeat.points[0].stats.count, 60);
        QCOMPARE(heartbeat.points[1].stats.count, 60);
        QVERIFY(series[4].points.isEmpty());
    }

    void groupedBucketsArePerHostWithTheirOwnCoverage()
    {
        if (!m_ready)
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        PromReader reader(QUrl(m_vm.url()), PromReader::Hosts::Grouped);
        const QStringList keys { u"requests|host:b,model:m1"_s, u"lat|host:a,model:m1"_s, u"lat|host:b,model:m1"_s };
        // Asked from the middle of the first minute: buckets start at multiples of the step.
        const QVector<RangeSeries> series = buckets(reader, keys, m_t0 + 30, m_t0 + kSeconds, 60);
        QCOMPARE(series.size(), 3);
        QCOMPARE(series[0].points.size(), 1); // host b sent the first minute only
        QCOMPARE(series[0].points[0].second, m_t0);
        const double expected = m_requests[{ u"b"_s, m_t0 }];
        QCOMPARE(double(series[0].points[0].stats.count), expected);
        QCOMPARE(series[0].points[0].stats.rate, expected / 60.0);
        QCOMPARE(series[1].points.size(), 2);
        QCOMPARE(series[1].points[0].stats.count, 20 * 60);
        QCOMPARE(series[2].points.size(), 1);
        QCOMPARE(series[2].points[0].stats.count, 10 * 60);
        // Covered seconds: the fleet's (any host up) both minutes, host b's its first only; host b's rate above is
        // per its own covered second, and so is the dashboard's (Coverage::heartbeatKeyFor).
        const QVector<RangeSeries> heartbeats = buckets(reader,
            { Coverage::heartbeatKey(), u"perfdash.ingest.live_series|host:b"_s,
                u"perfdash.ingest.live_series|host:a"_s },
            m_t0, m_t0 + kSeconds, 60);
        QCOMPARE(heartbeats.size(), 3);
        QCOMPARE(heartbeats[0].points.size(), 2);
        QCOMPARE(heartbeats[0].points[1].stats.count, 60);
        QCOMPARE(heartbeats[1].points.size(), 1);
        QCOMPARE(heartbeats[1].points[0].second, m_t0);
        QCOMPARE(heartbeats[1].points[0].stats.count, 60);
        QCOMPARE(heartbeats[1].points[0].stats.key, u"perfdash.ingest.live_series|host:b"_s);
        QCOMPARE(heartbeats[2].points.size(), 2);
    }

    void manyKeysAreBatchedIntoBoundedQueries()
    {
        if (!m_ready)
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        // 400 long names need several queries of bounded length; each key still gets its own answer.
        QStringList keys;
        for (int i = 0; i < 400; ++i)
            keys << u"a.series.nobody.sent.with.a.rather.long.name.%1|model:m1"_s.arg(i);
        keys << u"requests|model:m1"_s;
        PromReader reader(QUrl(m_vm.url()), PromReader::Hosts::Merged);
        const QVector<RangeSeries> series = buckets(reader, keys, m_t0, m_t0 + kSeconds, 60);
        QCOMPARE(series.size(), keys.size());
        for (int i = 0; i < 400; ++i)
            QVERIFY(series[i].points.isEmpty());
        QCOMPARE(series.constLast().key, u"requests|model:m1"_s);
        QCOMPARE(series.constLast().points.size(), 2);
        const double expected = m_requests[{ u"a"_s, m_t0 }] + m_requests[{ u"b"_s, m_t0 }];
        QCOMPARE(double(series.constLast().points[0].stats.count), expected);
    }

    void oneSecondStepsHoldEachPushInItsSecond()
    {
        if (!m_ready)
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        PromReader reader(QUrl(m_vm.url()), PromReader::Hosts::Merged);
        const QVector<RangeSeries> series = buckets(reader, { u"lat|model:m1"_s }, m_t0, m_t0 + kSeconds, 1);
        QCOMPARE(series.size(), 1);
        // A push at T covers the seconds before it: at 1 s steps its whole interval lands in the second before T.
        QCOMPARE(series[0].points.size(), int(kSeconds / kPushEvery));
        qint64 total = 0;
        for (const SeriesPoint &p : series[0].points) {
            QCOMPARE((p.second - m_t0) % kPushEvery, kPushEvery - 1);
            total += p.stats.count;
        }
        QCOMPARE(total, qint64(20 * kSeconds + 10 * kSeconds / 2));
    }

    void thePartialLastBucketIsRead()
    {
        if (!m_ready)
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        // Live mode asks up to now: the bucket that holds now ends in the future, and must still be answered.
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        PromEncoder encoder({ { "host", u"c"_s } });
        for (qint64 s = now - 5; s < now; ++s)
            encoder.add({ s, { counter(u"live.requests"_s, 2) } });
        QCOMPARE(m_vm.post(u"/api/v1/import/prometheus"_s, encoder.takePush(now * 1000)).first, 204);
        QVERIFY(m_vm.flush());
        PromReader reader(QUrl(m_vm.url()), PromReader::Hosts::Merged);
        const qint64 bucket = floorTo(now, 60);
        const QVector<RangeSeries> series = buckets(reader, { u"live.requests"_s }, bucket - 60, now + 1, 60);
        QCOMPARE(series.size(), 1);
        qint64 total = 0;
        for (const SeriesPoint &p : series[0].points)
            total += p.stats.count;
        QCOMPARE(total, 10);
        QCOMPARE(series[0].points.constLast().second, floorTo(now - 1, 60));
    }

    void parsesTheApisJson()
    {
        // A matrix (the fast scanner): labels with braces, quotes and escapes; NaN and infinities; fractional times.
        const QByteArray matrix = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[\n"
                                  "  "
                                  "{\"metric\":{\"a\":\"x}\\\"{\",\"b\":\"\\u00e9\"},\"values\":[[1700000000,\"1.5\"],["
                                  "1700000060.5,\"NaN\"],"
                                  "[1700000120,\"+Inf\"]]},\n"
                                  "  {\"metric\":{},\"values\":[]}]},\"stats\":{\"seriesFetched\":\"2\"}}";
        const PromAnswer m = PromClient::parse(matrix, 200);
        QVERIFY2(m.ok, qPrintable(m.error));
        QCOMPARE(m.series.size(), 2);
        QCOMPARE(m.series[0].labels.value(u"a"_s), u"x}\"{"_s);
        QCOMPARE(m.series[0].labels.value(u"b"_s), u"\u00e9"_s);
        QCOMPARE(m.series[0].samples.size(), 3);
        QCOMPARE(m.series[0].samples[0], std::make_pair(qint64(1700000000000), 1.5));
        QCOMPARE(m.series[0].samples[1].first, qint64(1700000060500));
        QVERIFY(std::isnan(m.series[0].samples[1].second));
        QVERIFY(std::isinf(m.series[0].samples[2].second));
        // Keys in another order, a vector, a scalar: the general parser.
        const PromAnswer reordered
            = PromClient::parse("{\"data\":{\"result\":[{\"values\":[[1,\"-Inf\"]],\"metric\":"
                                "{\"k\":\"v\"}}],\"resultType\":\"matrix\"},\"status\":\"success\"}",
                200);
        QVERIFY(reordered.ok);
        QCOMPARE(reordered.series[0].labels.value(u"k"_s), u"v"_s);
        QCOMPARE(reordered.series[0].samples[0].second, -std::numeric_limits<double>::infinity());
        const PromAnswer vector
            = PromClient::parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                                "[{\"metric\":{\"k\":\"v\"},\"value\":[2,\"7\"]}]}}",
                200);
        QCOMPARE(vector.series[0].samples[0], std::make_pair(qint64(2000), 7.0));
        const PromAnswer broken = PromClient::parse(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,",
            200);
        QVERIFY(!broken.ok); // the general parser: not JSON
        QVERIFY2(broken.error.startsWith(u"not a Prometheus API answer"_s), qPrintable(broken.error));
    }

    void failuresSayWhy_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("expected");
        QTest::newRow("422 with the API's error")
            << "HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/json\r\n"
               "Content-Length: 67\r\n\r\n{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"cannot parse it\"}"_ba
            << u"HTTP 422: bad_data: cannot parse it"_s;
        QTest::newRow("503 from a proxy")
            << "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\n\r\nmaintenance"_ba
            << u"HTTP 503: not a Prometheus API answer: maintenance"_s;
    }
    void failuresSayWhy()
    {
        QFETCH(QByteArray, response);
        QFETCH(QString, expected);
        CannedServer server(response);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        PromReader reader(QUrl(u"http://127.0.0.1:%1"_s.arg(server.serverPort())), PromReader::Hosts::Merged);
        QSignalSpy failed(&reader, &PromReader::failed);
        reader.requestBuckets({ u"lat"_s }, 0, 600, 60, 7);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed[0][0].toULongLong(), 7ull);
        QVERIFY2(failed[0][1].toString().contains(expected), qPrintable(failed[0][1].toString()));
        QVERIFY2(failed[0][1].toString().contains(u"/api/v1/query_range"_s), qPrintable(failed[0][1].toString()));
        // The other queries' failures are not answered again.
        QTRY_COMPARE_WITH_TIMEOUT(reader.queriesInFlight(), 0, 10000);
        QCOMPARE(failed.size(), 1);
    }

    void aRefusedConnectionNamesTheServer()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        const QString url = u"http://127.0.0.1:%1"_s.arg(port);
        PromReader reader { QUrl(url) };
        QSignalSpy failed(&reader, &PromReader::failed);
        reader.requestSeries(0, 600, 3);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed[0][1].toString(), u"cannot reach "_s % url % u": Connection refused"_s);
    }

    void aWrongPathSaysWhatTheServerSaid()
    {
        if (!m_ready)
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        PromReader reader(QUrl(m_vm.url() + u"/select/0/prometheus"_s), PromReader::Hosts::Merged);
        QSignalSpy failed(&reader, &PromReader::failed);
        reader.requestSeries(m_t0, m_t0 + 60, 4);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        const QString message = failed[0][1].toString();
        QVERIFY2(message.contains(u"/select/0/prometheus/api/v1/series answered HTTP 4"_s), qPrintable(message));
    }

    void aSlowServerTimesOut()
    {
        QTcpServer silent; // accepts and never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        PromReader reader(QUrl(u"http://127.0.0.1:%1"_s.arg(silent.serverPort())));
        reader.setTimeoutMs(300);
        QSignalSpy failed(&reader, &PromReader::failed);
        reader.requestSeries(0, 600, 5);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QVERIFY2(failed[0][1].toString().contains(u"no answer within 0.3 s"_s), qPrintable(failed[0][1].toString()));
    }
};

QTEST_GUILESS_MAIN(TestPromReader)
#include "tst_promreader.moc"
