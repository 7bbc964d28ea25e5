// SPDX-License-Identifier: GPL-3.0-or-later
// The sources tree and the role resolution behind it. (A models/ unit; its test sits with the dashboard's tests.)
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
SeriesStats stats(const QString &key, MetricKind kind, qint64 n, double value)
{
    SeriesStats s;
    s.key = key;
    s.kind = kind;
    s.count = n;
    s.rate = double(n);
    s.sum = value * double(n);
    s.last = value;
    if (s.hasQuantiles()) {
        s.p50 = value / 2;
        s.p95 = value;
        s.p99 = value * 1.5;
    }
    return s;
}
} // namespace

class TestSourceTreeModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sourcesOfReadsTheTags_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QStringList>("ids");
        QTest::newRow("model") << u"inference.latency|model:m1"_s << QStringList { u"model:m1"_s };
        QTest::newRow("service and model")
            << u"api.latency|model:m1,service:api"_s << QStringList { u"service:api"_s, u"model:m1"_s };
        QTest::newRow("pid") << u"process.cpu_percent|pid:42"_s << QStringList { u"process:pid 42"_s };
        QTest::newRow("source") << u"x.y|source:batch-7"_s << QStringList { u"process:batch-7"_s };
        QTest::newRow("untagged") << u"bench.latency|series:3"_s << QStringList { u"other:bench"_s };
        QTest::newRow("bare name") << u"queue"_s << QStringList { u"other:queue"_s };
        QTest::newRow("model on a host") << u"inference.latency|host:a,model:m1"_s
                                         << QStringList { u"model:m1 · host a"_s };
        QTest::newRow("untagged on a host")
            << u"perfdash.ingest.live_series|host:b"_s << QStringList { u"other:perfdash · host b"_s };
    }
    void sourcesOfReadsTheTags()
    {
        QFETCH(QString, key);
        QFETCH(QStringList, ids);
        QStringList got;
        for (const auto &ref : sourcesOf(key)) {
            got << ref.id();
            QCOMPARE(SourceRef::fromId(ref.id()), ref);
        }
        QCOMPARE(got, ids);
    }

    void sparklinesKeepTheirMinuteInABoundedStore()
    {
        // The tree tells the store which series its sparklines draw: a source's latency keeps its minute, its request
        // counter (read for the status' error rate) its newest seconds, and the sparkline stays whole.
        SeriesStore store(3600);
        store.setBoundedByShown(true);
        SourceTreeModel model(&store);
        const QString latency = u"inference.latency|model:m1"_s, requests = u"inference.requests|model:m1,status:ok"_s;
        for (qint64 s = 1000; s < 1100; ++s) {
            LiveFrame f { s, {} };
            f.series << stats(latency, MetricKind::Timer, 10, 20.0) << stats(requests, MetricKind::Counter, 10, 1);
            store.ingest(f);
        }
        QCOMPARE(store.points(latency).size(), int(SeriesStore::recentSeconds));
        QCOMPARE(store.points(requests).size(), int(SeriesStore::latestSeconds));
        const QModelIndex m1 = model.indexOf({ SourceRef::Kind::Model, u"m1"_s });
        QVERIFY(m1.isValid());
        const auto sparkline = model.data(m1, SourceTreeModel::SparklineRole).value<QList<double>>();
        QCOMPARE(sparkline.size(), SourceTreeModel::sparklineSeconds);
        QVERIFY(std::all_of(sparkline.cbegin(), sparkline.cend(), [](double v) { return v == 20.0; }));
    }

    void rolesPickTheRightSeries()
    {
        const QStringList keys { u"inference.step.latency|model:m1,step:predict"_s, u"inference.latency|model:m1"_s,
            u"inference.requests|model:m1,status:ok"_s, u"inference.requests|model:m1,status:error"_s,
            u"inference.queue_depth|model:m1"_s, u"quality.accuracy|model:m1"_s,
            u"process.cpu_percent|model:m1,pid:7"_s, u"process.rss_mb|model:m1,pid:7"_s,
            u"op.cache_hits|model:m1,op:load"_s, u"op.api_calls|model:m1,op:load"_s };
        QHash<QString, MetricKind> kinds;
        for (const auto &k : keys) {
            kinds.insert(k,
                k.contains(u"latency"_s)                                              ? MetricKind::Timer
                    : k.startsWith(u"inference.requests"_s) || k.startsWith(u"op."_s) ? MetricKind::Counter
                                                                                      : MetricKind::Gauge);
        }
        const SourceRoles roles = resolveRoles(keys, kinds);
        QCOMPARE(roles.latency, u"inference.latency|model:m1"_s);
        QCOMPARE(roles.requests.size(), 2);
        QCOMPARE(roles.errors, QStringList { u"inference.requests|model:m1,status:error"_s });
        QCOMPARE(roles.queue, u"inference.queue_depth|model:m1"_s);
        QCOMPARE(roles.accuracy, u"quality.accuracy|model:m1"_s);
        QCOMPARE(roles.cpu, u"process.cpu_percent|model:m1,pid:7"_s);
        QCOMPARE(roles.memory, u"process.rss_mb|model:m1,pid:7"_s);
        QVERIFY(roles.gpu.isEmpty());
        QCOMPARE(roles.cacheHits.size(), 1);
        QCOMPARE(roles.apiCalls.size(), 1);
        // The answer does not depend on the order series arrived in.
        QStringList reversed = keys;
        std::reverse(reversed.begin(), reversed.end());
        QVERIFY(resolveRoles(reversed, kinds) == roles);
    }

    void treeGrowsUnderTheTester()
    {
        SeriesStore store(3600);
        SourceTreeModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        LiveFrame f { 1000,
            { stats(u"inference.latency|model:resnet"_s, MetricKind::Timer, 200, 40),
                stats(u"api.latency|service:api"_s, MetricKind::Timer, 50, 10),
                stats(u"process.cpu_percent|pid:42"_s, MetricKind::Gauge, 1, 80),
                stats(u"bench.latency|series:1"_s, MetricKind::Timer, 5, 3) } };
        store.ingest(f);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(0, 0).data().toString(), SourceTreeModel::kindTitle(SourceRef::Kind::Service));
        QCOMPARE(model.index(1, 0).data().toString(), SourceTreeModel::kindTitle(SourceRef::Kind::Model));
        QCOMPARE(model.index(2, 0).data().toString(), SourceTreeModel::kindTitle(SourceRef::Kind::Process));
        QCOMPARE(model.index(3, 0).data().toString(), SourceTreeModel::kindTitle(SourceRef::Kind::Other));
        const QModelIndex resnet = model.indexOf({ SourceRef::Kind::Model, u"resnet"_s });
        QVERIFY(resnet.isValid());
        QCOMPARE(resnet.data().toString(), u"resnet"_s);
        QCOMPARE(resnet.data(SourceTreeModel::SourceIdRole).toString(), u"model:resnet"_s);
        QCOMPARE(model.sourceAt(resnet), SourceRef({ SourceRef::Kind::Model, u"resnet"_s }));
        QVERIFY(!(model.flags(resnet.parent()) & Qt::ItemIsSelectable));
        QCOMPARE(resnet.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Live));
        QCOMPARE(resnet.data(SourceTreeModel::P95Role).toDouble(), 40.0);
        const auto spark = resnet.data(SourceTreeModel::SparklineRole).value<QList<double>>();
        QCOMPARE(spark.size(), SourceTreeModel::sparklineSeconds);
        QCOMPARE(spark.constLast(), 40.0);
        QVERIFY(std::isnan(spark.constFirst()));

        // More models arrive in sorted places; the tester checks every insertion.
        store.ingest(LiveFrame { 1001,
            { stats(u"inference.latency|model:alexnet"_s, MetricKind::Timer, 10, 5),
                stats(u"inference.latency|model:zeta"_s, MetricKind::Timer, 10, 5),
                stats(u"inference.latency|model:resnet"_s, MetricKind::Timer, 200, 44) } });
        const QModelIndex models = model.index(1, 0);
        QCOMPARE(model.rowCount(models), 3);
        QCOMPARE(model.index(0, 0, models).data().toString(), u"alexnet"_s);
        QCOMPARE(model.index(2, 0, models).data().toString(), u"zeta"_s);
        QCOMPARE(model.indexOf({ SourceRef::Kind::Model, u"resnet"_s }).row(), 1);
        QCOMPARE(resets.size(), 0);
    }

    void liveRolesChangeNarrowly()
    {
        SeriesStore store(3600);
        SourceTreeModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString a = u"inference.latency|model:a"_s, b = u"inference.latency|model:b"_s;
        const QString okKey = u"inference.requests|model:b,status:ok"_s;
        const QString errKey = u"inference.requests|model:b,status:error"_s;
        store.ingest(LiveFrame { 100,
            { stats(a, MetricKind::Timer, 100, 10), stats(b, MetricKind::Timer, 100, 20),
                stats(okKey, MetricKind::Counter, 90, 1), stats(errKey, MetricKind::Counter, 10, 1) } });
        const QModelIndex ia = model.indexOf({ SourceRef::Kind::Model, u"a"_s });
        const QModelIndex ib = model.indexOf({ SourceRef::Kind::Model, u"b"_s });
        QCOMPARE(ib.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Errors)); // 10% errors
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        // Only b gets data for five seconds: a turns stale, and only the changed rows are announced.
        for (qint64 s = 101; s <= 105; ++s)
            store.ingest(LiveFrame { s, { stats(b, MetricKind::Timer, 100, 20 + double(s - 100)) } });
        QVERIFY(!changed.isEmpty());
        for (const auto &args : std::as_const(changed)) {
            const auto roles = args.at(2).value<QList<int>>();
            QVERIFY(!roles.isEmpty());
            QVERIFY(!roles.contains(Qt::DisplayRole));
            QCOMPARE(args.at(0).value<QModelIndex>().parent(), ia.parent());
        }
        QCOMPARE(ia.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Stale));
        QCOMPARE(ib.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Errors)); // within the last 10 s
        QCOMPARE(ib.data(SourceTreeModel::P95Role).toDouble(), 25.0);
        store.ingest(LiveFrame { 140, { stats(b, MetricKind::Timer, 100, 20) } });
        QCOMPARE(ia.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Silent));
        QCOMPARE(ib.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Live)); // the errors are old now
        // A second unchanged frame announces nothing.
        changed.clear();
        model.refresh();
        QCOMPARE(changed.size(), 0);
    }

    // Series only storage holds (yesterday's failures) are part of the source's roles; a stored-only source appears
    // silent; live data for a stored series does not add it twice.
    void storedSeriesCompleteTheRoles()
    {
        SeriesStore store(3600);
        SourceTreeModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString ok = u"run.count|model:m,status:ok"_s, failed = u"run.count|model:m,status:error"_s;
        const QString latency = u"run.duration|model:m"_s;
        store.ingest(
            LiveFrame { 100, { stats(ok, MetricKind::Counter, 3, 1), stats(latency, MetricKind::Timer, 3, 9) } });
        const SourceRef m { SourceRef::Kind::Model, u"m"_s };
        QVERIFY(model.rolesOf(m).errors.isEmpty());
        model.addStoredSeries({ { ok, MetricKind::Counter }, { failed, MetricKind::Counter },
            { latency, MetricKind::Timer }, { u"x.latency|model:old"_s, MetricKind::Timer } });
        QCOMPARE(model.rolesOf(m).errors, QStringList { failed });
        QCOMPARE(model.rolesOf(m).requests.size(), 2);
        QCOMPARE(model.seriesOf(m).size(), 3);
        const SourceRef old { SourceRef::Kind::Model, u"old"_s };
        QVERIFY(model.indexOf(old).isValid());
        QCOMPARE(model.rolesOf(old).latency, u"x.latency|model:old"_s); // its kind comes from storage
        QCOMPARE(model.indexOf(old).data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Silent));
        store.ingest(LiveFrame { 101, { stats(failed, MetricKind::Counter, 1, 1) } });
        QCOMPARE(model.seriesOf(m).size(), 3);
    }

    void processesAreNamedByTheirCommand()
    {
        const qint64 t0 = 1'800'000'000;
        qint64 nowMs = t0 * 1000;
        SeriesStore store(3600);
        SourceTreeModel model(&store, [&nowMs]() { return nowMs; });
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString cpu = u"process.cpu_percent|pid:4242,source:collector"_s;
        const QString info = u"process.info|command:python3 inference_pipeline.py,pid:4242,source:collector"_s;
        store.ingest(LiveFrame { t0, { stats(cpu, MetricKind::Gauge, 1, 12) } });
        const SourceRef pid { SourceRef::Kind::Process, u"pid 4242"_s };
        const QPersistentModelIndex row = model.indexOf(pid);
        QVERIFY(row.isValid());
        QCOMPARE(row.data().toString(), u"pid 4242"_s); // not named yet
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        store.ingest(
            LiveFrame { t0 + 1, { stats(cpu, MetricKind::Gauge, 1, 12), stats(info, MetricKind::Gauge, 1, 1) } });
        QCOMPARE(row.data().toString(), u"python3 inference_pipeline.py · pid 4242"_s);
        QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [&](const QList<QVariant> &args) {
            return args.at(0).value<QModelIndex>() == row && args.at(2).value<QList<int>>().contains(Qt::DisplayRole);
        }));
        // The id and the identity stay "pid 4242": settings and selections keep working.
        QCOMPARE(row.data(SourceTreeModel::SourceIdRole).toString(), u"process:pid 4242"_s);
        QCOMPARE(model.rowCount(row.parent()), 1); // one source, not one per series
        const SourceRef named = model.sourceAt(row);
        QCOMPARE(named, pid);
        QCOMPARE(named.label, u"python3 inference_pipeline.py"_s);
        QCOMPARE(named.displayName(), u"python3 inference_pipeline.py · pid 4242"_s);
        QCOMPARE(SourceRef::fromId(named.id()), pid);
        QCOMPARE(sourcesOf(info).value(0).label, u"python3 inference_pipeline.py"_s);
        QVERIFY(sourcesOf(cpu).value(0).label.isEmpty());
        QCOMPARE(model.seriesOf(pid).size(), 2);
        // The process.info gauge plays no part on the dashboard.
        const SourceRoles roles = model.rolesOf(pid);
        QCOMPARE(roles.cpu, cpu);
        QVERIFY(!roles.allKeys().contains(info));
    }

    void kindSingularNamesOneSource()
    {
        QCOMPARE(SourceTreeModel::kindSingular(SourceRef::Kind::Process), u"Process"_s);
        QCOMPARE(SourceTreeModel::kindSingular(SourceRef::Kind::Service), u"Service"_s);
        QCOMPARE(SourceTreeModel::kindSingular(SourceRef::Kind::Model), u"Model"_s);
        QCOMPARE(
            SourceTreeModel::kindSingular(SourceRef::Kind::Other), SourceTreeModel::kindTitle(SourceRef::Kind::Other));
    }

    void exitedProcessesFoldAwayAndComeBack()
    {
        const qint64 t0 = 1'800'000'000;
        qint64 nowMs = t0 * 1000 + 500;
        SeriesStore store(3600);
        SourceTreeModel model(&store, [&nowMs]() { return nowMs; });
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        const QString gone = u"process.rss_mb|pid:100,source:collector"_s;
        const QString alive = u"process.rss_mb|pid:200,source:collector"_s;
        const QString quietModel = u"inference.latency|model:quiet"_s;
        const auto tick = [&](qint64 second, QVector<SeriesStats> series) {
            nowMs = second * 1000 + 500;
            store.ingest(LiveFrame { second, std::move(series) });
        };
        tick(t0,
            { stats(gone, MetricKind::Gauge, 1, 10), stats(alive, MetricKind::Gauge, 1, 20),
                stats(quietModel, MetricKind::Timer, 10, 5) });
        const SourceRef exitedRef { SourceRef::Kind::Process, u"pid 100"_s };
        const SourceRef aliveRef { SourceRef::Kind::Process, u"pid 200"_s };
        const QModelIndex processes = model.indexOf(aliveRef).parent();
        QCOMPARE(model.rowCount(processes), 2);
        const QPersistentModelIndex followed = model.indexOf(exitedRef); // a view's current row, say

        // Silent for exactly exitedAfterSeconds: still there (greyed by its status).
        for (qint64 s = t0 + 1; s <= t0 + SourceTreeModel::exitedAfterSeconds; ++s)
            tick(s, { stats(alive, MetricKind::Gauge, 1, 20) });
        QVERIFY(!model.isExited(exitedRef));
        QCOMPARE(model.indexOf(exitedRef).data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Silent));
        QCOMPARE(model.rowCount(processes), 2);

        // One second more: folded under "Exited", the last row of Processes, which only groups.
        tick(t0 + SourceTreeModel::exitedAfterSeconds + 1, { stats(alive, MetricKind::Gauge, 1, 20) });
        QVERIFY(model.isExited(exitedRef));
        QVERIFY(!model.isExited(aliveRef));
        QCOMPARE(model.rowCount(processes), 2);
        const QModelIndex exitedRow = model.index(1, 0, processes);
        QCOMPARE(exitedRow.data().toString(), u"Exited"_s);
        QVERIFY(!(model.flags(exitedRow) & Qt::ItemIsSelectable));
        QVERIFY(!model.sourceAt(exitedRow).isValid());
        QCOMPARE(exitedRow.data(SourceTreeModel::SeriesCountRole).toInt(), 1);
        QCOMPARE(model.rowCount(exitedRow), 1);
        QCOMPARE(model.sourceAt(model.index(0, 0, exitedRow)), exitedRef);
        QCOMPARE(model.indexOf(exitedRef).parent(), exitedRow);
        QCOMPARE(model.index(0, 0, processes).data(SourceTreeModel::SourceIdRole).toString(), aliveRef.id());
        QCOMPARE(QModelIndex(followed), model.indexOf(exitedRef)); // a persistent index moved with it
        QCOMPARE(model.seriesOf(exitedRef), QStringList { gone });
        // Other kinds never fold, however quiet.
        QVERIFY(model.indexOf({ SourceRef::Kind::Model, u"quiet"_s }).isValid());
        QCOMPARE(model.indexOf({ SourceRef::Kind::Model, u"quiet"_s }).parent().parent(), QModelIndex());

        // The clock alone moves things: a process whose data stopped is folded at the next refresh.
        nowMs += 1000 * (SourceTreeModel::exitedAfterSeconds + 1);
        model.refresh();
        QVERIFY(model.isExited(aliveRef));
        QCOMPARE(model.rowCount(processes), 1); // only the Exited row
        QCOMPARE(model.rowCount(model.index(0, 0, processes)), 2);

        // Data comes back (a stopped process resumed): it moves back, and the Exited row goes once empty.
        const qint64 later = nowMs / 1000;
        tick(later, { stats(gone, MetricKind::Gauge, 1, 11), stats(alive, MetricKind::Gauge, 1, 21) });
        QVERIFY(!model.isExited(exitedRef));
        QVERIFY(!model.isExited(aliveRef));
        QCOMPARE(model.rowCount(processes), 2);
        QCOMPARE(model.sourceAt(model.index(0, 0, processes)), exitedRef);
        QCOMPARE(model.sourceAt(model.index(1, 0, processes)), aliveRef);
        QCOMPARE(QModelIndex(followed), model.indexOf(exitedRef));
        QCOMPARE(followed.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Live));
        QCOMPARE(resets.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSourceTreeModel)
#include "tst_sourcetreemodel.moc"
