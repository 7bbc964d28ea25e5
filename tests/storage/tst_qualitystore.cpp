// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/database.h"
#include "storage/qualitystore.h"
#include "storage/storagewriter.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <random>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kHour0 = 1795464000; // 2026-11-23T20:00:00Z
const QString kKey = u"prediction.quality|model:fraud"_s;

// A second's outcomes, different for every second: binary scores, a few classes and a regression pair.
QualityMetrics secondOf(qint64 second)
{
    std::mt19937_64 rng { quint64(second) };
    std::uniform_real_distribution<double> u(0, 1);
    QualityMetrics m;
    const int n = 1 + int(rng() % 6);
    for (int i = 0; i < n; ++i) {
        const bool truth = u(rng) < 0.4;
        m.addBinary(std::min(1.0, std::max(0.0, (truth ? 0.3 : 0.0) + 0.7 * u(rng))), truth);
    }
    static const QString labels[] = { u"cat"_s, u"dog"_s, u"owl"_s };
    m.addClass(labels[rng() % 3], labels[rng() % 3]);
    m.addRegression(10 * u(rng), second % 5 == 0 ? 0.0 : 10 * u(rng));
    return m;
}

class Connection {
public:
    explicit Connection(const QString &path)
    {
        const auto r = Database::openWritable(m_name, path);
        ok = r.ok;
        error = r.error;
    }
    ~Connection() { Database::close(m_name); }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    bool ok = false;
    QString error;

private:
    QString m_name = u"tst_qualitystore"_s;
};

} // namespace

class TestQualityStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowsMergeTiersExactly()
    {
        QTemporaryDir dir;
        Connection c(dir.filePath(u"q.db"_s));
        QVERIFY2(c.ok, qPrintable(c.error));
        QSqlDatabase db = c.db();
        // Every third second over 2 h 20 min, starting half an hour before an hour boundary.
        const qint64 first = kHour0 - 1800;
        const qint64 last = kHour0 + 2 * 3600 + 600;
        std::map<qint64, QualityMetrics> sent;
        QVERIFY(db.transaction());
        for (qint64 s = first; s < last; s += 3) {
            sent.emplace(s, secondOf(s));
            QString error;
            QVERIFY2(QualityStore::writeSecond(db, QualityStats::from(kKey, sent.at(s), true), s, &error),
                qPrintable(error));
        }
        QVERIFY(db.commit());

        // Windows with ragged edges and the whole span: the merge of exactly the seconds inside, byte for byte.
        const std::pair<qint64, qint64> ranges[]
            = { { first, last }, { first + 17, last - 29 }, { kHour0 - 61, kHour0 + 3600 + 7 }, { kHour0, kHour0 + 60 },
                  { kHour0 + 5, kHour0 + 6 }, { kHour0 + 1, kHour0 + 2 } };
        for (const auto &[from, to] : ranges) {
            QVector<QualityStore::Window> windows;
            QString error;
            QVERIFY2(QualityStore::windows(db, kKey, from, to, to - from, &windows, &error), qPrintable(error));
            QualityMetrics expected;
            int inside = 0;
            for (auto it = sent.lower_bound(from); it != sent.end() && it->first < to; ++it, ++inside)
                QVERIFY(expected.merge(it->second));
            if (inside == 0) {
                QVERIFY(windows.isEmpty());
                continue;
            }
            QCOMPARE(windows.size(), 1);
            QCOMPARE(windows[0].corruptRows, 0);
            QCOMPARE(windows[0].metrics.serialize(), expected.serialize());
            QVERIFY(windows[0].rows <= inside);
            if (to - from > 3600)
                QVERIFY2(windows[0].rows < inside / 10, "an hour-long window should use the coarse tiers");
        }

        // Steps: one window per minute, each equal to its own seconds.
        QVector<QualityStore::Window> minutes;
        QString error;
        QVERIFY(QualityStore::windows(db, kKey, kHour0 - 600, kHour0 + 600, 60, &minutes, &error));
        QCOMPARE(minutes.size(), 20);
        for (const auto &w : minutes) {
            QualityMetrics expected;
            for (auto it = sent.lower_bound(w.from); it != sent.end() && it->first < w.to; ++it)
                expected.merge(it->second);
            QCOMPARE(w.metrics.serialize(), expected.serialize());
            QCOMPARE(w.rows, 1); // the minute row
        }
    }

    void aSecondWrittenTwiceCountsOnce()
    {
        QTemporaryDir dir;
        Connection c(dir.filePath(u"q.db"_s));
        QVERIFY(c.ok);
        QSqlDatabase db = c.db();
        const QualityStats stats = QualityStats::from(kKey, secondOf(kHour0), true);
        QString error;
        QVERIFY(QualityStore::writeSecond(db, stats, kHour0 + 10, &error));
        QVERIFY(QualityStore::writeSecond(db, stats, kHour0 + 10, &error));
        QVector<QualityStore::Window> windows;
        QVERIFY(QualityStore::windows(db, kKey, kHour0, kHour0 + 3600, 3600, &windows, &error));
        QCOMPARE(windows.size(), 1);
        QCOMPARE(windows[0].metrics.serialize(), secondOf(kHour0).serialize());
        // A blob that does not decode is an error for the caller, never a row.
        QualityStats bad = stats;
        bad.blob = "garbage";
        QVERIFY(!QualityStore::writeSecond(db, bad, kHour0 + 11, &error));
        QVERIFY(!error.isEmpty());
    }

    void retentionKeepsCoarseRows()
    {
        QTemporaryDir dir;
        Connection c(dir.filePath(u"q.db"_s));
        QVERIFY(c.ok);
        QSqlDatabase db = c.db();
        QualityMetrics all;
        QString error;
        for (qint64 s = kHour0; s < kHour0 + 120; ++s) {
            QVERIFY(QualityStore::writeSecond(db, QualityStats::from(kKey, secondOf(s), true), s, &error));
            all.merge(secondOf(s));
        }
        Retention retention;
        retention.second = 60; // seconds older than a minute go
        const int deleted = QualityStore::deleteExpired(db, retention, kHour0 + 200, 1000);
        QCOMPARE(deleted, 120);
        QVector<QualityStore::Window> windows;
        QVERIFY(QualityStore::windows(db, kKey, kHour0, kHour0 + 120, 120, &windows, &error));
        QCOMPARE(windows.size(), 1);
        QCOMPARE(windows[0].metrics.serialize(), all.serialize()); // from the two minute rows
        QCOMPARE(windows[0].rows, 2);
    }

    void writerStoresFramesQuality()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"w.db"_s);
        QualityMetrics all;
        {
            StorageThread storage(path);
            QVERIFY(storage.start().ok);
            QVector<LiveFrame> frames;
            for (qint64 s = kHour0; s < kHour0 + 5; ++s) {
                LiveFrame f { s, {} };
                f.quality.push_back(QualityStats::from(kKey, secondOf(s), true));
                all.merge(secondOf(s));
                frames.push_back(f);
            }
            LiveFrame provisional { kHour0 + 5, {} };
            provisional.provisional = true; // never stored as quality: its final frame is
            provisional.quality.push_back(QualityStats::from(kKey, secondOf(kHour0 + 5), true));
            frames.push_back(provisional);
            storage.post(frames);
            QVERIFY(storage.flush());
            QCOMPARE(storage.counters().qualityWritten.load(), quint64(5));
        }
        Connection c(path);
        QVERIFY(c.ok);
        QVector<QualityStore::Window> windows;
        QString error;
        QSqlDatabase db = c.db();
        QVERIFY(QualityStore::windows(db, kKey, kHour0, kHour0 + 60, 60, &windows, &error));
        QCOMPARE(windows.size(), 1);
        QCOMPARE(windows[0].metrics.serialize(), all.serialize());
        QStringList keys;
        QVERIFY(QualityStore::keys(db, kHour0, kHour0 + 60, &keys, &error));
        QCOMPARE(keys, QStringList { kKey });
    }
};

QTEST_GUILESS_MAIN(TestQualityStore)
#include "tst_qualitystore.moc"
