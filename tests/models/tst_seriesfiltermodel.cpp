// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesFilterModel: the Series tab's filter box takes a selector with wildcards or braces, or a plain substring.
#include "models/seriesfiltermodel.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

void ingestKeys(SeriesStore &store, qint64 second, const QStringList &keys)
{
    LiveFrame f { second, {} };
    for (const QString &key : keys) {
        SeriesStats s;
        s.key = key;
        s.kind = MetricKind::Counter;
        f.series.push_back(s);
    }
    store.ingest(f);
}

QStringList shownRows(const QAbstractItemModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.index(row, 0).data().toString());
    return out;
}

const QStringList keys { u"api.latency|model:m1,status:ok"_s, u"api.requests|model:m2"_s, u"gpu.util|gpu:0"_s,
    u"infer.latency|model:m1"_s, u"infer.tokens|model:m12"_s, u"queue"_s };

} // namespace

class TestSeriesFilterModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void patterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QStringList>("shown");
        QTest::addColumn<bool>("selector");
        QTest::newRow("empty: everything")
            << QString()
            << QStringList { u"api.latency{model=m1,status=ok}"_s, u"api.requests{model=m2}"_s, u"gpu.util{gpu=0}"_s,
                   u"infer.latency{model=m1}"_s, u"infer.tokens{model=m12}"_s, u"queue"_s }
            << false;
        QTest::newRow("substring, any case")
            << u"LATENCY"_s << QStringList { u"api.latency{model=m1,status=ok}"_s, u"infer.latency{model=m1}"_s }
            << false;
        QTest::newRow("substring of the display") << u"model=m1"_s
                                                  << QStringList { u"api.latency{model=m1,status=ok}"_s,
                                                         u"infer.latency{model=m1}"_s, u"infer.tokens{model=m12}"_s }
                                                  << false;
        QTest::newRow("name wildcard") << u"api.*"_s
                                       << QStringList { u"api.latency{model=m1,status=ok}"_s,
                                              u"api.requests{model=m2}"_s }
                                       << true;
        QTest::newRow("every series of m1")
            << u"*{model=m1}"_s << QStringList { u"api.latency{model=m1,status=ok}"_s, u"infer.latency{model=m1}"_s }
            << true;
        QTest::newRow("value wildcard") << u"infer.*{model=m*}"_s
                                        << QStringList { u"infer.latency{model=m1}"_s, u"infer.tokens{model=m12}"_s }
                                        << true;
        QTest::newRow("has the tag") << u"*{gpu=*}"_s << QStringList { u"gpu.util{gpu=0}"_s } << true;
        QTest::newRow("braces, no wildcard: exact name") << u"queue{}"_s << QStringList { u"queue"_s } << true;
        QTest::newRow("selector matching nothing") << u"disk.*"_s << QStringList {} << true;
        QTest::newRow("not a selector: substring") << u"a{b"_s << QStringList {} << false;
    }
    void patterns()
    {
        QFETCH(QString, pattern);
        QFETCH(QStringList, shown);
        QFETCH(bool, selector);
        SeriesStore store;
        ingestKeys(store, 1, keys);
        SeriesListModel list(&store);
        SeriesFilterModel filter;
        filter.setSourceModel(&list);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setPattern(u"api"_s); // a previous pattern must not linger
        filter.setPattern(pattern);
        QCOMPARE(shownRows(filter), shown);
        QCOMPARE(filter.selector().has_value(), selector);
    }

    void seriesThatAppearLaterAreFiltered()
    {
        SeriesStore store;
        ingestKeys(store, 1, { u"api.latency|model:m1"_s });
        SeriesListModel list(&store);
        SeriesFilterModel filter;
        filter.setSourceModel(&list);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setPattern(u"*{model=m1}"_s);
        ingestKeys(store, 2, { u"infer.latency|model:m1"_s, u"infer.latency|model:m2"_s });
        QCOMPARE(shownRows(filter), (QStringList { u"api.latency{model=m1}"_s, u"infer.latency{model=m1}"_s }));
        filter.setPattern(QString());
        QCOMPARE(filter.rowCount(), 3);
    }
};

QTEST_GUILESS_MAIN(TestSeriesFilterModel)
#include "tst_seriesfiltermodel.moc"
