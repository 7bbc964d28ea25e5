// SPDX-License-Identifier: GPL-3.0-or-later
// The chart's "Copy data" table: rows merged by time, empty cells, the range, quoting.
#include "models/seriestable.h"

#include <QTest>

#include <limits>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
constexpr qint64 t0 = 1'795'464'000'000; // 2026-11-23T20:00:00Z
constexpr double noValue = std::numeric_limits<double>::quiet_NaN();
using Columns = QVector<SeriesTable::Column>;
} // namespace

class TestSeriesTable : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void text_data()
    {
        QTest::addColumn<Columns>("columns");
        QTest::addColumn<QChar>("separator");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no columns") << Columns {} << QChar(u'\t') << u"time\n"_s;
        QTest::newRow("merged by time") << Columns { { u"a"_s, { { double(t0), 1 }, { double(t0 + 2000), 3 } } },
            { u"b"_s, { { double(t0 + 1000), 2 }, { double(t0 + 2000), 4 } } } }
                                        << QChar(u',')
                                        << u"time,a,b\n2026-11-23T20:00:00Z,1,\n2026-11-23T20:00:01Z,,2\n"
                                           "2026-11-23T20:00:02Z,3,4\n"_s;
        QTest::newRow("outside the range") << Columns { { u"a"_s,
            { { double(t0 - 1), 1 }, { double(t0), 2 }, { double(t0 + 60'000), 3 }, { double(t0 + 60'001), 4 } } } }
                                           << QChar(u'\t')
                                           << u"time\ta\n2026-11-23T20:00:00Z\t2\n2026-11-23T20:01:00Z\t3\n"_s;
        QTest::newRow("gaps make no rows")
            << Columns { { u"a"_s, { { double(t0), noValue }, { double(t0 + 1000), 5 } } } } << QChar(u'\t')
            << u"time\ta\n2026-11-23T20:00:01Z\t5\n"_s;
        QTest::newRow("milliseconds") << Columns { { u"a"_s, { { double(t0 + 250), 0.5 } } } } << QChar(u'\t')
                                      << u"time\ta\n2026-11-23T20:00:00.250Z\t0.5\n"_s;
        QTest::newRow("last of one time") << Columns { { u"a"_s, { { double(t0), 1 }, { double(t0), 2 } } } }
                                          << QChar(u'\t') << u"time\ta\n2026-11-23T20:00:00Z\t2\n"_s;
        QTest::newRow("names quoted") << Columns { { u"p95, ms"_s, {} }, { u"say \"hi\""_s, {} } } << QChar(u',')
                                      << u"time,\"p95, ms\",\"say \"\"hi\"\"\"\n"_s;
    }

    void text()
    {
        QFETCH(Columns, columns);
        QFETCH(QChar, separator);
        QFETCH(QString, expected);
        QCOMPARE(SeriesTable::text(columns, t0, t0 + 60'000, separator), expected);
    }
};

QTEST_GUILESS_MAIN(TestSeriesTable)
#include "tst_seriestable.moc"
