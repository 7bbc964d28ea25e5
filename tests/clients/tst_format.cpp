// SPDX-License-Identifier: GPL-3.0-or-later
// The C++ SDK's text: formatted durations, ISO times (UTC, and local with the offset), error truncation, names, ASCII
// upper case, the JSON line builder and its integers.
#include "perfdash/format.h"
#include "perfdash/jsonline.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <ctime>

using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;

namespace {
std::string repeat(std::string_view s, size_t n)
{
    std::string out;
    for (size_t i = 0; i < n; ++i)
        out.append(s);
    return out;
}
QJsonObject parse(const std::string &line)
{
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(line), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON: %s (%s)", line.c_str(), qPrintable(error.errorString()));
    return doc.object();
}
} // namespace

class TestFormat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void formatSeconds_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("seed") << 2.34 << u"2.34 seconds"_s;
        QTest::newRow("rounds half up") << 2.336 << u"2.34 seconds"_s;
        QTest::newRow("zero") << 0.0 << u"0.00 seconds"_s;
        QTest::newRow("sub-centisecond") << 0.004 << u"0.00 seconds"_s;
        QTest::newRow("carries") << 59.999 << u"60.00 seconds"_s;
        QTest::newRow("long") << 3725.5 << u"3725.50 seconds"_s;
    }
    void formatSeconds()
    {
        QFETCH(double, seconds);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(perfdash::client::formatSeconds(seconds)), text);
    }

    void isoUtc_data()
    {
        QTest::addColumn<double>("unix");
        QTest::addColumn<QString>("iso");
        QTest::newRow("epoch") << 0.0 << u"1970-01-01T00:00:00.000Z"_s;
        QTest::newRow("millis") << 1657100590.25 << u"2022-07-06T09:43:10.250Z"_s;
        QTest::newRow("rounds into the next second") << 1657100590.9996 << u"2022-07-06T09:43:11.000Z"_s;
        QTest::newRow("negative") << -1.0 << QString();
    }
    void isoUtc()
    {
        QFETCH(double, unix);
        QFETCH(QString, iso);
        QCOMPARE(QString::fromStdString(perfdash::client::isoUtc(unix)), iso);
    }

    void isoLocal_data()
    {
        QTest::addColumn<QByteArray>("tz");
        QTest::addColumn<double>("unix");
        QTest::addColumn<QString>("iso");
        const QByteArray berlin = "CET-1CEST,M3.5.0,M10.5.0/3";
        QTest::newRow("UTC") << QByteArray("UTC0") << 1657100590.25 << u"2022-07-06T09:43:10.250+00:00"_s;
        QTest::newRow("winter (the brief's example)") << berlin << 1796547600.25 << u"2026-12-06T10:00:00.250+01:00"_s;
        QTest::newRow("summer") << berlin << 1657100590.25 << u"2022-07-06T11:43:10.250+02:00"_s;
        QTest::newRow("negative half hour")
            << QByteArray("<-0330>3:30") << 1657100590.0 << u"2022-07-06T06:13:10.000-03:30"_s;
        QTest::newRow("quarter hour") << QByteArray("<+0545>-5:45") << 1657100590.9996
                                      << u"2022-07-06T15:28:11.000+05:45"_s;
        QTest::newRow("negative") << QByteArray("UTC0") << -1.0 << QString();
    }
    void isoLocal()
    {
        QFETCH(QByteArray, tz);
        QFETCH(double, unix);
        QFETCH(QString, iso);
        const QByteArray before = qgetenv("TZ");
        qputenv("TZ", tz);
        tzset();
        const QString text = QString::fromStdString(perfdash::client::isoLocal(unix));
        if (before.isNull())
            qunsetenv("TZ");
        else
            qputenv("TZ", before);
        tzset();
        QCOMPARE(text, iso);
    }

    void truncateError_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<bool>("cut");
        QTest::newRow("short") << u"timeout after 3 retries"_s << false;
        QTest::newRow("exactly 5000") << QString(5000, u'x') << false;
        QTest::newRow("5001") << QString(5001, u'x') << true;
        QTest::newRow("long") << QString(100000, u'y') << true;
        QTest::newRow("5000 two-byte characters") << QString(5000, QChar(0xE9)) << false;
        QTest::newRow("5001 two-byte characters") << QString(5001, QChar(0xE9)) << true;
        QTest::newRow("emoji (outside the BMP)") << QString(6000, u'a').replace(u"aa"_s, u"\U0001F600"_s) << false;
    }
    void truncateError()
    {
        QFETCH(QString, message);
        QFETCH(bool, cut);
        const std::string out = perfdash::client::truncateError(message.toStdString());
        const QString text = QString::fromStdString(out);
        const auto chars = text.toUcs4().size();
        QVERIFY(chars <= 5000);
        if (cut) {
            QCOMPARE(chars, 5000);
            QVERIFY(text.endsWith(u"…[truncated]"_s));
            QVERIFY(message.startsWith(text.chopped(12)));
        } else {
            QCOMPARE(text, message);
        }
    }

    void truncateErrorRepairsUtf8()
    {
        const std::string bad = "bad \xC3 byte \xED\xA0\x80 surrogate";
        const std::string out = perfdash::client::truncateError(bad);
        QCOMPARE(QString::fromStdString(out), u"bad \uFFFD byte \uFFFD\uFFFD\uFFFD surrogate"_s);
    }

    void sanitizeName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << u"load_data"_s << u"load_data"_s;
        QTest::newRow("separators") << u"a|b,c\nd"_s << u"a_b_c_d"_s;
        QTest::newRow("empty") << QString() << u"unnamed"_s;
        QTest::newRow("200 bytes") << QString(200, u'n') << QString(200, u'n');
        QTest::newRow("cut at 200 bytes") << QString(300, u'n') << QString(200, u'n');
        QTest::newRow("cut on a character") << QString(150, QChar(0xE9)) << QString(100, QChar(0xE9));
        QTest::newRow("odd byte count") << u"x"_s + QString(150, QChar(0xE9)) << u"x"_s + QString(99, QChar(0xE9));
    }
    void sanitizeName()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        const std::string out = perfdash::client::sanitizeName(name.toStdString());
        QVERIFY(out.size() <= 200);
        QCOMPARE(QString::fromStdString(out), expected);
    }

    void asciiUpper()
    {
        QCOMPARE(perfdash::client::asciiUpper("m-search az AZ 09"), std::string("M-SEARCH AZ AZ 09"));
        QCOMPARE(perfdash::client::asciiUpper("p\xC3\xB6st"), std::string("P\xC3\xB6ST")); // only ASCII letters
        QCOMPARE(perfdash::client::asciiUpper(""), std::string());
    }

    // Counts go out as JSON integers of at most 2^53 (docs/protocol.md, Numbers): larger ones are clamped.
    void jsonInteger_data()
    {
        QTest::addColumn<quint64>("count");
        QTest::addColumn<qint64>("sent");
        QTest::newRow("0") << quint64(0) << qint64(0);
        QTest::newRow("42") << quint64(42) << qint64(42);
        QTest::newRow("2^53 - 1") << (quint64(1) << 53) - 1 << (qint64(1) << 53) - 1;
        QTest::newRow("2^53") << (quint64(1) << 53) << (qint64(1) << 53);
        QTest::newRow("2^53 + 1") << (quint64(1) << 53) + 1 << (qint64(1) << 53);
        QTest::newRow("2^64 - 1") << ~quint64(0) << (qint64(1) << 53);
    }
    void jsonInteger()
    {
        QFETCH(quint64, count);
        QFETCH(qint64, sent);
        QCOMPARE(perfdash::client::jsonInteger(count), int64_t(sent));
        QCOMPARE(kMaxJsonInteger, uint64_t(9007199254740992));
    }

    void jsonLine()
    {
        JsonLine line("op");
        line.field("name", "say \"hi\"\\\n\t\x01")
            .field("n", int64_t(42))
            .field("x", 0.1)
            .field("nan", std::nan(""))
            .field("ok", true)
            .tags({ { "model", "m1" }, { "a:b", "c|d,e" } });
        const std::string text = std::move(line).finish();
        QVERIFY(text.find('\n') == std::string::npos);
        const QJsonObject o = parse(text);
        QCOMPARE(o.value(u"type"_s).toString(), u"op"_s);
        QCOMPARE(o.value(u"v"_s).toInt(), 1);
        QCOMPARE(o.value(u"name"_s).toString(), u"say \"hi\"\\\n\t\x01"_s);
        QCOMPARE(o.value(u"n"_s).toInteger(), 42);
        QCOMPARE(o.value(u"x"_s).toDouble(), 0.1);
        QVERIFY(!o.contains(u"nan"_s)); // JSON has no NaN: the field is left out
        QCOMPARE(o.value(u"ok"_s).toBool(), true);
        const QJsonObject tags = o.value(u"tags"_s).toObject();
        QCOMPARE(tags.value(u"model"_s).toString(), u"m1"_s);
        QCOMPARE(tags.value(u"a_b"_s).toString(), u"c_d_e"_s);

        JsonLine bad("op");
        bad.field("error", "caf\xC3\xA9 \xC3 \xF0\x9F\x98\x80 end");
        QCOMPARE(parse(std::move(bad).finish()).value(u"error"_s).toString(), u"café \uFFFD \U0001F600 end"_s);
    }

    void jsonLineLeavesOutOverlongTags()
    {
        JsonLine line("metric");
        line.tags({ { "k", repeat("v", 198) }, { "long", repeat("v", 300) } });
        const QJsonObject tags = parse(std::move(line).finish()).value(u"tags"_s).toObject();
        QCOMPARE(tags.size(), 1);
        QVERIFY(tags.contains(u"k"_s));
    }
};

QTEST_GUILESS_MAIN(TestFormat)
#include "tst_format.moc"
