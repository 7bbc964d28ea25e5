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
};

QTEST_GUILESS_MAIN(TestSourceTreeModel)
#include "tst_sourcetreemodel.moc"
