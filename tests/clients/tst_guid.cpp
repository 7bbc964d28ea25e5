// SPDX-License-Identifier: GPL-3.0-or-later
// newGuid: canonical lowercase version-4 GUIDs, distinct across threads, and a forked child that does not repeat
// its parent's sequence.
#include "perfdash/guid.h"

#include <QRegularExpression>
#include <QTest>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;

class TestGuid : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void canonicalVersion4()
    {
        // Version nibble 4, variant 10xx (8, 9, a or b), lowercase hex in 8-4-4-4-12.
        static const QRegularExpression canonical(
            u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
        std::set<char> variants;
        for (int i = 0; i < 1000; ++i) {
            const std::string guid = newGuid();
            QVERIFY2(canonical.match(QString::fromStdString(guid)).hasMatch(), guid.c_str());
            variants.insert(guid[19]);
        }
        QCOMPARE(variants.size(), size_t(4)); // the variant's two free bits are random too
    }

    void distinctAcrossThreads()
    {
        constexpr int kThreads = 4;
        constexpr int kEach = 5000;
        std::vector<std::vector<std::string>> made(kThreads);
        std::vector<std::thread> threads;
        threads.reserve(kThreads);
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&made, t] {
                made[size_t(t)].reserve(kEach);
                for (int i = 0; i < kEach; ++i)
                    made[size_t(t)].push_back(newGuid());
            });
        }
        for (std::thread &t : threads)
            t.join();
        std::set<std::string> all;
        for (const auto &list : made)
            all.insert(list.begin(), list.end());
        QCOMPARE(all.size(), size_t(kThreads * kEach));
    }

    void aForkedChildReseeds()
    {
        newGuid(); // this thread's generator is seeded before the fork
        int pipeFds[2];
        QCOMPARE(::pipe(pipeFds), 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            const std::string guid = newGuid();
            const ssize_t written = ::write(pipeFds[1], guid.data(), guid.size());
            ::_exit(written == ssize_t(guid.size()) ? 0 : 1);
        }
        ::close(pipeFds[1]);
        const std::string parent = newGuid();
        char buf[64] = {};
        ssize_t got = 0;
        while (got < 36) {
            const ssize_t n = ::read(pipeFds[0], buf + got, sizeof(buf) - size_t(got));
            if (n <= 0)
                break;
            got += n;
        }
        ::close(pipeFds[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        QCOMPARE(got, ssize_t(36));
        // Without the reseed both would draw the same next numbers from the same generator state.
        QVERIFY(std::string(buf, size_t(got)) != parent);
    }
};

QTEST_GUILESS_MAIN(TestGuid)
#include "tst_guid.moc"
