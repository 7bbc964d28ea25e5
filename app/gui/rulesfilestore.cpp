// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/rulesfilestore.h"

#include "storage/rulesfile.h"

namespace perfdash {

RulesStore::Found RulesFileStore::load(const QString &path, RuleSet *rules, QVector<RuleError> *errors) const
{
    RulesFile::Loaded loaded = RulesFile::load(path);
    if (!loaded.exists)
        return Found::Missing;
    if (!loaded.rules) {
        *errors = std::move(loaded.errors);
        return Found::Refused;
    }
    *rules = std::move(*loaded.rules);
    return Found::Loaded;
}

bool RulesFileStore::save(const QString &path, const RuleSet &rules, QString *error)
{
    return RulesFile::save(path, rules, error);
}

} // namespace perfdash
