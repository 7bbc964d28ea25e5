// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/statsdparser.h"
#include "models/aggregator.h"
#include "models/serieskey.h"

#include <QFile>
#include <QHash>
#include <QSet>
#include <QTest>

#include <charconv>
#include <cmath>
#include <random>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 Now = 1657100600; // the conformance table's injected clock

const QByteArrayList TsvHeader
    = { "id", "input", "verdict", "type", "name", "values", "tags", "rate", "timestamp", "reason", "note" };

// What a gauge holds after the row, from an empty store, as the row's note says.
struct GaugeEnd {
    QByteArray name;
    double last;
};
const QHash<QString, GaugeEnd> &gaugeEnds()
{
    static const QHash<QString, GaugeEnd> ends = {
        { u"gauge.plus"_s, { "x", 4 } },
        { u"gauge.minus"_s, { "x", -3 } },
        { u"gauge.minus_zero"_s, { "x", 0 } },
        { u"gauge.packed_signed"_s, { "x", 0 } },
        { u"multi.gauge_deltas"_s, { "temp", -2 } },
        { u"multi.pystatsd_negative"_s, { "queue.depth", -10 } },
        { u"multi.delta_first"_s, { "level", 3 } },
    };
    return ends;
}

QString fixturesDir()
{
    const QString source = qEnvironmentVariable("PERFDASH_SOURCE_DIR");
    if (!source.isEmpty())
        return source + u"/tests/fixtures"_s;
    return QString::fromUtf8(PERFDASH_FIXTURES_DIR);
}

// Decodes the table's escapes: \\ \n \r \t \xNN \{TEXT*N}. Anything else is an error in the file.
bool decodeEscapes(QByteArrayView in, QByteArray &out, QString &error)
{
    out.clear();
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c != '\\') {
            out.append(c);
            continue;
        }
        if (i + 1 >= in.size()) {
            error = u"dangling backslash"_s;
            return false;
        }
        const char e = in[++i];
        switch (e) {
        case '\\':
            out.append('\\');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'r':
            out.append('\r');
            break;
        case 't':
            out.append('\t');
            break;
        case 'x': {
            bool ok = false;
            const int byte = i + 2 < in.size() ? in.sliced(i + 1, 2).toByteArray().toInt(&ok, 16) : 0;
            if (!ok) {
                error = u"bad \\x escape"_s;
                return false;
            }
            out.append(char(byte));
            i += 2;
            break;
        }
        case '{': {
            const qsizetype close = in.indexOf('}', i + 1);
            const QByteArrayView body = close < 0 ? QByteArrayView() : in.sliced(i + 1, close - i - 1);
            const qsizetype star = body.lastIndexOf('*');
            int count = -1;
            if (star > 0) {
                const QByteArrayView digits = body.sliced(star + 1);
                const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
                if (ec != std::errc() || ptr != digits.data() + digits.size())
                    count = -1;
            }
            QByteArray text;
            if (count < 0 || !decodeEscapes(body.first(star), text, error)) {
                error = u"bad \\{TEXT*N} escape"_s;
                return false;
            }
            for (int n = 0; n < count; ++n)
                out.append(text);
            i = close;
            break;
        }
        default:
            error = u"unknown escape \\%1"_s.arg(QLatin1Char(e));
            return false;
        }
    }
    return true;
}

// Exact double parse of an expected number; a leading '+' is allowed (a gauge delta).
bool parseExpected(QByteArrayView text, double &value)
{
    if (text.startsWith('+'))
        text = text.sliced(1);
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.isEmpty() && ec == std::errc() && ptr == text.data() + text.size();
}

QByteArrayList utf8List(const QStringList &list)
{
    QByteArrayList out;
    for (const auto &s : list)
        out.push_back(s.toUtf8());
    return out;
}

QByteArrayList expectedTags(const QByteArray &column)
{
    return column.isEmpty() ? QByteArrayList() : column.split(',');
}

