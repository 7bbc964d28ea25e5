// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesSelector: the one series syntax of the CLI, the GUI's filter and alert rules (docs/series.md).
#include "models/seriesselector.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestSeriesSelector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void selectors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("matches");
        QTest::newRow("bare name, any tags") << u"api.latency"_s << u"api.latency|model:m1"_s << true;
        QTest::newRow("exact tags") << u"api.latency{model=m1}"_s << u"api.latency|model:m1"_s << true;
        QTest::newRow("tag order irrelevant") << u"x{b=2,a=1}"_s << u"x|a:1,b:2"_s << true;
        QTest::newRow("subset of tags") << u"x{a=1}"_s << u"x|a:1,b:2"_s << true;
        QTest::newRow("missing tag") << u"x{c=3}"_s << u"x|a:1,b:2"_s << false;
        QTest::newRow("other value") << u"x{a=2}"_s << u"x|a:1"_s << false;
        QTest::newRow("other name") << u"y{a=1}"_s << u"x|a:1"_s << false;
        QTest::newRow("quoted value, spaces") << u" x{ a = \"1\" } "_s << u"x|a:1"_s << true;
        QTest::newRow("empty braces") << u"x{}"_s << u"x"_s << true;
        QTest::newRow("* in name") << u"api.*"_s << u"api.latency|model:m1"_s << true;
        QTest::newRow("* in name, other prefix") << u"api.*"_s << u"apis.latency"_s << false;
        QTest::newRow("* matches nothing") << u"api.*"_s << u"api."_s << true;
        QTest::newRow("* matches dots and slashes") << u"a*z"_s << u"a.b/c.z"_s << true;
        QTest::newRow("* inside") << u"infer.*.ms"_s << u"infer.decode.ms"_s << true;
        QTest::newRow("* inside, wrong end") << u"infer.*.ms"_s << u"infer.decode.s"_s << false;
        QTest::newRow("several *") << u"*a*b*"_s << u"xxaxxbxx"_s << true;
        QTest::newRow("several *, wrong order") << u"*a*b*"_s << u"xxbxxaxx"_s << false;
        QTest::newRow("? is one character") << u"gpu?.util"_s << u"gpu0.util"_s << true;
        QTest::newRow("? is not none") << u"gpu?.util"_s << u"gpu.util"_s << false;
        QTest::newRow("? is not two") << u"gpu?.util"_s << u"gpu10.util"_s << false;
        QTest::newRow("? matches a literal *") << u"a?b"_s << u"a*b|k:v"_s << true;
        QTest::newRow("* alone: every series of m1") << u"*{model=m1}"_s << u"infer.latency|model:m1,stage:a"_s << true;
        QTest::newRow("* alone, other model") << u"*{model=m1}"_s << u"infer.latency|model:m2"_s << false;
        QTest::newRow("* alone, untagged") << u"*{model=m1}"_s << u"queue"_s << false;
        QTest::newRow("* in value") << u"infer.*{model=m*}"_s << u"infer.latency|model:m12"_s << true;
        QTest::newRow("* in value, other value") << u"infer.*{model=m*}"_s << u"infer.latency|model:x1"_s << false;
        QTest::newRow("* in value, other tag") << u"x{model=m*}"_s << u"x|mode:m1"_s << false;
        QTest::newRow("? in value") << u"x{gpu=?}"_s << u"x|gpu:3"_s << true;
        QTest::newRow("? in value, two characters") << u"x{gpu=?}"_s << u"x|gpu:13"_s << false;
        QTest::newRow("tag=*: any value") << u"x{a=*}"_s << u"x|a:anything,b:2"_s << true;
        QTest::newRow("tag=*: a bare tag") << u"x{a=*}"_s << u"x|a,b:2"_s << true;
        QTest::newRow("tag=*: tag missing") << u"x{a=*}"_s << u"x|b:2"_s << false;
        QTest::newRow("tag=*: prefix of a tag name") << u"x{a=*}"_s << u"x|ab:1"_s << false;
        QTest::newRow("quoted wildcard value") << u"x{a=\"1*\"}"_s << u"x|a:12"_s << true;
        QTest::newRow("wildcard and exact tags") << u"x{a=1,b=*}"_s << u"x|a:1,b:9"_s << true;
        QTest::newRow("wildcard and exact tags, exact fails") << u"x{a=1,b=*}"_s << u"x|a:2,b:9"_s << false;
    }
    void selectors()
    {
        QFETCH(QString, text);
        QFETCH(QString, key);
        QFETCH(bool, matches);
        QString error;
        const auto selector = SeriesSelector::parse(text, &error);
        QVERIFY2(selector, qPrintable(error));
        QCOMPARE(selector->matches(key), matches);
    }

    void badSelectors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QString() << u"no series name"_s;
        QTest::newRow("only tags") << u"{a=1}"_s << u"no series name"_s;
        QTest::newRow("unclosed") << u"x{a=1"_s << u"does not end with '}'"_s;
        QTest::newRow("no equals") << u"x{a}"_s << u"is not tag=value"_s;
        QTest::newRow("empty tag") << u"x{=1}"_s << u"empty tag name"_s;
        QTest::newRow("nested") << u"x{a={b}}"_s << u"nested braces"_s;
        QTest::newRow("* in tag name") << u"x{mod*=m1}"_s
                                       << u"the tag name \"mod*\" in the selector contains a wildcard"_s;
        QTest::newRow("? in tag name") << u"x{?=1}"_s << u"'*' and '?' go in the series name and in tag values only"_s;
    }
    void badSelectors()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!SeriesSelector::parse(text, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void hasWildcards_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("wildcards");
        QTest::newRow("plain") << u"x{a=1}"_s << false;
        QTest::newRow("name *") << u"x.*"_s << true;
        QTest::newRow("name ?") << u"x?"_s << true;
        QTest::newRow("value *") << u"x{a=*}"_s << true;
    }
    void hasWildcards()
    {
        QFETCH(QString, text);
        QFETCH(bool, wildcards);
        QString error;
        const auto selector = SeriesSelector::parse(text, &error);
        QVERIFY2(selector, qPrintable(error));
        QCOMPARE(selector->hasWildcards(), wildcards);
    }

    void aSelectorBuiltFieldByFieldMatchesAsParsed()
    {
        // AlertEvaluator assembles selectors from a rule's metric, tags and model.
        SeriesSelector selector;
        selector.name = u"infer.*"_s;
        selector.tags = { u"model:m*"_s };
        QVERIFY(selector.matches(u"infer.latency|model:m1"_s));
        QVERIFY(!selector.matches(u"infer.latency|model:x1"_s));
    }

    void displayNamesAreSelectors()
    {
        QCOMPARE(
            SeriesSelector::displayName(u"api.latency|model:m1,status:ok"_s), u"api.latency{model=m1,status=ok}"_s);
        QCOMPARE(SeriesSelector::displayName(u"queue"_s), u"queue"_s);
        QString error;
        const auto back = SeriesSelector::parse(SeriesSelector::displayName(u"a|k:v,z:w"_s), &error);
        QVERIFY(back && back->matches(u"a|k:v,z:w"_s));
    }
};

QTEST_GUILESS_MAIN(TestSeriesSelector)
#include "tst_seriesselector.moc"
