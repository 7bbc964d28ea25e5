// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/rulesfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::RulesFile {

QString Loaded::errorText(const QString &path) const
{
    QStringList lines;
    for (const RuleError &e : errors)
        lines.append(e.text());
    return QFileInfo(path).fileName() % u" refused: "_s % lines.join(u"; "_s);
}

Loaded load(const QString &path)
{
    Loaded out;
    QFile file(path);
    if (!file.exists())
        return out;
    out.exists = true;
    if (!file.open(QIODevice::ReadOnly)) {
        out.errors.append({ -1, {}, {}, u"cannot be read: "_s % file.errorString() });
        return out;
    }
    constexpr qint64 maxBytes = 4 << 20;
    if (file.size() > maxBytes) {
        out.errors.append({ -1, {}, {}, u"is larger than 4 MiB"_s });
        return out;
    }
    out.rules = AlertRules::parse(file.readAll(), &out.errors);
    return out;
}

QStringList watchPaths(const QString &path)
{
    const QFileInfo info(path);
    QDir folder = info.absoluteDir();
    while (!folder.exists() && !folder.isRoot())
        folder.setPath(QFileInfo(folder.absolutePath()).absolutePath());
    QStringList out;
    if (folder.exists())
        out.append(folder.absolutePath());
    if (info.exists())
        out.append(info.absoluteFilePath());
    return out;
}

bool save(const QString &path, const RuleSet &set, QString *error)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = u"cannot create the folder "_s % info.absolutePath();
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = u"cannot write "_s % path % u": "_s % file.errorString();
        return false;
    }
    const QByteArray bytes = AlertRules::serialize(set);
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        *error = u"cannot write "_s % path % u": "_s % file.errorString();
        return false;
    }
    return true;
}

} // namespace perfdash::RulesFile