// "k=v;k2=v2" of the values column for events and service checks.
QHash<QByteArray, QByteArray> keyValues(const QByteArray &column)
{
    QHash<QByteArray, QByteArray> out;
    for (const QByteArray &part : column.split(';')) {
        const qsizetype eq = part.indexOf('=');
        out.insert(eq < 0 ? part : part.first(eq), eq < 0 ? QByteArray() : part.sliced(eq + 1));
    }
    return out;
}

std::optional<MetricKind> metricKindOf(const QString &type)
{
    static const QHash<QString, MetricKind> kinds = {
        { u"c"_s, MetricKind::Counter },
        { u"g"_s, MetricKind::Gauge },
        { u"ms"_s, MetricKind::Timer },
        { u"h"_s, MetricKind::Distribution },
        { u"d"_s, MetricKind::Distribution },
        { u"s"_s, MetricKind::Set },
    };
    const auto it = kinds.constFind(type);
    return it == kinds.constEnd() ? std::nullopt : std::optional<MetricKind>(*it);
}

struct Outcome {
    std::optional<StatsdParser::Reason> reason;
    StatsdParser::Message message;
};

QString describe(const std::optional<StatsdParser::Reason> &reason)
{
    return reason ? u"reject(%1)"_s.arg(QLatin1StringView(StatsdParser::reasonCode(*reason))) : u"ok"_s;
}

} // namespace

class TestStatsdParser : public QObject {
    Q_OBJECT

    // One message reused across rows, as StatsdIngest reuses its own, so stale state from a previous row would show.
    StatsdParser::Message m_message;
    QSet<QString> m_ids;

    std::vector<Outcome> parseDatagram(QByteArrayView datagram)
    {
        std::vector<Outcome> outcomes;
        StatsdParser::forEachLine(datagram, [&](QByteArrayView line) {
            const auto reason = StatsdParser::parseLine(line, m_message, StatsdParser::Limits {}, Now);
            outcomes.push_back({ reason, m_message });
        });
        return outcomes;
    }

    static void checkMetric(const StatsdParser::Line &line, const QString &type, const QByteArray &name,
        const QByteArray &values, const QByteArray &tags, const QString &rate, const QString &timestamp)
    {
        const auto kind = metricKindOf(type);
        QVERIFY2(kind, qPrintable(u"unknown type in the table: "_s + type));
        QCOMPARE(line.kind, *kind);
        QCOMPARE(line.name.toUtf8(), name);
        if (*kind == MetricKind::Set) {
            QCOMPARE(line.setMember, values);
            QVERIFY(line.values.isEmpty());
        } else {
            const QByteArrayList expected = values.split(';');
            QCOMPARE(line.values.size(), expected.size());
            for (qsizetype i = 0; i < expected.size(); ++i) {
                double want = 0;
                QVERIFY2(parseExpected(expected[i], want), expected[i].constData());
                const bool sign = expected[i].startsWith('+') || expected[i].startsWith('-');
                QVERIFY2(line.values[i].value == want,
                    qPrintable(u"value %1: got %2, want %3"_s.arg(i)
                                   .arg(line.values[i].value, 0, 'g', 17)
                                   .arg(want, 0, 'g', 17)));
                QCOMPARE(line.values[i].signedGauge, *kind == MetricKind::Gauge && sign);
            }
        }
        QCOMPARE(utf8List(line.tags), expectedTags(tags));
        double wantRate = 0;
        QVERIFY2(parseExpected(rate.toUtf8(), wantRate), "the rate column of an accepted metric must hold a number");
        QVERIFY2(line.sampleRate == wantRate, qPrintable(u"rate %1"_s.arg(line.sampleRate, 0, 'g', 17)));
        QCOMPARE(line.timestamp, timestamp.isEmpty() ? 0 : timestamp.toLongLong());
    }

