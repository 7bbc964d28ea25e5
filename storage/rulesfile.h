// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertrule.h"

namespace perfdash {

// The rules file on disk (docs/alerts.md): read whole or refused, written atomically (QSaveFile: a reader sees the
// old file or the new one, never half of one). Used by the collector, the GUI's rule dialogs and `perfdashd rules`.
namespace RulesFile {

struct Loaded {
    bool exists = false; // false: no file at the path (the collector then uses AlertRules::defaults)
    std::optional<RuleSet> rules; // nullopt when the file exists but is refused
    QVector<RuleError> errors; // why it was refused, one per problem
    QString errorText(const QString &path) const; // "rules.json refused: rule 2 (p95), field \"threshold\": …"
};
Loaded load(const QString &path);
// What to watch to see the file change (QFileSystemWatcher): the file when it exists, and its folder, or the nearest
// folder above it that exists while it does not (a fresh account), so the first save is seen too. Watch again after
// each change: the paths go deeper as folders appear.
QStringList watchPaths(const QString &path);
// Creates the folder when needed. False with *error when the file cannot be written (the old file stays).
bool save(const QString &path, const RuleSet &set, QString *error);

} // namespace RulesFile

} // namespace perfdash
