// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertrule.h"

namespace perfdash {

// Where the rule dialogs read and write rules files (the user's, an import, an export), so widgets do no I/O.
// app/ implements it over storage's RulesFile: read whole or refused, written atomically. GUI thread.
class RulesStore {
public:
    enum class Found { Missing, Loaded, Refused };

    RulesStore() = default;
    virtual ~RulesStore() = default;
    Q_DISABLE_COPY_MOVE(RulesStore)

    // Loaded: *rules holds the file. Refused: *errors says why, one entry per problem (rule and field).
    virtual Found load(const QString &path, RuleSet *rules, QVector<RuleError> *errors) const = 0;
    // False with *error when the file cannot be written; the old file then stays as it was.
    virtual bool save(const QString &path, const RuleSet &rules, QString *error) = 0;
};

} // namespace perfdash
