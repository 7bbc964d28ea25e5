// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/statscommand.h"

#include "app/commandsupport.h"
#include "app/runtimepaths.h"
#include "collector/liveprotocol.h"

#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
void printFlat(QTextStream &out, const QString &prefix, const QJsonObject &object)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString name = prefix.isEmpty() ? it.key() : prefix % u'.' % it.key();
        if (it->isObject())
            printFlat(out, name, it->toObject());
        else if (it->isDouble())
            out << name << ' ' << QString::number(it->toInteger(qint64(it->toDouble()))) << '\n';
        else
            out << name << ' ' << it->toVariant().toString() << '\n';
    }
}
} // namespace

int runStatsCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(u"stats"_s,
        u"Usage: perfdashd stats [--runtime-dir DIR]\n"
        "  Asks the running collector for its counters; prints \"name value\" lines.\n"_s);
    const QCommandLineOption runtime = RuntimePaths::runtimeDirOption(u"The collector's runtime folder."_s);
    line.parser().addOption(runtime);
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    const QString path = RuntimePaths::liveSocket(RuntimePaths::runtimeDir(line.parser(), runtime));
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(2000)) {
        err << "perfdashd stats: no collector answers on " << path << " (" << socket.errorString() << ")\n";
        return 1;
    }
    socket.write(R"({"type":"request","id":1,"method":"stats"})"
                 "\n");
    const QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        while (socket.canReadLine()) {
            QJsonObject response;
            if (LiveProtocol::decode(socket.readLine(), nullptr, nullptr, &response)
                == LiveProtocol::MessageType::Response) {
                printFlat(out, {}, response.value(u"result"_s).toObject());
                return 0;
            }
        }
        if (!socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            break;
    }
    err << "perfdashd stats: the collector did not answer within 5 s\n";
    return 1;
}

} // namespace perfdash
