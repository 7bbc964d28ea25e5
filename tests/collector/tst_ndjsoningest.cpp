// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/ndjsoningest.h"

#include <QFileInfo>
#include <QLocalSocket>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

// Declared first and defined below: moc cannot tokenize raw strings that hold quotes.
class TestNdjsonIngest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void socketIsPrivate();
    void manyRecordsInOneWrite();
    void badRecordsBetweenGoodOnesKeepTheConnection();
    void overLongLineIsSkippedToItsNewline();
    void overLongLineAtTheDefaultLimit();
    void partialLinesAcrossWrites();
    void crlfAndEmptyLines();
    void lastLineWithoutNewlineAtDisconnect();
    void slowGarbageClientDoesNotBlockAnother();
    void floodingClientDoesNotStarveAnother();
    void connectionCap();
    void stampsRecordsWithTheInjectedClock();

private:
    struct Seen {
        QString source; // the "c" tag
        QString name;
        qint64 timestampMs = 0;
    };
    NdjsonIngest *makeIngest(NdjsonIngest::Limits limits = {});
    std::unique_ptr<QLocalSocket> connectClient();

    std::unique_ptr<QTemporaryDir> m_dir;
    IngestCounters m_counters;
    std::unique_ptr<NdjsonIngest> m_ingest;
    QList<Seen> m_seen;
    qint64 m_now = 1657100600000;
};

namespace {

QByteArray record(const QByteArray &source, int i)
{
    return R"({"type":"metric","name":"m)" + QByteArray::number(i) + R"(","kind":"counter","value":1,"tags":{"c":")"
        + source + "\"}}\n";
}

QByteArray records(const QByteArray &source, int from, int count)
{
    QByteArray out;
    for (int i = from; i < from + count; ++i)
        out += record(source, i);
    return out;
}

// A blocking client without Qt, for a writer on another thread.
int rawConnect(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    const QByteArray native = QFile::encodeName(path);
    std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const auto n = ::send(fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

} // namespace

void TestNdjsonIngest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_counters = IngestCounters();
    m_seen.clear();
}

void TestNdjsonIngest::cleanup()
{
    m_ingest.reset();
    m_dir.reset();
}

NdjsonIngest *TestNdjsonIngest::makeIngest(NdjsonIngest::Limits limits)
{
    m_ingest = std::make_unique<NdjsonIngest>(
        m_counters, [this]() { return m_now; }, limits);
    m_ingest->setSink([this](const NativeRecord &r, qint64 nowMs, qint64 peerPid) {
        QCOMPARE(peerPid, qint64(QCoreApplication::applicationPid())); // the test sends to itself
        QCOMPARE(nowMs, m_now);
        const auto tags = r.tagList();
        Seen seen;
        seen.source = tags.isEmpty() ? QString() : tags.front().mid(2);
        seen.name = QString::fromStdString(r.metric.name);
        seen.timestampMs = r.timestampMs;
        m_seen.push_back(seen);
    });
    QString error;
    if (!m_ingest->listen(m_dir->filePath(u"ingest.sock"_s), &error))
        qWarning("%s", qPrintable(error));
    return m_ingest.get();
}

std::unique_ptr<QLocalSocket> TestNdjsonIngest::connectClient()
{
    auto client = std::make_unique<QLocalSocket>();
    client->connectToServer(m_ingest->path());
    if (!client->waitForConnected(5000))
        qWarning("cannot connect: %s", qPrintable(client->errorString()));
    return client;
}

void TestNdjsonIngest::socketIsPrivate()
{
    makeIngest();
    const QFileInfo info(m_dir->filePath(u"ingest.sock"_s));
    QVERIFY(info.exists());
    QCOMPARE(info.permissions() & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
        QFile::Permissions {});
    // A stale file left by a dead collector is replaced.
    m_ingest.reset();
    QFile stale(m_dir->filePath(u"ingest.sock"_s));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    makeIngest();
    auto client = connectClient();
    QCOMPARE(client->state(), QLocalSocket::ConnectedState);
}

void TestNdjsonIngest::manyRecordsInOneWrite()
{
    makeIngest();
    auto client = connectClient();
    constexpr int n = 20000;
    client->write(records("a", 0, n));
    QTRY_COMPARE_WITH_TIMEOUT(m_counters.recordsAccepted, quint64(n), 20000);
    QCOMPARE(m_counters.recordsRejected, quint64(0));
    QCOMPARE(m_seen.size(), n);
    QCOMPARE(m_seen.front().name, u"m0"_s);
    QCOMPARE(m_seen.back().name, u"m19999"_s);
    QCOMPARE(m_seen.back().source, u"a"_s);
    QCOMPARE(m_ingest->connectionCount(), 1);
}

