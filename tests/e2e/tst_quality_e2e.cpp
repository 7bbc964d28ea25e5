// SPDX-License-Identifier: GPL-3.0-or-later
// prediction records over ingest.sock -> per-second quality metrics in the live frames and in storage -> a window
// merged by `perfdashd quality`, checked against metrics computed here from the records themselves.
#include "collectorprocess.h"

#include <QDateTime>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QTest>

#include <cmath>
#include <map>
#include <random>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Binary {
    double score;
    int truth;
};
struct Label {
    QString predicted;
    QString truth;
};
struct Regression {
    double value;
    double truth;
};

// Exact AUC: over every (positive, negative) pair, 1 when the positive scores higher, 1/2 for a tie.
double exactAuc(const std::vector<Binary> &records)
{
    double wins = 0;
    double pairs = 0;
    for (const auto &p : records) {
        if (p.truth != 1)
            continue;
        for (const auto &n : records) {
            if (n.truth != 0)
                continue;
            wins += p.score > n.score ? 1.0 : p.score == n.score ? 0.5 : 0.0;
            pairs += 1;
        }
    }
    return wins / pairs;
}

double macroF1(const std::vector<Label> &records)
{
    std::map<QString, std::array<double, 3>> c; // tp, predicted, actual
    for (const auto &r : records) {
        c[r.predicted][1] += 1;
        c[r.truth][2] += 1;
        if (r.predicted == r.truth)
            c[r.truth][0] += 1;
    }
    double sum = 0;
    for (const auto &[label, v] : c) {
        const double p = v[1] > 0 ? v[0] / v[1] : 0;
        const double r = v[2] > 0 ? v[0] / v[2] : 0;
        sum += p + r > 0 ? 2 * p * r / (p + r) : 0;
    }
    return sum / double(c.size());
}

QString number(double v)
{
    return QString::number(v, 'g', 17);
}

} // namespace