    static void checkEvent(const StatsdEvent &event, const QByteArray &name, const QByteArray &values,
        const QByteArray &tags, const QString &timestamp)
    {
        static const QHash<QByteArray, StatsdEvent::AlertType> alerts = {
            { "info", StatsdEvent::AlertType::Info },
            { "error", StatsdEvent::AlertType::Error },
            { "warning", StatsdEvent::AlertType::Warning },
            { "success", StatsdEvent::AlertType::Success },
        };
        const auto kv = keyValues(values);
        for (auto it = kv.cbegin(); it != kv.cend(); ++it) {
            static const QByteArrayList known = { "text", "priority", "alert", "host", "aggkey", "source" };
            QVERIFY2(known.contains(it.key()), it.key().constData());
        }
        QVERIFY(kv.contains("text"));
        QCOMPARE(event.title.toUtf8(), name);
        QCOMPARE(event.text.toUtf8(), kv.value("text"));
        QCOMPARE(
            event.priority, kv.value("priority") == "low" ? StatsdEvent::Priority::Low : StatsdEvent::Priority::Normal);
        QVERIFY2(!kv.contains("alert") || alerts.contains(kv.value("alert")), "bad alert in the table");
        QCOMPARE(event.alertType, alerts.value(kv.value("alert"), StatsdEvent::AlertType::Info));
        QCOMPARE(event.host.toUtf8(), kv.value("host"));
        QCOMPARE(event.aggregationKey.toUtf8(), kv.value("aggkey"));
        QCOMPARE(event.sourceType.toUtf8(), kv.value("source"));
        QCOMPARE(utf8List(event.tags), expectedTags(tags));
        QCOMPARE(event.timestamp, timestamp.isEmpty() ? 0 : timestamp.toLongLong());
    }