void TestNdjsonIngest::badRecordsBetweenGoodOnesKeepTheConnection()
{
    makeIngest();
    auto client = connectClient();
    client->write(record("a", 0));
    client->write("{\"type\":\"metric\",\n"); // bad_json
    client->write(record("a", 1));
    client->write(R"({"type":"event"})"
                  "\n"); // unknown_type
    client->write(R"({"type":"metric","name":"x","kind":"gauge"})"
                  "\n"); // missing_field
    client->write("[1,2,3]\n"); // not_an_object
    client->write("{\"type\":\"metric\",\"name\":\"\xFF\"}\n"); // invalid_utf8
    client->write(record("a", 2));
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(3));
    QCOMPARE(m_counters.recordsRejected, quint64(5));
    const QJsonObject reasons = m_counters.recordRejectionsJson();
    QCOMPARE(reasons.value(u"bad_json"_s).toInteger(), 1);
    QCOMPARE(reasons.value(u"unknown_type"_s).toInteger(), 1);
    QCOMPARE(reasons.value(u"missing_field"_s).toInteger(), 1);
    QCOMPARE(reasons.value(u"not_an_object"_s).toInteger(), 1);
    QCOMPARE(reasons.value(u"invalid_utf8"_s).toInteger(), 1);
    // StatsD's counters are untouched.
    QCOMPARE(m_counters.linesRejected, quint64(0));
    QCOMPARE(client->state(), QLocalSocket::ConnectedState);
    client->write(record("a", 3));
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(4));
    QCOMPARE(m_seen.back().name, u"m3"_s);
    QCOMPARE(m_ingest->connectionCount(), 1);
}

void TestNdjsonIngest::overLongLineIsSkippedToItsNewline()
{
    NdjsonIngest::Limits limits;
    limits.record.maxLineBytes = 1000;
    limits.maxBytesPerTurn = 300; // the long line arrives over several turns
    makeIngest(limits);
    auto client = connectClient();
    client->write(record("a", 0));
    // Well over the limit, in pieces; the next record follows right after the newline.
    for (int i = 0; i < 10; ++i) {
        client->write(QByteArray(700, 'x'));
        QVERIFY(client->waitForBytesWritten(1000));
        QTest::qWait(5);
    }
    client->write("\n" + record("a", 1));
    // Exactly at the limit is fine; one byte over is not (the line end excluded).
    QByteArray atLimit = R"({"type":"metric","name":"m2","kind":"counter","value":1,"pad":")";
    atLimit += QByteArray(1000 - atLimit.size() - 2, 'p') + "\"}";
    QCOMPARE(atLimit.size(), 1000);
    client->write(atLimit + "\n");
    QByteArray overLimit = atLimit;
    overLimit.insert(overLimit.size() - 2, 'p');
    client->write(overLimit + "\n");
    client->write(atLimit + "\r\n"); // a CR is not part of the line
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(4));
    QCOMPARE(m_counters.recordsRejected, quint64(2));
    QCOMPARE(m_counters.recordRejectionsJson().value(u"line_too_long"_s).toInteger(), 2);
    QCOMPARE(m_seen.at(1).name, u"m1"_s);
    QCOMPARE(client->state(), QLocalSocket::ConnectedState);
}

void TestNdjsonIngest::overLongLineAtTheDefaultLimit()
{
    makeIngest();
    auto client = connectClient();
    client->write(R"({"type":"metric","name":"big","kind":"counter","value":1,"pad":")"
        + QByteArray(2LL * 1024 * 1024, 'p') + "\"}\n" + record("a", 7));
    QTRY_COMPARE_WITH_TIMEOUT(m_counters.recordsAccepted, quint64(1), 10000);
    QCOMPARE(m_counters.recordRejectionsJson().value(u"line_too_long"_s).toInteger(), 1);
    QCOMPARE(m_seen.front().name, u"m7"_s);
}

void TestNdjsonIngest::partialLinesAcrossWrites()
{
    makeIngest();
    auto client = connectClient();
    const QByteArray bytes = records("a", 0, 3);
    for (char c : bytes) {
        client->write(&c, 1);
        QVERIFY(client->waitForBytesWritten(1000));
        QCoreApplication::processEvents();
    }
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(3));
    QCOMPARE(m_counters.recordsRejected, quint64(0));
    QCOMPARE(m_seen.at(2).name, u"m2"_s);
    // A multi-byte character cut between two writes.
    client->write("{\"type\":\"metric\",\"name\":\"\xE2\x82");
    QVERIFY(client->waitForBytesWritten(1000));
    QTest::qWait(20);
    client->write("\xAC\",\"kind\":\"gauge\",\"value\":1}\n");
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(4));
    QCOMPARE(m_seen.back().name, u"€"_s);
}

void TestNdjsonIngest::crlfAndEmptyLines()
{
    makeIngest();
    auto client = connectClient();
    client->write("\n\r\n" + record("a", 0).chopped(1) + "\r\n\n");
    client->write(record("a", 1));
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(2));
    QCOMPARE(m_counters.recordsRejected, quint64(0)); // empty lines are not records
}

