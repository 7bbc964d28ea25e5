// SPDX-License-Identifier: GPL-3.0-or-later
// Baselines (models/baseline.h), the KPI catalog and one model's outlook (models/modeloutlook.h): every baseline
// source, seed 001's thresholds, the noise band, versions, forming, deploys, and a drift projected to its breach.
#include "models/baseline.h"
#include "models/modeloutlook.h"
#include "pointfixture.h"

#include <QTest>

#include <random>

using namespace perfdash;
using perfdash::test::Fixture;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 t0 = 1'700'000'000 / 3600 * 3600; // an hour boundary
constexpr qint64 hour = 3600;

Baseline::Resolved baseline(double value, double spread = Baseline::nan, double n = 0)
{
    Baseline::Resolved r;
    r.exists = true;
    r.value = value;
    r.spread = spread;
    r.n = n;
    return r;
}

Baseline::Stored row(const QString &kpi, Baseline::Source source, double value, qint64 validFrom)
{
    static qint64 id = 0;
    Baseline::Stored s;
    s.id = ++id;
    s.model = u"m"_s;
    s.kpi = kpi;
    s.source = source;
    s.value = value;
    s.validFrom = validFrom;
    s.created = validFrom;
    return s;
}

// The automatic first-24 h baseline: a fixed figure, recording the windows it was asked for.
struct FakeForming {
    QVector<QPair<qint64, qint64>> asked;
    Baseline::History history(const QVector<Baseline::Stored> &stored, qint64 first)
    {
        Baseline::History h;
        h.stored = stored;
        h.firstSecond = first;
        h.formWindow = [this](const QString &, qint64 from, qint64 to) {
            asked.append({ from, to });
            Baseline::Formed f;
            f.value = 20;
            f.spread = 1;
            f.chunks = int((to - from) / hour);
            return f;
        };
        return h;
    }
};

} // namespace

