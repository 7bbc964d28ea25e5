// SPDX-License-Identifier: GPL-3.0-or-later
// Alert rules end to end: a real perfdashd evaluating a rules file on real UDP traffic, the transitions in
// alert_events and on live.sock, the replay of `perfdashd rules test` agreeing with them, a restart that neither fires
// twice nor loses the resolution, and a rules file reloaded (or refused) while the collector runs.
#include "collector/liveprotocol.h"
#include "collectorprocess.h"
#include "perfdashdcommand.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

// Error rate over 5 s above 5 % for 2 s: the collector evaluates every second (PERF_MONITORING_INTERVAL=1).
constexpr qint64 kWindow = 5;
constexpr qint64 kFor = 2;

QByteArray rulesJson(double threshold = 0.05, const QString &extraRule = {})
{
    QJsonArray rules { QJsonObject { { u"id"_s, u"errors"_s }, { u"metric"_s, u"error_rate"_s },
        { u"condition"_s, u"above"_s }, { u"threshold"_s, threshold }, { u"window"_s, u"5s"_s }, { u"for"_s, u"2s"_s },
        { u"severity"_s, u"critical"_s } } };
    if (!extraRule.isEmpty())
        rules.append(QJsonObject { { u"id"_s, extraRule }, { u"metric"_s, u"latency_p95"_s },
            { u"condition"_s, u"above"_s }, { u"threshold"_s, 1000 }, { u"window"_s, u"5s"_s } });
    return QJsonDocument(QJsonObject { { u"model_id"_s, u"m1"_s }, { u"alert_rules"_s, rules } }).toJson();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size() && f.commit();
}

// Sends m1's requests every 50 ms while the test waits: 20 per tick, `errorShare` of them failed.
class Traffic {
public:
    explicit Traffic(CollectorProcess *collector)
        : m_collector(collector)
    {
        m_timer.setInterval(50);
        QObject::connect(&m_timer, &QTimer::timeout, [this]() { tick(); });
        m_timer.start();
    }
    void setErrorShare(int outOf20)
    {
        m_errors = outOf20;
        if (outOf20 > 0 && m_firstBadSecond < 0)
            m_firstBadSecond = QDateTime::currentSecsSinceEpoch();
    }
    qint64 firstBadSecond() const { return m_firstBadSecond; }
    void retarget(CollectorProcess *collector) { m_collector = collector; }

private:
    void tick()
    {
        for (int i = 0; i < 20; ++i) {
            const bool failed = i < m_errors;
            m_collector->send("api.requests:1|c|#model:m1,status:"_ba + (failed ? "error" : "ok"));
        }
    }
    CollectorProcess *m_collector;
    QTimer m_timer;
    int m_errors = 0;
    qint64 m_firstBadSecond = -1;
};

// Alert messages read from live.sock as they come.
class AlertListener {
public:
    bool connectTo(const QString &path)
    {
        if (!m_reader.connectTo(path))
            return false;
        QObject::connect(&m_reader.socket, &QLocalSocket::readyRead, [this]() {
            while (m_reader.socket.canReadLine()) {
                QJsonObject other;
                if (LiveProtocol::decode(m_reader.socket.readLine(), nullptr, nullptr, &other)
                    == LiveProtocol::MessageType::Alerts)
                    events += LiveProtocol::alertEventsOf(other);
            }
        });
        return true;
    }
    QStringList states() const
    {
        QStringList out;
        for (const AlertEvent &e : events)
            out << e.state;
        return out;
    }
    QVector<AlertEvent> events;

private:
    LiveReader m_reader;
};

QJsonArray storedAlerts(const QString &db)
{
    const Exported e = runPerfdashd({ u"alerts"_s, u"--db"_s, db, u"--from"_s, u"-1h"_s, u"--format"_s, u"json"_s });
    return QJsonDocument::fromJson(e.out).array();
}

QStringList storedStates(const QString &db)
{
    QStringList out;
    for (const auto &v : storedAlerts(db))
        out << v.toObject().value(u"state"_s).toString();
    return out;
}

} // namespace

