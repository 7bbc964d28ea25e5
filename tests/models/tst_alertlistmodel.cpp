// SPDX-License-Identifier: GPL-3.0-or-later
// The alerts panel's model: one row per alert in its current state (active first, newest first), live and stored
// transitions merged, acknowledgements and silences with injected times, and the queries of tiles and charts.
#include "models/alertlistmodel.h"
#include "models/kpicatalog.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 t0 = 1795464000; // 2026-11-23T20:00:00Z

AlertEvent alertEvent(qint64 time, const QString &rule, const QString &model, const QString &state,
    const QString &severity = u"critical"_s, double value = 143)
{
    AlertEvent e;
    e.time = time;
    e.ruleId = rule;
    e.ruleName = rule;
    e.instance = u"model:"_s % model;
    e.severity = severity;
    e.state = state;
    e.value = value;
    e.threshold = 100;
    e.message = u"latency_p95 of "_s % model % u" is 143 ms, above 100 ms over 15m"_s;
    return e;
}

QString key(const QString &rule, const QString &model)
{
    return AlertListModel::keyOf(rule, u"model:"_s % model);
}

QStringList rows(const AlertListModel &m)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.index(r, AlertListModel::RuleColumn).data().toString() % u'/'
                % m.index(r, AlertListModel::ModelColumn).data().toString() % u'='
                % m.index(r, AlertListModel::StateColumn).data(AlertListModel::StateRole).toString();
    return out;
}

AlertRule latencyRule()
{
    AlertRule r;
    r.id = u"latency-high"_s;
    r.name = u"latency-high"_s;
    r.metric = u"latency_p95"_s;
    r.condition = AlertRule::Condition::Above;
    r.threshold = 100;
    r.severity = AlertRule::Severity::Critical;
    return r;
}

} // namespace

class TestAlertListModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void activeFirstNewestFirst()
    {
        AlertListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.addEvents({ alertEvent(t0, u"a"_s, u"m1"_s, u"firing"_s), alertEvent(t0 + 10, u"b"_s, u"m1"_s, u"pending"_s),
            alertEvent(t0 + 20, u"c"_s, u"m2"_s, u"firing"_s) });
        QCOMPARE(rows(m), (QStringList { u"c/m2=firing"_s, u"a/m1=firing"_s, u"b/m1=pending"_s }));
        m.addEvents({ alertEvent(t0 + 30, u"c"_s, u"m2"_s, u"resolved"_s) });
        QCOMPARE(rows(m), (QStringList { u"a/m1=firing"_s, u"b/m1=pending"_s, u"c/m2=resolved"_s }));
        m.addEvents({ alertEvent(t0 + 40, u"b"_s, u"m1"_s, u"firing"_s) });
        QCOMPARE(rows(m), (QStringList { u"b/m1=firing"_s, u"a/m1=firing"_s, u"c/m2=resolved"_s }));
        m.addEvents({ alertEvent(t0 + 50, u"a"_s, u"m1"_s, u"resolved"_s) });
        QCOMPARE(rows(m), (QStringList { u"b/m1=firing"_s, u"a/m1=resolved"_s, u"c/m2=resolved"_s }));
        QCOMPARE(m.firingCount(), 1);
        QCOMPARE(m.index(0, AlertListModel::SinceColumn).data(AlertListModel::SinceRole).toLongLong(), t0 + 40);
    }

    void moveKeepsSelectionNarrowChanges()
    {
        AlertListModel m;
        m.addEvents(
            { alertEvent(t0, u"a"_s, u"m1"_s, u"firing"_s), alertEvent(t0 + 10, u"b"_s, u"m1"_s, u"firing"_s) });
        const QPersistentModelIndex a = m.index(1, 0);
        QCOMPARE(a.data(AlertListModel::KeyRole).toString(), key(u"a"_s, u"m1"_s));
        QSignalSpy moved(&m, &QAbstractItemModel::rowsMoved);
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        m.addEvents({ alertEvent(t0 + 20, u"b"_s, u"m1"_s, u"resolved"_s) });
        QCOMPARE(moved.size(), 1);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(a.row(), 0);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.constFirst().at(0).toModelIndex().row(), changed.constFirst().at(1).toModelIndex().row());
    }

    void pendingThatNeverFiredLeaves()
    {
        AlertListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.addEvents({ alertEvent(t0, u"a"_s, u"m1"_s, u"pending"_s) });
        QCOMPARE(m.rowCount(), 1);
        m.addEvents({ alertEvent(t0 + 60, u"a"_s, u"m1"_s, u"inactive"_s) });
        QCOMPARE(m.rowCount(), 0);
        // One that resolved before shows that resolution again.
        m.addEvents({ alertEvent(t0 + 100, u"a"_s, u"m1"_s, u"firing"_s),
            alertEvent(t0 + 200, u"a"_s, u"m1"_s, u"resolved"_s), alertEvent(t0 + 300, u"a"_s, u"m1"_s, u"pending"_s),
            alertEvent(t0 + 360, u"a"_s, u"m1"_s, u"inactive"_s) });
        QCOMPARE(rows(m), QStringList { u"a/m1=resolved"_s });
        QCOMPARE(m.alert(key(u"a"_s, u"m1"_s))->since, t0 + 200);
    }

    void historyAndLiveMergeWithoutDuplicates()
    {
        AlertListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy added(&m, &AlertListModel::eventsAdded);
        m.addEvents({ alertEvent(t0 + 100, u"a"_s, u"m1"_s, u"firing"_s) });
        m.addEvents({ alertEvent(t0 + 100, u"a"_s, u"m1"_s, u"firing"_s) }); // sent twice: counted once
        QCOMPARE(added.size(), 1);
        // The store has it too, and what came before; history notifies nothing.
        m.setHistory({ alertEvent(t0 + 100, u"a"_s, u"m1"_s, u"firing"_s), alertEvent(t0, u"b"_s, u"m2"_s, u"firing"_s),
            alertEvent(t0 + 50, u"b"_s, u"m2"_s, u"resolved"_s) });
        QCOMPARE(added.size(), 1);
        QCOMPARE(rows(m), (QStringList { u"a/m1=firing"_s, u"b/m2=resolved"_s }));
        // An older transition arriving late changes nothing.
        m.addEvents({ alertEvent(t0 + 20, u"b"_s, u"m2"_s, u"firing"_s) });
        QCOMPARE(added.size(), 1);
        QCOMPARE(rows(m), (QStringList { u"a/m1=firing"_s, u"b/m2=resolved"_s }));
    }

    void sameHistoryAgainKeepsTheRows()
    {
        AlertListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QVector<AlertEvent> stored { alertEvent(t0, u"a"_s, u"m1"_s, u"firing"_s),
            alertEvent(t0 + 10, u"b"_s, u"m1"_s, u"firing"_s) };
        m.setHistory(stored);
        const QPersistentModelIndex a = m.index(1, 0);
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        m.setHistory(stored); // asked again: the same answer
        QCOMPARE(reset.size(), 0);
        QCOMPARE(changed.size(), 0);
        QVERIFY(a.isValid());
        // A new value of the same alert: one row changes.
        QVector<AlertEvent> again = stored;
        again[0].message = u"now 150 ms"_s;
        m.setHistory(again);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 1);
        // Another alert: the set changed, the model resets.
        m.setHistory(again + QVector<AlertEvent> { alertEvent(t0 + 20, u"c"_s, u"m2"_s, u"firing"_s) });
        QCOMPARE(reset.size(), 1);
        QCOMPARE(m.rowCount(), 3);
    }

    void acknowledgeHoldsForOneFiring()
    {
        AlertListModel m;
        const QString k = key(u"a"_s, u"m1"_s);
        m.addEvents({ alertEvent(t0, u"a"_s, u"m1"_s, u"pending"_s) });
        QVERIFY(!m.acknowledge(k)); // only a firing alert
        m.addEvents({ alertEvent(t0 + 60, u"a"_s, u"m1"_s, u"firing"_s) });
        QVERIFY(m.isNotifiable(k, t0 + 60));
        QVERIFY(m.acknowledge(k));
        QVERIFY(!m.isNotifiable(k, t0 + 61));
        QCOMPARE(m.rowCount(), 1); // still listed, and marked
        QVERIFY(m.index(0, AlertListModel::StateColumn).data().toString().contains(u"acknowledged"_s));
        QVERIFY(m.index(0, 0).data(AlertListModel::AcknowledgedRole).toBool());
        QVERIFY(m.firingOf(u"m1"_s).constFirst().acknowledged);
        // A reload of the history keeps it.
        m.setHistory({ alertEvent(t0 + 60, u"a"_s, u"m1"_s, u"firing"_s) });
        QVERIFY(m.alert(k)->acknowledged);
        // It resolves, and fires again: a new firing, notified again.
        m.addEvents({ alertEvent(t0 + 120, u"a"_s, u"m1"_s, u"resolved"_s),
            alertEvent(t0 + 180, u"a"_s, u"m1"_s, u"firing"_s) });
        QVERIFY(!m.alert(k)->acknowledged);
        QVERIFY(m.isNotifiable(k, t0 + 180));
    }

    void silences_data()
    {
        QTest::addColumn<int>("duration");
        QTest::addColumn<qint64>("over"); // the first second at which the silence is over; -1: until resolved
        QTest::newRow("1 h") << int(AlertListModel::SilenceFor::OneHour) << qint64(3600);
        QTest::newRow("4 h") << int(AlertListModel::SilenceFor::FourHours) << qint64(4 * 3600);
        QTest::newRow("until resolved") << int(AlertListModel::SilenceFor::UntilResolved) << qint64(-1);
    }
    void silences()
    {
        QFETCH(int, duration);
        QFETCH(qint64, over);
        AlertListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString k = key(u"a"_s, u"m1"_s);
        m.addEvents({ alertEvent(t0, u"a"_s, u"m1"_s, u"firing"_s) });
        QSignalSpy silencesChanged(&m, &AlertListModel::silencesChanged);
        const qint64 now = t0 + 10;
        QVERIFY(m.silence(k, AlertListModel::SilenceFor(duration), now));
        QCOMPARE(silencesChanged.size(), 1);
        QVERIFY(m.isSilenced(k, now));
        QVERIFY(!m.isNotifiable(k, now));
        QVERIFY(m.index(0, AlertListModel::StateColumn).data().toString().contains(u"silenced"_s));
        if (over > 0) {
            QVERIFY(m.isSilenced(k, now + over - 1));
            QVERIFY(!m.isSilenced(k, now + over));
            m.expireSilences(now + over - 1);
            QCOMPARE(m.silences().size(), 1);
            m.expireSilences(now + over);
            QVERIFY(m.silences().isEmpty());
            QCOMPARE(silencesChanged.size(), 2);
        } else {
            QVERIFY(m.isSilenced(k, now + 365 * 86400));
            // A resolution of before the silence was set (a history reload) does not end it; the next one does.
            m.setHistory({ alertEvent(t0 - 100, u"a"_s, u"m1"_s, u"firing"_s),
                alertEvent(t0 - 50, u"a"_s, u"m1"_s, u"resolved"_s), alertEvent(t0, u"a"_s, u"m1"_s, u"firing"_s) });
            QVERIFY(m.isSilenced(k, now));
            m.addEvents({ alertEvent(t0 + 600, u"a"_s, u"m1"_s, u"resolved"_s) });
            QVERIFY(!m.isSilenced(k, now + 600));
            QVERIFY(m.silences().isEmpty());
            QCOMPARE(silencesChanged.size(), 2);
        }
    }

    void silencesRestore()
    {
        AlertListModel first;
        first.addEvents({ alertEvent(t0, u"a"_s, u"m1"_s, u"firing"_s), alertEvent(t0, u"b"_s, u"m2"_s, u"firing"_s) });
        QVERIFY(first.silence(key(u"a"_s, u"m1"_s), AlertListModel::SilenceFor::OneHour, t0));
        QVERIFY(first.silence(key(u"b"_s, u"m2"_s), AlertListModel::SilenceFor::UntilResolved, t0));
        const QVector<AlertSilence> saved = first.silences();
        QCOMPARE(saved.size(), 2);
        // A restart an hour and a half later: the 1 h silence is over, the other holds, before any alert is known.
        AlertListModel second;
        second.setSilences(saved, t0 + 5400);
        QCOMPARE(second.silences().size(), 1);
        QVERIFY(second.isSilenced(key(u"b"_s, u"m2"_s), t0 + 5400));
        QVERIFY(!second.isSilenced(key(u"a"_s, u"m1"_s), t0 + 5400));
    }

    void firingOfAModelForItsTiles()
    {
        AlertListModel m;
        m.setRules({ latencyRule() });
        m.addEvents({ alertEvent(t0, u"latency-high"_s, u"m1"_s, u"firing"_s),
            alertEvent(t0 + 5, u"errors"_s, u"m1"_s, u"firing"_s, u"warning"_s),
            alertEvent(t0 + 5, u"latency-high"_s, u"m2"_s, u"firing"_s),
            alertEvent(t0 + 9, u"x"_s, u"m1"_s, u"pending"_s) });
        const QVector<FiringAlert> firing = m.firingOf(u"m1"_s);
        QCOMPARE(firing.size(), 2);
        QCOMPARE(firing[0].ruleId, u"latency-high"_s); // critical before warning
        QCOMPARE(firing[0].metric, u"latency_p95"_s); // from the rules file
        QCOMPARE(firing[0].description, latencyRule().describe());
        QCOMPARE(firing[0].condition, u"latency_p95 above 100.0 ms"_s); // no window, for a tile
        QCOMPARE(firing[1].ruleId, u"errors"_s);
        QVERIFY(firing[1].metric.isEmpty()); // a rule the file does not have
        QCOMPARE(m.index(m.rowOf(key(u"latency-high"_s, u"m1"_s)), AlertListModel::ValueColumn).data().toString(),
            KpiCatalog::format(u"latency_p95"_s, 143)); // as the tiles write it
    }

    void firingSpansInARange()
    {
        AlertListModel m;
        m.setRules({ latencyRule() });
        m.setHistory({ alertEvent(t0, u"latency-high"_s, u"m1"_s, u"firing"_s),
            alertEvent(t0 + 600, u"latency-high"_s, u"m1"_s, u"resolved"_s),
            alertEvent(t0 + 1200, u"latency-high"_s, u"m1"_s, u"firing"_s),
            alertEvent(t0 + 100, u"other"_s, u"m2"_s, u"firing"_s) });
        QVector<AlertSpan> spans = m.firingSpans(u"m1"_s, t0 - 3600, t0 + 3600, t0 + 1800);
        QCOMPARE(spans.size(), 2);
        QCOMPARE(spans[0].from, t0);
        QCOMPARE(spans[0].to, t0 + 600);
        QVERIFY(!spans[0].open);
        QCOMPARE(spans[0].metric, u"latency_p95"_s);
        QCOMPARE(spans[1].from, t0 + 1200);
        QCOMPARE(spans[1].to, t0 + 1800); // still firing: up to now
        QVERIFY(spans[1].open);
        // Only those that meet the range.
        spans = m.firingSpans(u"m1"_s, t0 + 700, t0 + 1100, t0 + 1800);
        QVERIFY(spans.isEmpty());
        spans = m.firingSpans(u"m1"_s, t0 + 700, t0 + 1300, t0 + 1800);
        QCOMPARE(spans.size(), 1);
        QCOMPARE(m.firingSpans(u"m2"_s, t0, t0 + 3600, t0 + 1800).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestAlertListModel)
#include "tst_alertlistmodel.moc"