class TestQualityE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowMetricsMatchTheRecords()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));

        // Six seconds of records, stamped in the near future so all of them are open when they arrive (the
        // collector takes `ts` up to 300 s ahead) and the SIGTERM flush below closes them.
        const qint64 first = QDateTime::currentSecsSinceEpoch() + 1;
        constexpr int kSeconds = 6;
        std::mt19937_64 rng(42);
        std::uniform_real_distribution<double> u(0, 1);
        std::vector<Binary> scored;
        std::vector<Label> labels;
        std::vector<Regression> regression;
        static const QString animals[] = { u"cat"_s, u"dog"_s, u"owl"_s, u"eel"_s };
        QByteArray lines;
        for (int s = 0; s < kSeconds; ++s) {
            const QString ts = number(double(first + s) + 0.25);
            for (int i = 0; i < 150; ++i) {
                const int truth = u(rng) < 0.35 ? 1 : 0;
                const double score = std::round((truth ? std::sqrt(u(rng)) : u(rng) * u(rng)) * 1e4) / 1e4;
                scored.push_back({ score, truth });
                lines += u"{\"type\":\"prediction\",\"ts\":%1,\"model\":\"fraud\",\"score\":%2,\"truth\":%3}\n"_s
                             .arg(ts, number(score))
                             .arg(truth)
                             .toUtf8();
            }
            for (int i = 0; i < 50; ++i) {
                const QString truth = animals[rng() % 4];
                const QString predicted = u(rng) < 0.7 ? truth : animals[rng() % 4];
                labels.push_back({ predicted, truth });
                lines += u"{\"type\":\"prediction\",\"ts\":%1,\"model\":\"zoo\",\"label\":\"%2\",\"truth\":\"%3\"}\n"_s
                             .arg(ts, predicted, truth)
                             .toUtf8();
            }
            for (int i = 0; i < 50; ++i) {
                const double truth = i % 10 == 0 ? 0.0 : std::round(100 * u(rng)) / 4;
                const double value = truth + std::round((u(rng) - 0.5) * 40) / 8;
                regression.push_back({ value, truth });
                lines += u"{\"type\":\"prediction\",\"ts\":%1,\"model\":\"price\",\"value\":%2,\"truth\":%3}\n"_s
                             .arg(ts, number(value), number(truth))
                             .toUtf8();
            }
            // A prediction without a truth is counted, and feeds no metric.
            lines += u"{\"type\":\"prediction\",\"ts\":%1,\"model\":\"fraud\",\"score\":0.5}\n"_s.arg(ts).toUtf8();
        }
        QLocalSocket ingest;
        ingest.connectToServer(QDir(collector.runtimeDir).filePath(u"ingest.sock"_s));
        QVERIFY(ingest.waitForConnected(5000));
        ingest.write(lines);
        QVERIFY(ingest.waitForBytesWritten(5000));

        // Live: the first second's provisional frame carries the models' quality.
        const auto frames
            = live.readUntil([&](const LiveFrame &f) { return f.second == first && !f.quality.isEmpty(); }, 6000);
        QVERIFY(!frames.isEmpty() && frames.back().second == first);
        QCOMPARE(frames.back().quality.size(), 3);
        QCOMPARE(frames.back().quality[0].key, u"prediction.quality|model:fraud"_s);
        QCOMPARE(frames.back().quality[0].binary, quint64(150));
        QVERIFY(!frames.back().quality[0].blob.isEmpty());
        ingest.disconnectFromServer();
        QCOMPARE(collector.stop(), 0); // SIGTERM closes and stores every open second

        QProcess quality;
        quality.start(binary(u"perfdashd"_s),
            { u"quality"_s, u"--db"_s, collector.dbPath, u"--from"_s,
                QDateTime::fromSecsSinceEpoch(first, QTimeZone::utc()).toString(Qt::ISODate), u"--to"_s,
                QDateTime::fromSecsSinceEpoch(first + kSeconds, QTimeZone::utc()).toString(Qt::ISODate), u"--step"_s,
                u"1d"_s });
        QVERIFY(quality.waitForFinished(20000));
        QCOMPARE(quality.exitCode(), 0);
        const QList<QByteArray> rows = quality.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(rows.size(), 4);
        QCOMPARE(rows[0].trimmed(),
            QByteArray("time,series,binary,classes,regression,accuracy,precision,recall,f1,macro_f1,auc_roc,"
                       "auc_error,rmse,mae,mape,zero_truths"));
        std::map<QByteArray, QList<QByteArray>> bySeries;
        for (int i = 1; i < rows.size(); ++i) {
            const QList<QByteArray> f = rows[i].trimmed().split(',');
            QCOMPARE(f.size(), 16);
            bySeries[f[1]] = f;
        }
        const auto value = [](const QList<QByteArray> &f, int column) { return f[column].toDouble(); };

        // Binary: counts over every second, merged.
        const auto &fraud = bySeries.at("prediction.quality{model=fraud}");
        double tp = 0, fp = 0, tn = 0, fn = 0;
        for (const auto &b : scored) {
            const bool positive = b.score >= 0.5;
            (positive ? (b.truth ? tp : fp) : (b.truth ? fn : tn)) += 1;
        }
        QCOMPARE(fraud[2].toLongLong(), qint64(scored.size()));
        QCOMPARE(value(fraud, 5), (tp + tn) / double(scored.size()));
        QCOMPARE(value(fraud, 6), tp / (tp + fp));
        QCOMPARE(value(fraud, 7), tp / (tp + fn));
        QCOMPARE(value(fraud, 8), 2 * tp / (2 * tp + fp + fn));
        const double auc = exactAuc(scored);
        QVERIFY2(std::abs(value(fraud, 10) - auc) <= 0.005,
            qPrintable(u"auc %1, exact %2"_s.arg(value(fraud, 10)).arg(auc)));
        QVERIFY(std::abs(value(fraud, 10) - auc) <= value(fraud, 11) + 1e-12); // within its own stated bound

        // Multi-class.
        const auto &zoo = bySeries.at("prediction.quality{model=zoo}");
        QCOMPARE(zoo[3].toLongLong(), qint64(labels.size()));
        const double correct = double(
            std::count_if(labels.begin(), labels.end(), [](const Label &l) { return l.predicted == l.truth; }));
        QCOMPARE(value(zoo, 5), correct / double(labels.size()));
        QCOMPARE(value(zoo, 9), macroF1(labels));

        // Regression: MAPE skips zero truths and counts them.
        const auto &price = bySeries.at("prediction.quality{model=price}");
        double abs = 0, sq = 0, pct = 0;
        int zero = 0;
        for (const auto &r : regression) {
            const double e = r.value - r.truth;
            abs += std::abs(e);
            sq += e * e;
            if (r.truth == 0)
                ++zero;
            else
                pct += std::abs(e) / std::abs(r.truth);
        }
        const double n = double(regression.size());
        QCOMPARE(price[4].toLongLong(), qint64(regression.size()));
        QCOMPARE(value(price, 12), std::sqrt(sq / n));
        QCOMPARE(value(price, 13), abs / n);
        QCOMPARE(value(price, 14), pct / (n - zero));
        QCOMPARE(price[15].toInt(), zero);

        // One window per second adds up to the whole.
        QProcess perSecond;
        perSecond.start(binary(u"perfdashd"_s),
            { u"quality"_s, u"--db"_s, collector.dbPath, u"--model"_s, u"fraud"_s, u"--from"_s, QString::number(first),
                u"--to"_s, QString::number(first + kSeconds), u"--step"_s, u"1s"_s });
        QVERIFY(perSecond.waitForFinished(20000));
        // Unix seconds are not a TIME the command takes: it says so.
        QCOMPARE(perSecond.exitCode(), 2);
        QVERIFY(perSecond.readAllStandardError().contains("ISO 8601"));
        perSecond.start(binary(u"perfdashd"_s),
            { u"quality"_s, u"--db"_s, collector.dbPath, u"--model"_s, u"fraud"_s, u"--from"_s,
                QDateTime::fromSecsSinceEpoch(first, QTimeZone::utc()).toString(Qt::ISODate), u"--to"_s,
                QDateTime::fromSecsSinceEpoch(first + kSeconds, QTimeZone::utc()).toString(Qt::ISODate), u"--step"_s,
                u"1s"_s });
        QVERIFY(perSecond.waitForFinished(20000));
        QCOMPARE(perSecond.exitCode(), 0);
        const QList<QByteArray> secondRows = perSecond.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(secondRows.size(), 1 + kSeconds);
        qint64 total = 0;
        for (int i = 1; i < secondRows.size(); ++i)
            total += secondRows[i].split(',')[2].toLongLong();
        QCOMPARE(total, qint64(scored.size()));
    }
};

QTEST_GUILESS_MAIN(TestQualityE2E)
#include "tst_quality_e2e.moc"