class TstAlertsE2e : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_temp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_temp->isValid());
        m_rules = m_dir().filePath(u"rules.json"_s);
        QVERIFY(writeFile(m_rules, rulesJson()));
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(u"PERF_MONITORING_INTERVAL"_s, u"1"_s);
        m_env.insert(u"XDG_CONFIG_HOME"_s, m_dir().filePath(u"config"_s));
    }

    void firesResolvesSurvivesARestartAndReplaysAlike()
    {
        auto collector = std::make_unique<CollectorProcess>(m_temp->path());
        collector->process.setProcessEnvironment(m_env);
        QVERIFY(collector->start({ u"--rules"_s, m_rules, u"--grace-ms"_s, u"200"_s, u"--no-sampling"_s }));
        AlertListener live;
        QVERIFY(live.connectTo(collector->livePath));
        Traffic traffic(collector.get());

        // Healthy traffic: evaluations run, nothing fires.
        QTRY_VERIFY_WITH_TIMEOUT(statsOf(*collector).value(u"alerts.evaluations"_s).toInt() >= 3, 30000);
        QCOMPARE(statsOf(*collector).value(u"alerts.rules"_s), u"1"_s);
        QVERIFY(live.events.isEmpty());

        // 20 % errors: pending, then firing within window + for + 1 s of the first failed second.
        QElapsedTimer wall;
        wall.start();
        traffic.setErrorShare(4);
        QTRY_VERIFY_WITH_TIMEOUT(live.states().contains(u"firing"_s), 30000);
        const qint64 wallMs = wall.elapsed();
        const AlertEvent firing = live.events[live.states().indexOf(u"firing"_s)];
        QCOMPARE(firing.ruleId, u"errors"_s);
        QCOMPARE(firing.instance, u"model:m1"_s);
        QCOMPARE(firing.severity, u"critical"_s);
        QVERIFY2(firing.value > 0.05, qPrintable(firing.message));
        QVERIFY2(firing.time - traffic.firstBadSecond() <= kWindow + kFor + 1,
            qPrintable(u"fired at %1, first failures at %2"_s.arg(firing.time).arg(traffic.firstBadSecond())));
        qInfo("firing reached live.sock %lld ms after the first failed request (evaluation time %lld s after it)",
            wallMs, firing.time - traffic.firstBadSecond());
        QCOMPARE(live.states().indexOf(u"pending"_s), 0);

        // A restart while it fires: the alert is resumed, not fired again.
        QTRY_VERIFY_WITH_TIMEOUT(storedStates(collector->dbPath).contains(u"firing"_s), 30000);
        QCOMPARE(collector->stop(), 0);
        collector = std::make_unique<CollectorProcess>(m_temp->path());
        collector->process.setProcessEnvironment(m_env);
        QVERIFY(collector->start({ u"--rules"_s, m_rules, u"--grace-ms"_s, u"200"_s, u"--no-sampling"_s }));
        traffic.retarget(collector.get());
        AlertListener again;
        QVERIFY(again.connectTo(collector->livePath));
        const int evaluated = statsOf(*collector).value(u"alerts.evaluations"_s).toInt();
        QTRY_VERIFY_WITH_TIMEOUT(statsOf(*collector).value(u"alerts.evaluations"_s).toInt() >= evaluated + 3, 30000);
        QCOMPARE(statsOf(*collector).value(u"alerts.firing"_s), u"1"_s);
        QVERIFY2(again.events.isEmpty(), qPrintable(again.states().join(u", "_s)));

        // Healthy again: the resumed alert resolves, once.
        traffic.setErrorShare(0);
        QTRY_VERIFY_WITH_TIMEOUT(again.states().contains(u"resolved"_s), 30000);
        QCOMPARE(again.states(), QStringList { u"resolved"_s });
        QCOMPARE(collector->stop(), 0);
        QCOMPARE(storedStates(collector->dbPath), (QStringList { u"pending"_s, u"firing"_s, u"resolved"_s }));

        // The replay of the same rules on the stored seconds gives the same firing and resolution.
        const QJsonArray stored = storedAlerts(collector->dbPath);
        const Exported replay = runPerfdashd({ u"rules"_s, u"test"_s, u"--rules"_s, m_rules, u"--db"_s,
            collector->dbPath, u"--from"_s, u"-10m"_s, u"--interval"_s, u"1s"_s, u"--format"_s, u"json"_s });
        QCOMPARE(replay.exitCode, 0);
        const QJsonObject result = QJsonDocument::fromJson(replay.out).object();
        const QJsonArray firings = result.value(u"rules"_s).toArray().at(0).toObject().value(u"firings"_s).toArray();
        QCOMPARE(firings.size(), 1);
        QCOMPARE(firings[0].toObject().value(u"start"_s), stored[1].toObject().value(u"time"_s));
        QCOMPARE(firings[0].toObject().value(u"end"_s), stored[2].toObject().value(u"time"_s));
    }

    void evaluatesOnMultiplesOfTheIntervalWheneverItStarted()
    {
        // An interval of 3 s: evaluation times are multiples of it, not of the start time (a collector that started
        // at second 1 of an interval once evaluated nothing at all).
        CollectorProcess collector(m_temp->path());
        QProcessEnvironment env = m_env;
        env.insert(u"PERF_MONITORING_INTERVAL"_s, u"3"_s);
        collector.process.setProcessEnvironment(env);
        QVERIFY(collector.start({ u"--rules"_s, m_rules, u"--grace-ms"_s, u"200"_s, u"--no-sampling"_s }));
        AlertListener live;
        QVERIFY(live.connectTo(collector.livePath));
        Traffic traffic(&collector);
        traffic.setErrorShare(4);
        QTRY_VERIFY_WITH_TIMEOUT(live.states().contains(u"firing"_s), 30000);
        for (const AlertEvent &e : std::as_const(live.events))
            QCOMPARE(e.time % 3, 0);
        QCOMPARE(statsOf(collector).value(u"alerts.last_evaluated"_s).toLongLong() % 3, 0);
        QCOMPARE(collector.stop(), 0);
    }

    void rulesFileReloadsAndARefusedOneKeepsTheRulesRunning()
    {
        CollectorProcess collector(m_temp->path());
        collector.process.setProcessEnvironment(m_env);
        QVERIFY(collector.start({ u"--rules"_s, m_rules, u"--grace-ms"_s, u"200"_s, u"--no-sampling"_s }));
        QCOMPARE(statsOf(collector).value(u"alerts.rules"_s), u"1"_s);

        // An invalid file (a threshold of 5 for a ratio): refused, with the rule and field named; 1 rule still runs.
        QVERIFY(writeFile(m_rules, rulesJson(5)));
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"alerts.rules_refused"_s), u"1"_s, 30000);
        QCOMPARE(statsOf(collector).value(u"alerts.rules"_s), u"1"_s);
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += collector.process.readAllStandardError())
                                     .contains("rule 1 (errors), field \"threshold\": error_rate is a ratio"),
            30000);

        // A valid edit with a second rule: picked up.
        QVERIFY(writeFile(m_rules, rulesJson(0.05, u"slow"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"alerts.rules"_s), u"2"_s, 30000);
        QCOMPARE(collector.stop(), 0);
    }

    void aRulesFileCreatedLaterIsPickedUp()
    {
        // A fresh account: no ~/.config/perfdash yet. The collector runs the defaults, and the first save (which
        // creates the folder) is picked up without a restart.
        CollectorProcess collector(m_temp->path());
        collector.process.setProcessEnvironment(m_env);
        QVERIFY(collector.start({ u"--no-sampling"_s }));
        QCOMPARE(statsOf(collector).value(u"alerts.rules_source"_s), u"defaults"_s);
        const QString folder = m_dir().filePath(u"config/perfdash"_s);
        QVERIFY(!QFileInfo::exists(folder));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(writeFile(folder + u"/rules.json"_s, rulesJson(0.05, u"slow"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"alerts.rules"_s), u"2"_s, 30000);
        QCOMPARE(statsOf(collector).value(u"alerts.rules_source"_s), folder + u"/rules.json"_s);
        QCOMPARE(collector.stop(), 0);
    }

    void defaultsComeFromTheEnvironmentWithoutARulesFile()
    {
        CollectorProcess collector(m_temp->path());
        QProcessEnvironment env = m_env;
        env.insert(u"PERF_ERROR_RATE_MAX"_s, u"two"_s);
        collector.process.setProcessEnvironment(env);
        QVERIFY(collector.start({ u"--no-sampling"_s }));
        QCOMPARE(statsOf(collector).value(u"alerts.rules_source"_s), u"defaults"_s);
        QCOMPARE(statsOf(collector).value(u"alerts.rules"_s), u"3"_s);
        QCOMPARE(collector.stop(), 0);
        QVERIFY(collector.process.readAllStandardError().contains("PERF_ERROR_RATE_MAX=two is not a number"));

        // --rules naming a missing file is an error at start.
        CollectorProcess missing(m_temp->path());
        missing.process.setProcessEnvironment(m_env);
        QVERIFY(!missing.start({ u"--rules"_s, m_dir().filePath(u"nope.json"_s) }));
        missing.process.waitForFinished(10000);
        QVERIFY(missing.process.readAllStandardError().contains("--rules: no file"));
    }

    void cleanup() { m_temp.reset(); }

private:
    QDir m_dir() const { return QDir(m_temp->path()); }
    std::unique_ptr<QTemporaryDir> m_temp;
    QString m_rules;
    QProcessEnvironment m_env;
};

QTEST_GUILESS_MAIN(TstAlertsE2e)
#include "tst_alerts_e2e.moc"
