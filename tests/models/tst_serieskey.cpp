// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/serieskey.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestSeriesKey : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("tags");
        QTest::addColumn<QString>("key");
        QTest::newRow("no tags") << u"api.latency"_s << QStringList {} << u"api.latency"_s;
        QTest::newRow("tags") << u"api.latency"_s << QStringList { u"model:m1"_s, u"env:prod"_s }
                              << u"api.latency|env:prod,model:m1"_s;
        QTest::newRow("duplicates") << u"x"_s << QStringList { u"b"_s, u"a"_s, u"b"_s } << u"x|a,b"_s;
        // U+1F600 sorts after U+FF21 bytewise (code points), though its UTF-16 surrogate sorts before it.
        QTest::newRow("bytewise beyond the BMP")
            << u"x"_s << QStringList { u"t:\U0001F600"_s, u"t:\uFF21"_s } << u"x|t:\uFF21,t:\U0001F600"_s;
    }
    void roundTrip()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, tags);
        QFETCH(QString, key);
        normalizeTags(tags);
        const SeriesKey k { name, tags };
        QCOMPARE(k.toString(), key);
        const auto back = SeriesKey::fromString(key);
        QCOMPARE(back.name, name);
        QCOMPARE(back.tags, tags);
    }
    void tagValue()
    {
        const auto k = SeriesKey::fromString(u"x|model:m1,modelx:no,step:predict"_s);
        QCOMPARE(k.tagValue(u"model"), u"m1"_s);
        QCOMPARE(k.tagValue(u"step"), u"predict"_s);
        QCOMPARE(k.tagValue(u"status"), QString());
    }
};

QTEST_GUILESS_MAIN(TestSeriesKey)
#include "tst_serieskey.moc"
