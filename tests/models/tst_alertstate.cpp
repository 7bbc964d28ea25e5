// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertstate.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

using R = AlertState::Reading;
using P = AlertState::Phase;

// Steps a state through readings one interval apart; returns the state names of the changes with their times.
QStringList run(
    AlertState &state, const AlertRule &rule, const QVector<R> &readings, qint64 t0 = 1000, qint64 interval = 60)
{
    QStringList out;
    for (int i = 0; i < readings.size(); ++i) {
        const qint64 t = t0 + i * interval;
        if (const auto c = state.step(t, readings[i], rule))
            out << u"%1@%2"_s.arg(AlertState::stateName(*c)).arg(t - t0);
    }
    return out;
}

AlertRule rule(qint64 forSeconds = 0, qint64 keepFiringFor = 0, AlertRule::NoData noData = AlertRule::NoData::KeepState)
{
    AlertRule r;
    r.id = u"r"_s;
    r.forSeconds = forSeconds;
    r.keepFiringFor = keepFiringFor;
    r.noData = noData;
    return r;
}

} // namespace

class TstAlertState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firesAtOnceWithoutFor()
    {
        AlertState s;
        QCOMPARE(run(s, rule(), { R::Recovered, R::Breaching, R::Breaching, R::Recovered }),
            (QStringList { u"firing@60"_s, u"resolved@180"_s }));
    }

    void pendsForItsForDuration()
    {
        AlertState s;
        // for = 120 s: pending at 60, still pending at 120, firing at 180 (120 s after it began).
        QCOMPARE(run(s, rule(120), { R::Recovered, R::Breaching, R::Breaching, R::Breaching, R::Recovered }),
            (QStringList { u"pending@60"_s, u"firing@180"_s, u"resolved@240"_s }));
        QCOMPARE(s.phase(), P::Inactive);
    }

    void aPendingAlertThatClearsNeverFires()
    {
        AlertState s;
        QCOMPARE(run(s, rule(180), { R::Breaching, R::Breaching, R::Between, R::Breaching }),
            (QStringList { u"pending@0"_s, u"inactive@120"_s, u"pending@180"_s }));
    }

    void keepFiringForHoldsAfterTheConditionClears()
    {
        AlertState s;
        // keep_firing_for 120 s: clear at 60, still firing at 120, resolved at 180.
        QCOMPARE(run(s, rule(0, 120), { R::Breaching, R::Recovered, R::Recovered, R::Recovered }),
            (QStringList { u"firing@0"_s, u"resolved@180"_s }));
        // A breach during the hold restarts it.
        AlertState t;
        QCOMPARE(run(t, rule(0, 120),
                     { R::Breaching, R::Recovered, R::Breaching, R::Recovered, R::Recovered, R::Recovered }),
            (QStringList { u"firing@0"_s, u"resolved@300"_s }));
    }

    void hysteresisKeepsFiringBetweenTheThresholds()
    {
        AlertState s;
        QCOMPARE(run(s, rule(), { R::Breaching, R::Between, R::Between, R::Breaching, R::Between, R::Recovered }),
            (QStringList { u"firing@0"_s, u"resolved@300"_s }));
    }

    void noDataFollowsThePolicy()
    {
        {
            AlertState s; // keep_state: nothing changes, in either direction
            QCOMPARE(run(s, rule(), { R::Breaching, R::NoData, R::NoData, R::Recovered }),
                (QStringList { u"firing@0"_s, u"resolved@180"_s }));
            AlertState p;
            QCOMPARE(run(p, rule(120), { R::Breaching, R::NoData, R::Breaching }),
                (QStringList { u"pending@0"_s, u"firing@120"_s }));
        }
        {
            AlertState s; // ok: no data resolves
            QCOMPARE(run(s, rule(0, 0, AlertRule::NoData::Ok), { R::Breaching, R::NoData }),
                (QStringList { u"firing@0"_s, u"resolved@60"_s }));
        }
        {
            AlertState s; // alerting: no data fires, after for
            QCOMPARE(run(s, rule(60, 0, AlertRule::NoData::Alerting), { R::NoData, R::NoData, R::Recovered }),
                (QStringList { u"pending@0"_s, u"firing@60"_s, u"resolved@120"_s }));
        }
    }

    void restoredStateIsNotFiredAgain()
    {
        // A collector restarted while the alert fired: it keeps firing (no second "firing"), and resolves later.
        AlertState s;
        s.restore(P::Firing, 500);
        QCOMPARE(run(s, rule(), { R::Breaching, R::Breaching, R::Recovered }), (QStringList { u"resolved@120"_s }));
        // A pending one keeps its start: for counts from before the restart.
        AlertState p;
        p.restore(P::Pending, 1000 - 60);
        QCOMPARE(run(p, rule(120), { R::Breaching, R::Breaching }), (QStringList { u"firing@60"_s }));
    }
};

QTEST_GUILESS_MAIN(TstAlertState)
#include "tst_alertstate.moc"
