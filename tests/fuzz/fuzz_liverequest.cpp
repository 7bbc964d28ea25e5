// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the requests a peer on live.sock sends the collector (collector/liveprotocol.h and
// liveprotocol2.h). Each line of the input is read as LivePublisher reads one, and given to both request decoders:
// followedKeys ("follow") and subscriptionOf ("subscribe"). What they accept must keep their documented bounds, and
// encodeFollow / encodeSubscribe of it must decode to the same set; a broken promise traps.
#include "collector/liveprotocol2.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace perfdash;
using namespace perfdash::LiveProtocol;

namespace {

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

QJsonObject requestOf(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object(); // as LivePublisher::onReadyRead: anything else is an empty object
}

bool allNonEmpty(const QSet<QString> &keys)
{
    for (const QString &key : keys) {
        if (key.isEmpty())
            return false;
    }
    return true;
}

void readRequest(const QByteArray &line)
{
    const QJsonObject request = requestOf(line);
    QString error;
    if (const auto keys = followedKeys(request, &error)) {
        check(keys->size() <= maxFollowedKeys && allNonEmpty(*keys));
        QString again;
        const auto decoded
            = followedKeys(requestOf(encodeFollow(1, QStringList(keys->cbegin(), keys->cend()))), &again);
        check(decoded && *decoded == *keys);
    } else {
        check(!error.isEmpty());
    }
    error.clear();
    if (const auto subscription = subscriptionOf(request, &error)) {
        check(subscription->keys.size() <= maxSubscribedKeys && allNonEmpty(subscription->keys));
        const QStringList keys(subscription->keys.cbegin(), subscription->keys.cend());
        QString again;
        const auto decoded = subscriptionOf(requestOf(encodeSubscribe(1, keys, subscription->others)), &again);
        check(decoded && *decoded == *subscription);
    } else {
        check(!error.isEmpty());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype start = 0;
    while (start < input.size()) {
        const auto *newline
            = static_cast<const char *>(std::memchr(input.data() + start, '\n', size_t(input.size() - start)));
        const qsizetype end = newline ? newline - input.data() + 1 : input.size(); // readLine keeps the '\n'
        readRequest(input.sliced(start, end - start).toByteArray());
        start = end;
    }
    return 0;
}