class TestBaseline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void thresholds_data()
    {
        QTest::addColumn<QString>("kpi");
        QTest::addColumn<bool>("hasBaseline");
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("spread");
        QTest::addColumn<double>("current");
        QTest::addColumn<QString>("status");
        const double none = Baseline::nan;
        // Accuracy: 5 % relative degradation breaches (limit 0.855); with no spread, half way there is degraded.
        QTest::newRow("accuracy ok") << u"accuracy"_s << true << 0.90 << none << 0.89 << u"ok"_s;
        QTest::newRow("accuracy better") << u"accuracy"_s << true << 0.90 << none << 0.95 << u"ok"_s;
        QTest::newRow("accuracy degraded") << u"accuracy"_s << true << 0.90 << none << 0.86 << u"degraded"_s;
        QTest::newRow("accuracy breached") << u"accuracy"_s << true << 0.90 << none << 0.85 << u"breached"_s;
        // p95: +50 % breaches (limit 30); a change within 3 spreads of the first day is noise.
        QTest::newRow("p95 noise") << u"latency_p95"_s << true << 20.0 << 1.0 << 22.9 << u"ok"_s;
        QTest::newRow("p95 degraded") << u"latency_p95"_s << true << 20.0 << 1.0 << 24.0 << u"degraded"_s;
        QTest::newRow("p95 breached") << u"latency_p95"_s << true << 20.0 << 1.0 << 30.5 << u"breached"_s;
        QTest::newRow("p95 faster") << u"latency_p95"_s << true << 20.0 << 1.0 << 12.0 << u"ok"_s;
        // A spread of 0 (hourly p50s in one sketch bucket): within the sketch's 2 % it is no change.
        QTest::newRow("p50 within the sketch's error") << u"latency_p50"_s << true << 19.9 << 0.0 << 20.3 << u"ok"_s;
        QTest::newRow("p50 past the sketch's error")
            << u"latency_p50"_s << true << 19.9 << 0.0 << 20.6 << u"degraded"_s;
        QTest::newRow("p95 no baseline, under 100 ms") << u"latency_p95"_s << false << none << none << 50.0 << u"ok"_s;
        QTest::newRow("p95 no baseline, over 100 ms")
            << u"latency_p95"_s << false << none << none << 120.0 << u"breached"_s;
        // Error rate: above 1 % breaches whatever the baseline.
        QTest::newRow("errors noise") << u"error_rate"_s << true << 0.002 << 0.0005 << 0.003 << u"ok"_s;
        QTest::newRow("errors degraded") << u"error_rate"_s << true << 0.002 << 0.0005 << 0.004 << u"degraded"_s;
        QTest::newRow("errors breached") << u"error_rate"_s << true << 0.002 << 0.0005 << 0.011 << u"breached"_s;
        QTest::newRow("errors no baseline") << u"error_rate"_s << false << none << none << 0.02 << u"breached"_s;
        // Throughput: 20 % below the expected figure breaches.
        QTest::newRow("throughput ok") << u"throughput"_s << true << 100.0 << none << 110.0 << u"ok"_s;
        QTest::newRow("throughput degraded") << u"throughput"_s << true << 100.0 << none << 85.0 << u"degraded"_s;
        QTest::newRow("throughput breached") << u"throughput"_s << true << 100.0 << none << 79.0 << u"breached"_s;
        // Other quality metrics: 5 % relative, in their own worse direction.
        QTest::newRow("f1 breached") << u"f1_score"_s << true << 0.8 << none << 0.75 << u"breached"_s;
        QTest::newRow("rmse breached") << u"rmse"_s << true << 2.0 << none << 2.2 << u"breached"_s;
        QTest::newRow("rmse ok") << u"rmse"_s << true << 2.0 << none << 1.9 << u"ok"_s;
        // No baseline and no limit: nothing to say.
        QTest::newRow("queue unknown") << u"queue_depth"_s << false << none << none << 3.0 << u"unknown"_s;
        QTest::newRow("no current value") << u"latency_p95"_s << true << 20.0 << 1.0 << none << u"unknown"_s;
    }
    void thresholds()
    {
        QFETCH(QString, kpi);
        QFETCH(bool, hasBaseline);
        QFETCH(double, value);
        QFETCH(double, spread);
        QFETCH(double, current);
        QFETCH(QString, status);
        const Baseline::Resolved b = hasBaseline ? baseline(value, spread, 24) : Baseline::Resolved {};
        const Baseline::Comparison c = Baseline::compare(kpi, current, b, Baseline::Limits {});
        QCOMPARE(Baseline::statusName(c.status), status);
        if (hasBaseline && std::isfinite(current)) {
            QCOMPARE(c.delta, current - value);
            QVERIFY(!Baseline::describeDelta(kpi, c).isEmpty());
        }
    }

    void deltaWording()
    {
        const Baseline::Limits limits;
        const auto p95 = Baseline::compare(u"latency_p95"_s, 24.1, baseline(22.5, 1, 24), limits);
        QCOMPARE(Baseline::describeDelta(u"latency_p95"_s, p95), u"+7.1 % vs baseline"_s);
        // Rates of rare things compare in percentage points.
        const auto errors = Baseline::compare(u"error_rate"_s, 0.0041, baseline(0.002, 0.0005, 24), limits);
        QCOMPARE(Baseline::describeDelta(u"error_rate"_s, errors), u"+0.21 pp vs baseline"_s);
        QCOMPARE(p95.band, 3.0);
        // A spread from fewer than 6 chunks is not trusted: no band, the half-way rule instead; a latency quantile
        // keeps the sketch's resolution as its band.
        QVERIFY(std::isnan(Baseline::compare(u"throughput"_s, 24, baseline(20, 1, 5), limits).band));
        QCOMPARE(Baseline::compare(u"latency_p95"_s, 24, baseline(20, 1, 5), limits).band, 0.5);
    }

    void environmentOverridesTheLimits()
    {
        qputenv("PERF_ERROR_RATE_MAX", "0.05");
        qputenv("PERF_ACCURACY_THRESHOLD", "0.10");
        qputenv("PERF_LATENCY_P95_MAX_MS", "not a number");
        const Baseline::Limits l = Baseline::Limits::fromEnvironment();
        qunsetenv("PERF_ERROR_RATE_MAX");
        qunsetenv("PERF_ACCURACY_THRESHOLD");
        qunsetenv("PERF_LATENCY_P95_MAX_MS");
        QCOMPARE(l.errorRateMax, 0.05);
        QCOMPARE(l.accuracyDrop, 0.10);
        QCOMPARE(l.latencyMaxMs, 100.0); // a bad value keeps the default
        QCOMPARE(Baseline::compare(u"error_rate"_s, 0.03, {}, l).status, Baseline::Status::Ok);
        QCOMPARE(Baseline::compare(u"accuracy"_s, 0.82, baseline(0.9), l).status, Baseline::Status::Degraded);
        QCOMPARE(Baseline::compare(u"accuracy"_s, 0.80, baseline(0.9), l).status, Baseline::Status::Breached);
    }

    void testSetVersions()
    {
        const QVector<Baseline::Stored> rows { row(u"accuracy"_s, Baseline::Source::TestSet, 0.95, t0),
            row(u"accuracy"_s, Baseline::Source::TestSet, 0.93, t0 + 100) };
        FakeForming forming;
        const auto latest = Baseline::resolve(u"accuracy"_s, forming.history(rows, t0), t0 + 200);
        QVERIFY(latest.exists);
        QCOMPARE(latest.value, 0.93);
        QCOMPARE(latest.version, 2);
        QCOMPARE(latest.versions, 2);
        QCOMPARE(latest.source, Baseline::Source::TestSet);
        QVERIFY(latest.describe().contains(u"v2 of 2"_s));
        // Before the second version applied, the first one did.
        const auto earlier = Baseline::resolve(u"accuracy"_s, forming.history(rows, t0), t0 + 50);
        QCOMPARE(earlier.value, 0.95);
        QCOMPARE(earlier.versions, 1);
        // Accuracy never forms on its own: without a record there is none.
        QVERIFY(!Baseline::resolve(u"accuracy"_s, forming.history({}, t0), t0 + 200).exists);
        QVERIFY(forming.asked.isEmpty());
    }

    void firstDayForms()
    {
        FakeForming forming;
        const auto seven = Baseline::resolve(u"latency_p95"_s, forming.history({}, t0), t0 + 7 * hour);
        QVERIFY(seven.exists);
        QVERIFY(seven.forming);
        QCOMPARE(seven.source, Baseline::Source::FirstDay);
        QCOMPARE(seven.formedSeconds, 7 * hour);
        QVERIFY2(seven.describe().contains(u"forming: 7 h of 24 h"_s), qPrintable(seven.describe()));
        QCOMPARE(forming.asked.constLast(), qMakePair(t0, t0 + 7 * hour));
        // While forming, p95 is judged against the absolute limit only (PERF_LATENCY_P95_MAX_MS).
        QCOMPARE(Baseline::limitFor(u"latency_p95"_s, seven, {}), 100.0);
        QCOMPARE(Baseline::compare(u"latency_p95"_s, 60, seven, {}).status, Baseline::Status::Ok);

        const auto done = Baseline::resolve(u"error_rate"_s, forming.history({}, t0), t0 + 30 * hour);
        QVERIFY(!done.forming);
        QCOMPARE(done.windowFrom, t0);
        QCOMPARE(done.windowTo, t0 + 24 * hour);
        QCOMPARE(forming.asked.constLast(), qMakePair(t0, t0 + 24 * hour));
        QCOMPARE(done.n, 24.0);
        QVERIFY(done.spreadTrusted());
    }

    void aDeployStartsANewVersion()
    {
        FakeForming forming;
        // A stored first-day baseline, then a re-baseline (deploy mark) at 40 h: the automatic one forms again.
        Baseline::Stored formed = row(u"latency_p95"_s, Baseline::Source::FirstDay, 18, t0 + 24 * hour);
        const QVector<Baseline::Stored> rows { formed, row(u"*"_s, Baseline::Source::Deploy, 0, t0 + 40 * hour) };
        const auto before = Baseline::resolve(u"latency_p95"_s, forming.history(rows, t0), t0 + 30 * hour);
        QCOMPARE(before.value, 18.0); // the deploy mark does not apply yet
        const auto after = Baseline::resolve(u"latency_p95"_s, forming.history(rows, t0), t0 + 45 * hour);
        QVERIFY(after.forming);
        QCOMPARE(after.windowFrom, t0 + 40 * hour);
        QCOMPARE(after.formedSeconds, 5 * hour);
        QCOMPARE(after.version, 2); // the old one is kept as version 1
        // A range the user pins afterwards wins over the automatic one.
        QVector<Baseline::Stored> pinned = rows;
        pinned.append(row(u"latency_p95"_s, Baseline::Source::Pinned, 25, t0 + 50 * hour));
        const auto p = Baseline::resolve(u"latency_p95"_s, forming.history(pinned, t0), t0 + 51 * hour);
        QCOMPARE(p.source, Baseline::Source::Pinned);
        QCOMPARE(p.value, 25.0);
        // A new test-set version is a deploy too.
        const QVector<Baseline::Stored> redeploy { formed,
            row(u"accuracy"_s, Baseline::Source::TestSet, 0.9, t0 + 60 * hour) };
        QCOMPARE(Baseline::epochOf(forming.history(redeploy, t0)), t0 + 60 * hour);
    }

    void formSpread()
    {
        const Baseline::Formed f
            = Baseline::form(7.0, { { 0, 2 }, { 1, 4 }, { 2, 4 }, { 3, 4 }, { 4, 5 }, { 5, 5 }, { 6, 7 }, { 7, 9 } });
        QCOMPARE(f.value, 7.0); // the whole window's figure, not the chunks' mean
        QCOMPARE(f.chunks, 8);
        QVERIFY(qAbs(f.spread - 2.13809) < 1e-4); // sample standard deviation
        QVERIFY(std::isnan(Baseline::form(1, { { 0, 1 } }).spread));
    }

    void catalog()
    {
        QCOMPARE(KpiCatalog::canonicalName(u"f1"_s), u"f1_score"_s);
        QCOMPARE(KpiCatalog::canonicalName(u"latency_p95_ms"_s), u"latency_p95"_s);
        QCOMPARE(KpiCatalog::canonicalName(u"accuracy"_s), u"accuracy"_s);
        QVERIFY(KpiCatalog::canonicalName(u"bogus"_s).isEmpty());
        QCOMPARE(KpiCatalog::names().size(), 16);
        Fixture f;
        f.timer(u"prediction.latency_ms|model:m"_s, t0, { 10, 11, 12 }); // n = 3: too few for a p95
        for (int i = 0; i < 10; ++i)
            f.counter(u"prediction.count|model:m,status:ok"_s, t0 + i, 1);
        f.counter(u"prediction.count|model:m,status:error"_s, t0, 1);
        const Kpi::Figures figures
            = Kpi::figures(f.lookup(), f.roles(), Coverage::passed(t0, t0 + 10, 1, t0 + 10), t0, t0 + 10);
        QVERIFY(std::isnan(KpiCatalog::valueOf(u"latency_p95"_s, figures)));
        QVERIFY(std::isnan(KpiCatalog::valueOf(u"error_rate"_s, figures))); // 11 requests: under the minimum of 20
        QCOMPARE(KpiCatalog::valueOf(u"throughput"_s, figures), 1.1);
        QCOMPARE(KpiCatalog::format(u"error_rate"_s, 0.0031), QLocale().toString(0.31, 'f', 2) + u" %"_s);
    }

    // Ten and a half days of hourly history: p95 flat for the first day, then rising 0.03 ms an hour. The outlook has
    // the first day as the baseline, calls the trend declining and projects the breach of +50 % near its true time.
    void outlookProjectsADrift()
    {
        Fixture f;
        const QString latency = u"prediction.latency_ms|model:m"_s;
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0, 0.3);
        const int hours = 300;
        for (int h = 0; h < hours; ++h) {
            const double mean = 20 + (h < 24 ? 0 : 0.03 * (h - 24)) + noise(rng);
            QVector<double> values;
            for (int i = 0; i < 200; ++i)
                values << mean - 3 + 6.0 * i / 199; // p95 ≈ mean + 2.7
            f.timer(latency, t0 + h * hour, values);
            f.counter(u"prediction.count|model:m,status:ok"_s, t0 + h * hour, 997);
            f.counter(u"prediction.count|model:m,status:error"_s, t0 + h * hour, 3);
        }
        ModelHistory in;
        in.model = u"m"_s;
        in.roles = f.roles();
        in.now = t0 + hours * hour;
        in.firstSecond = t0;
        in.from = Outlook::spanStart(in.now, t0);
        QCOMPARE(in.from, t0);
        in.hourly = f.all();
        in.coverage = Coverage::passed(in.from, in.now, hour, in.now);
        const ModelOutlook out = Outlook::compute(in, Baseline::Limits {});
        QCOMPARE(out.epoch, t0);
        const KpiOutlook *p95 = out.find(u"latency_p95"_s);
        QVERIFY(p95);
        QCOMPARE(p95->baseline.source, Baseline::Source::FirstDay);
        QVERIFY(!p95->baseline.forming);
        QVERIFY2(qAbs(p95->baseline.value - 22.7) < 0.5, qPrintable(QString::number(p95->baseline.value)));
        QVERIFY(qAbs(p95->limit - 1.5 * p95->baseline.value) < 1e-9);
        QCOMPARE(p95->hourly.size(), 7 * 24);
        QVERIFY(p95->fit.sufficient);
        QCOMPARE(p95->fit.label, u"declining"_s);
        QVERIFY(qAbs(p95->fit.slopePerDay - 0.72) < 0.1);
        QVERIFY(p95->breach.projected);
        // True crossing: 22.7 + 0.03 (h - 24) = 1.5 × 22.7 at h ≈ 402, i.e. ~102 h after now.
        const double trueAhead = (1.5 * p95->baseline.value - p95->baseline.value) / 0.03 + 24 - hours;
        const double ahead = double(p95->breach.at - in.now) / hour;
        QVERIFY2(qAbs(ahead - trueAhead) < 0.15 * trueAhead, qPrintable(u"%1 h vs %2 h"_s.arg(ahead).arg(trueAhead)));
        QVERIFY(p95->breach.earliest <= p95->breach.at && p95->breach.at <= p95->breach.latest);
        QVERIFY(!p95->cone.isEmpty());
        QVERIFY(p95->cone.constLast().t > p95->breach.at);
        QVERIFY(p95->projection.contains(u"breach in"_s));
        // The error rate is steady at 0.3 %: stable, nothing projected, judged against the 1 % limit.
        const KpiOutlook *errors = out.find(u"error_rate"_s);
        QVERIFY(errors);
        QCOMPARE(errors->limit, 0.01);
        QVERIFY(qAbs(errors->baseline.value - 0.003) < 1e-9);
        QVERIFY(!errors->breach.projected);
        // No accuracy series and no baseline record: no accuracy row.
        QVERIFY(!out.find(u"accuracy"_s));
    }

    // Quality metrics come from stored outcomes per hour: a test-set F1 baseline is compared with them, and a
    // declining regression error trend is found in them.
    void outlookReadsQualityPerHour()
    {
        ModelHistory in;
        in.model = u"m"_s;
        in.now = t0 + 10 * 24 * hour;
        in.firstSecond = t0;
        in.from = Outlook::spanStart(in.now, t0);
        in.coverage = Coverage::passed(in.from, in.now, hour, in.now);
        std::mt19937 rng(11);
        std::normal_distribution<double> noise(0, 0.02);
        for (qint64 h = 0; h < 10 * 24; ++h) {
            QualityMetrics q;
            // Regression error grows 1 % a day; classes: 90 % correct.
            for (int i = 0; i < 200; ++i)
                q.addRegression(100 + (1 + 0.01 * double(h) / 24 + noise(rng)) * (i % 2 ? 1 : -1), 100);
            for (int i = 0; i < 100; ++i)
                q.addClass(i % 10 == 0 ? u"b"_s : u"a"_s, u"a"_s);
            in.qualityHourly.insert(t0 + h * hour, QualityStats::from(u"prediction.quality|model:m"_s, q, true));
        }
        in.stored = { row(u"mae"_s, Baseline::Source::TestSet, 1.0, t0 - 60) };
        const ModelOutlook out = Outlook::compute(in, Baseline::Limits {});
        const KpiOutlook *mae = out.find(u"mae"_s);
        QVERIFY(mae);
        QCOMPARE(mae->baseline.source, Baseline::Source::TestSet);
        QCOMPARE(mae->hourly.size(), 7 * 24);
        QVERIFY2(qAbs(mae->latest - 1.1) < 0.05, qPrintable(QString::number(mae->latest)));
        QVERIFY(mae->fit.sufficient);
        QCOMPARE(mae->fit.label, u"declining"_s); // a growing error is getting worse
        QCOMPARE(mae->limit, 1.05);
        QCOMPARE(Baseline::compare(u"mae"_s, mae->latest, mae->baseline, {}).status, Baseline::Status::Breached);
        // Accuracy is measured too (no series, no record): listed with its steady trend, no baseline.
        const KpiOutlook *accuracy = out.find(u"accuracy"_s);
        QVERIFY(accuracy);
        QCOMPARE(accuracy->latest, 0.9);
        QVERIFY(!accuracy->baseline.exists);
        QCOMPARE(accuracy->fit.label, u"stable"_s);
    }

    void outlookSaysWhenHistoryIsShort()
    {
        Fixture f;
        const QString latency = u"prediction.latency_ms|model:m"_s;
        for (int h = 0; h < 5; ++h)
            f.timer(latency, t0 + h * hour, QVector<double>(100, 20.0));
        ModelHistory in;
        in.model = u"m"_s;
        in.roles = f.roles();
        in.now = t0 + 5 * hour;
        in.firstSecond = t0;
        in.from = Outlook::spanStart(in.now, t0);
        in.hourly = f.all();
        in.coverage = Coverage::passed(in.from, in.now, hour, in.now);
        const ModelOutlook out = Outlook::compute(in, Baseline::Limits {});
        const KpiOutlook *p95 = out.find(u"latency_p95"_s);
        QVERIFY(p95);
        QVERIFY(p95->baseline.forming);
        QVERIFY(!p95->fit.sufficient);
        QVERIFY2(p95->projection.contains(u"insufficient history: 5 h of 24 h"_s), qPrintable(p95->projection));
        QVERIFY(p95->cone.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBaseline)
#include "tst_baseline.moc"