void TestNdjsonIngest::lastLineWithoutNewlineAtDisconnect()
{
    makeIngest();
    auto client = connectClient();
    client->write(record("a", 0) + record("a", 1).chopped(1));
    QVERIFY(client->waitForBytesWritten(1000));
    client->disconnectFromServer();
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(2));
    QTRY_COMPARE(m_ingest->connectionCount(), 0);
}

void TestNdjsonIngest::slowGarbageClientDoesNotBlockAnother()
{
    makeIngest();
    auto slow = connectClient();
    auto fast = connectClient();
    QTRY_COMPARE(m_ingest->connectionCount(), 2);
    // The slow client trickles an endless line of garbage and one bad record; the fast one sends 2000 records.
    slow->write("{\"type\":\"metric\",\"name\":\"tr");
    fast->write(records("b", 0, 1000));
    for (int i = 0; i < 20; ++i) {
        slow->write("ickle");
        QCoreApplication::processEvents();
    }
    fast->write(records("b", 1000, 1000));
    slow->write("\xFF\"}\n"); // its record finally ends, invalid
    QTRY_COMPARE_WITH_TIMEOUT(m_counters.recordsAccepted, quint64(2000), 10000);
    QTRY_COMPARE(m_counters.recordsRejected, quint64(1));
    QCOMPARE(m_counters.recordRejectionsJson().value(u"invalid_utf8"_s).toInteger(), 1);
    for (const Seen &s : std::as_const(m_seen))
        QCOMPARE(s.source, u"b"_s);
    QCOMPARE(slow->state(), QLocalSocket::ConnectedState);
    slow->write(record("a", 0));
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(2001));
}

void TestNdjsonIngest::floodingClientDoesNotStarveAnother()
{
    NdjsonIngest::Limits limits;
    limits.maxBytesPerTurn = 64LL * 1024;
    makeIngest(limits);
    // A writer on another thread keeps its socket full for a long while.
    constexpr int floodRecords = 400000;
    const QByteArray flood = records("a", 0, floodRecords);
    const int fd = rawConnect(m_ingest->path());
    QVERIFY(fd >= 0);
    std::atomic<bool> wrote { false };
    std::thread writer([&]() { wrote = writeAll(fd, flood); });
    // Also on a failed check: unblock the writer, wait for it, and close.
    const auto joinWriter = qScopeGuard([&]() {
        ::shutdown(fd, SHUT_RDWR);
        writer.join();
        ::close(fd);
    });
    QTRY_VERIFY(m_counters.recordsAccepted > 1000);
    auto other = connectClient();
    other->write(record("b", 0));
    const auto otherServedAt = [this]() {
        const auto it = std::find_if(m_seen.cbegin(), m_seen.cend(), [](const Seen &s) { return s.source == u"b"_s; });
        return it == m_seen.cend() ? -1 : int(it - m_seen.cbegin());
    };
    QTRY_VERIFY_WITH_TIMEOUT(otherServedAt() >= 0, 20000);
    const int floodDoneWhenOtherServed = otherServedAt();
    QVERIFY2(floodDoneWhenOtherServed < floodRecords, "the other client was served only after the flood ended");
    QTRY_COMPARE_WITH_TIMEOUT(m_counters.recordsAccepted, quint64(floodRecords + 1), 60000);
    QTRY_VERIFY(wrote);
    qInfo("the other client's record came after %d of %d flood records", floodDoneWhenOtherServed, floodRecords);
}

void TestNdjsonIngest::connectionCap()
{
    NdjsonIngest::Limits limits;
    limits.maxConnections = 2;
    makeIngest(limits);
    auto a = connectClient();
    auto b = connectClient();
    QTRY_COMPARE(m_ingest->connectionCount(), 2);
    auto c = connectClient();
    QTRY_COMPARE(m_ingest->connectionsRefused(), quint64(1));
    QTRY_COMPARE(c->state(), QLocalSocket::UnconnectedState);
    QCOMPARE(m_ingest->connectionsAccepted(), quint64(2));
    a->disconnectFromServer();
    QTRY_COMPARE(m_ingest->connectionCount(), 1);
    auto d = connectClient();
    d->write(record("d", 0));
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(1));
}

void TestNdjsonIngest::stampsRecordsWithTheInjectedClock()
{
    makeIngest();
    auto client = connectClient();
    client->write(record("a", 0));
    client->write(R"({"type":"metric","name":"t","kind":"gauge","value":1,"ts":1657100500.5})"
                  "\n");
    client->write(R"({"type":"metric","name":"t","kind":"gauge","value":1,"ts":1657101000})"
                  "\n");
    QTRY_COMPARE(m_counters.recordsAccepted, quint64(2));
    QTRY_COMPARE(m_counters.recordsRejected, quint64(1));
    QCOMPARE(m_seen.at(0).timestampMs, m_now);
    QCOMPARE(m_seen.at(1).timestampMs, qint64(1657100500500));
    QCOMPARE(m_counters.recordRejectionsJson().value(u"timestamp_out_of_range"_s).toInteger(), 1);
}

QTEST_GUILESS_MAIN(TestNdjsonIngest)
#include "tst_ndjsoningest.moc"