    static void checkServiceCheck(const StatsdServiceCheck &check, const QByteArray &name, const QByteArray &values,
        const QByteArray &tags, const QString &timestamp)
    {
        const auto kv = keyValues(values);
        for (auto it = kv.cbegin(); it != kv.cend(); ++it) {
            static const QByteArrayList known = { "status", "host", "message" };
            QVERIFY2(known.contains(it.key()), it.key().constData());
        }
        QVERIFY(kv.contains("status"));
        QCOMPARE(check.name.toUtf8(), name);
        QCOMPARE(int(check.status), kv.value("status").toInt());
        QCOMPARE(check.host.toUtf8(), kv.value("host"));
        QCOMPARE(check.message.toUtf8(), kv.value("message"));
        QCOMPARE(utf8List(check.tags), expectedTags(tags));
        QCOMPARE(check.timestamp, timestamp.isEmpty() ? 0 : timestamp.toLongLong());
    }

private Q_SLOTS:
    void conformance_data()
    {
        QTest::addColumn<QString>("error"); // a malformed row fails its own test instead of hiding
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("verdict");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("values");
        QTest::addColumn<QByteArray>("tags");
        QTest::addColumn<QString>("rate");
        QTest::addColumn<QString>("timestamp");
        QTest::addColumn<QString>("reason");

        QFile file(fixturesDir() + u"/statsd.tsv"_s);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName() + u": "_s + file.errorString()));
        const QByteArrayList lines = file.readAll().split('\n');
        QVERIFY(!lines.isEmpty());
        QCOMPARE(lines.first().split('\t'), TsvHeader);
        m_ids.clear();
        for (qsizetype n = 1; n < lines.size(); ++n) {
            if (lines[n].isEmpty() && n == lines.size() - 1)
                break; // the final LF
            const QByteArrayList f = lines[n].split('\t');
            QString error;
            if (f.size() != TsvHeader.size()) {
                QTest::addRow("line%d", int(n + 1))
                    << u"expected 11 fields, got %1"_s.arg(f.size()) << QByteArray() << QString() << QString()
                    << QByteArray() << QByteArray() << QByteArray() << QString() << QString() << QString();
                continue;
            }
            const QString id = QString::fromUtf8(f[0]);
            if (m_ids.contains(id))
                error = u"duplicate id"_s;
            m_ids.insert(id);
            QByteArray input, name, values, tags;
            if (error.isEmpty() && !decodeEscapes(f[1], input, error))
                error.prepend(u"input: "_s);
            if (error.isEmpty() && !decodeEscapes(f[4], name, error))
                error.prepend(u"name: "_s);
            if (error.isEmpty() && !decodeEscapes(f[5], values, error))
                error.prepend(u"values: "_s);
            if (error.isEmpty() && !decodeEscapes(f[6], tags, error))
                error.prepend(u"tags: "_s);
            QTest::newRow(f[0].constData())
                << error << input << QString::fromUtf8(f[2]) << QString::fromUtf8(f[3]) << name << values << tags
                << QString::fromUtf8(f[7]) << QString::fromUtf8(f[8]) << QString::fromUtf8(f[9]);
        }
        QVERIFY(m_ids.size() >= 150);
    }

    void conformance()
    {
        QFETCH(QString, error);
        QFETCH(QByteArray, input);
        QFETCH(QString, verdict);
        QFETCH(QString, type);
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, values);
        QFETCH(QByteArray, tags);
        QFETCH(QString, rate);
        QFETCH(QString, timestamp);
        QFETCH(QString, reason);
        QVERIFY2(error.isEmpty(), qPrintable(u"malformed row: "_s + error));

        const std::vector<Outcome> outcomes = parseDatagram(input);

        if (verdict == u"mixed") {
            QVERIFY(type.isEmpty() && reason.isEmpty());
            const QByteArrayList expected = values.split(';');
            QCOMPARE(qsizetype(outcomes.size()), expected.size());
            for (qsizetype i = 0; i < expected.size(); ++i) {
                const QByteArray prefix = "line" + QByteArray::number(i + 1) + ':';
                QVERIFY2(expected[i].startsWith(prefix), expected[i].constData());
                QCOMPARE(describe(outcomes[size_t(i)].reason), QString::fromUtf8(expected[i].sliced(prefix.size())));
            }
        } else if (verdict == u"reject") {
            QCOMPARE(outcomes.size(), size_t(1));
            QVERIFY2(!reason.isEmpty(), "a reject row needs a reason");
            QCOMPARE(describe(outcomes[0].reason), u"reject(%1)"_s.arg(reason));
        } else if (verdict == u"ok" && type.isEmpty()) {
            QCOMPARE(outcomes.size(), size_t(0));
        } else {
            QCOMPARE(verdict, u"ok"_s);
            QCOMPARE(outcomes.size(), size_t(1));
            const Outcome &outcome = outcomes[0];
            QCOMPARE(describe(outcome.reason), u"ok"_s);
            const StatsdParser::Message &m = outcome.message;
            // An ok row's reason names the one warning that must be raised; no other may be.
            StatsdParser::Warnings wanted;
            if (!reason.isEmpty()) {
                QCOMPARE(reason, QString::fromLatin1(StatsdParser::warningCode(StatsdParser::Warning::RateClamped)));
                wanted = StatsdParser::Warning::RateClamped;
            }
            QCOMPARE(m.warnings, wanted);
            if (type == u"event") {
                QCOMPARE(m.kind, StatsdParser::Message::Kind::Event);
                QVERIFY(rate.isEmpty());
                checkEvent(m.event, name, values, tags, timestamp);
            } else if (type == u"service_check") {
                QCOMPARE(m.kind, StatsdParser::Message::Kind::ServiceCheck);
                QVERIFY(rate.isEmpty());
                checkServiceCheck(m.serviceCheck, name, values, tags, timestamp);
            } else {
                QCOMPARE(m.kind, StatsdParser::Message::Kind::Metric);
                checkMetric(m.metric, type, name, values, tags, rate, timestamp);
            }
            if (QTest::currentTestFailed())
                return;
        }

        // Gauge sequences: the delta flags must give what the note says once applied through the aggregator.
        const QString id = QString::fromUtf8(QTest::currentDataTag());
        const auto end = gaugeEnds().constFind(id);
        if (end == gaugeEnds().constEnd())
            return;
        Aggregator aggregator;
        for (const Outcome &outcome : outcomes) {
            const StatsdParser::Line &line = outcome.message.metric;
            if (outcome.reason || outcome.message.kind != StatsdParser::Message::Kind::Metric
                || line.kind != MetricKind::Gauge)
                continue;
            const QString key = SeriesKey { line.name, line.tags }.toString();
            for (const auto &v : line.values) {
                if (v.signedGauge)
                    aggregator.addGaugeDelta(key, v.value, Now * 1000);
                else
                    aggregator.add(key, MetricKind::Gauge, v.value, Now * 1000);
            }
        }
        const auto frames = aggregator.closeAll();
        QCOMPARE(frames.size(), 1);
        const QString key = QString::fromUtf8(end->name);
        const auto it = std::find_if(
            frames[0].series.cbegin(), frames[0].series.cend(), [&](const SeriesStats &s) { return s.key == key; });
        QVERIFY2(it != frames[0].series.cend(), qPrintable(key));
        QVERIFY2(it->last == end->last, qPrintable(u"%1 ends at %2"_s.arg(key).arg(it->last)));
    }

    // Every row the gauge table names must still exist, so a renamed row cannot drop its check silently.
    void gaugeRowsExist()
    {
        if (m_ids.isEmpty())
            QSKIP("conformance_data did not run");
        for (auto it = gaugeEnds().cbegin(); it != gaugeEnds().cend(); ++it)
            QVERIFY2(m_ids.contains(it.key()), qPrintable(it.key()));
    }

    // The reason codes are exactly those of the README's table, and only rate_clamped is a warning.
    void reasonCodesMatchReadme()
    {
        QFile file(fixturesDir() + u"/statsd-README.md"_s);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QByteArray readme = file.readAll();
        const qsizetype section = readme.indexOf("## Reason codes");
        QVERIFY(section >= 0);
        QSet<QByteArray> documented;
        const qsizetype sectionEnd = readme.indexOf("\n## ", section + 1);
        const QByteArray table = sectionEnd < 0 ? readme.sliced(section) : readme.sliced(section, sectionEnd - section);
        for (const QByteArray &line : table.split('\n')) {
            if (!line.startsWith("| `"))
                continue;
            const QByteArray cell = line.sliced(2, line.indexOf('|', 2) - 2).trimmed();
            for (const QByteArray &code : cell.split('/'))
                documented.insert(code.trimmed().replace('`', ""));
        }
        QSet<QByteArray> ours;
        for (int i = 0; i < int(StatsdParser::Reason::Count_); ++i)
            ours.insert(StatsdParser::reasonCode(StatsdParser::Reason(i)));
        QCOMPARE(ours.size(), int(StatsdParser::Reason::Count_));
        ours.insert(StatsdParser::warningCode(StatsdParser::Warning::RateClamped));
        QCOMPARE(ours, documented);
    }

    void forEachLine_data()
    {
        QTest::addColumn<QByteArray>("datagram");
        QTest::addColumn<QByteArrayList>("lines");

        QTest::newRow("empty") << QByteArray() << QByteArrayList {};
        QTest::newRow("one line") << QByteArray("a") << QByteArrayList { "a" };
        QTest::newRow("lf ends") << QByteArray("a\nb\n") << QByteArrayList { "a", "b" };
        QTest::newRow("crlf") << QByteArray("a\r\nb\r\n") << QByteArrayList { "a", "b" };
        QTest::newRow("cr at datagram end") << QByteArray("a\nb\r") << QByteArrayList { "a", "b" };
        QTest::newRow("only one cr stripped") << QByteArray("a\r\r\nb\r\r") << QByteArrayList { "a\r", "b\r" };
        QTest::newRow("lone cr does not split") << QByteArray("a\rb") << QByteArrayList { "a\rb" };
        QTest::newRow("cr-only lines are empty") << QByteArray("\r\n\r\na\r\n\r") << QByteArrayList { "a" };
        QTest::newRow("empty lines skipped") << QByteArray("\n\na\n\n\nb") << QByteArrayList { "a", "b" };
        QTest::newRow("spaces are a line") << QByteArray(" \n\t") << QByteArrayList { " ", "\t" };
        QTest::newRow("nul is a byte") << QByteArray("a\0b\n\0", 5)
                                       << QByteArrayList { QByteArray("a\0b", 3), QByteArray("\0", 1) };
    }

    void forEachLine()
    {
        QFETCH(QByteArray, datagram);
        QFETCH(QByteArrayList, lines);
        QByteArrayList seen;
        StatsdParser::forEachLine(datagram, [&](QByteArrayView line) { seen.push_back(line.toByteArray()); });
        QCOMPARE(seen, lines);
    }

    void forEachLineNullView()
    {
        int calls = 0;
        StatsdParser::forEachLine(QByteArrayView(), [&](QByteArrayView) { ++calls; });
        QCOMPARE(calls, 0);
    }

    // Limits are configuration: the same checks hold with other numbers.
    void customLimits()
    {
        StatsdParser::Limits limits;
        limits.maxLineBytes = 20;
        limits.maxNameBytes = 3;
        limits.maxTagBytes = 3;
        limits.maxTags = 2;
        limits.maxFutureSeconds = 0;
        StatsdParser::Message m;
        const auto parse
            = [&](const char *line) { return describe(StatsdParser::parseLine(QByteArrayView(line), m, limits, Now)); };
        QCOMPARE(parse("abc:1|c|#a,b"), u"ok"_s);
        QCOMPARE(parse("abcd:1|c"), u"reject(name_too_long)"_s);
        QCOMPARE(parse("abc:1|c|#a,b,c"), u"reject(too_many_tags)"_s);
        QCOMPARE(parse("abc:1|c|#a,b,a,b"), u"ok"_s);
        QCOMPARE(parse("abc:1|c|#abcd"), u"reject(tag_too_long)"_s);
        QCOMPARE(parse("abc:1|c|#a,b,c,d,e"), u"reject(too_many_tags)"_s);
        QCOMPARE(parse("abc:1|c|#a,b,c,d,eeee"), u"reject(line_too_long)"_s);
        QCOMPARE(parse("a:1|c|T1657100600"), u"ok"_s);
        QCOMPARE(parse("a:1|c|T1657100601"), u"reject(timestamp_out_of_range)"_s);
    }

    // A reused message must not leak state from the previous line.
    void reuseResetsState()
    {
        StatsdParser::Message m;
        const StatsdParser::Limits limits;
        QVERIFY(!StatsdParser::parseLine("x:1:2|g|@2|#a,b|T1657100000", m, limits, Now));
        QCOMPARE(m.warnings, StatsdParser::Warnings(StatsdParser::Warning::RateClamped));
        QVERIFY(!StatsdParser::parseLine("y:5|ms", m, limits, Now));
        QCOMPARE(m.kind, StatsdParser::Message::Kind::Metric);
        QCOMPARE(m.metric.name, u"y"_s);
        QCOMPARE(m.metric.values.size(), 1);
        QVERIFY(m.metric.tags.isEmpty());
        QCOMPARE(m.metric.sampleRate, 1.0);
        QCOMPARE(m.metric.timestamp, 0);
        QCOMPARE(m.warnings, StatsdParser::Warnings());
        QVERIFY(!StatsdParser::parseLine("_e{1,1}:a|b|t:error|#z", m, limits, Now));
        QVERIFY(!StatsdParser::parseLine("_e{1,1}:c|d", m, limits, Now));
        QCOMPARE(m.kind, StatsdParser::Message::Kind::Event);
        QCOMPARE(m.event.alertType, StatsdEvent::AlertType::Info);
        QVERIFY(m.event.tags.isEmpty());
        // A name with non-ASCII after an ASCII one, and back.
        QVERIFY(!StatsdParser::parseLine("caf\xc3\xa9:1|c", m, limits, Now));
        QCOMPARE(m.metric.name, u"café"_s);
        QVERIFY(!StatsdParser::parseLine("ab:1|c", m, limits, Now));
        QCOMPARE(m.metric.name, u"ab"_s);
    }

    // A byte-order mark is valid UTF-8 and stays, wherever text is decoded.
    void byteOrderMarkKept()
    {
        StatsdParser::Message m;
        const StatsdParser::Limits limits;
        QVERIFY(!StatsdParser::parseLine("x:1|c|#\xef\xbb\xbft", m, limits, Now));
        QCOMPARE(utf8List(m.metric.tags), QByteArrayList { "\xef\xbb\xbft" });
        QVERIFY(!StatsdParser::parseLine("_e{4,3}:\xef\xbb\xbf"
                                         "a|\xef\xbb\xbf",
            m, limits, Now));
        QCOMPARE(m.event.title.toUtf8(),
            QByteArray("\xef\xbb\xbf"
                       "a"));
        QCOMPARE(m.event.text.toUtf8(), QByteArray("\xef\xbb\xbf"));
        QVERIFY(!StatsdParser::parseLine("_sc|\xef\xbb\xbf|1|m:\xef\xbb\xbf", m, limits, Now));
        QCOMPARE(m.serviceCheck.name.toUtf8(), QByteArray("\xef\xbb\xbf"));
        QCOMPARE(m.serviceCheck.message.toUtf8(), QByteArray("\xef\xbb\xbf"));
    }

    // The short-decimal fast path must give exactly the double std::from_chars gives, and accept the same texts.
    void decimalFastPathMatchesFromChars()
    {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> digitCount(0, 17), digit(0, 9), coin(0, 3);
        StatsdParser::Message m;
        const StatsdParser::Limits limits;
        for (int n = 0; n < 200000; ++n) {
            QByteArray text;
            const int count = digitCount(rng);
            const int point = coin(rng) == 0 ? -1 : std::uniform_int_distribution<int>(0, count)(rng);
            for (int i = 0; i <= count; ++i) {
                if (i == point)
                    text.append('.');
                if (i < count)
                    text.append(char('0' + digit(rng)));
            }
            double want = 0;
            const auto [ptr, ec] = std::from_chars(text.constData(), text.constData() + text.size(), want);
            const bool valid
                = !text.isEmpty() && ec == std::errc() && ptr == text.constData() + text.size() && std::isfinite(want);
            const auto reason = StatsdParser::parseLine(QByteArray("x:" + text + "|h"), m, limits, Now);
            QVERIFY2(valid == !reason, text.constData());
            if (valid)
                QVERIFY2(m.metric.values[0].value == want, text.constData());
        }
    }

    // Bytewise order differs from QString (UTF-16) order for U+E000..U+FFFF against supplementary characters.
    void tagsSortBytewise()
    {
        StatsdParser::Message m;
        // U+1F680 (F0 9F 9A 80) sorts after U+FF21 (EF BC A1) bytewise, before it in UTF-16.
        QVERIFY(!StatsdParser::parseLine("x:1|c|#\xf0\x9f\x9a\x80,\xef\xbc\xa1", m, StatsdParser::Limits {}, Now));
        QCOMPARE(utf8List(m.metric.tags), (QByteArrayList { "\xef\xbc\xa1", "\xf0\x9f\x9a\x80" }));
    }
};

QTEST_GUILESS_MAIN(TestStatsdParser)
#include "tst_statsdparser.moc"
