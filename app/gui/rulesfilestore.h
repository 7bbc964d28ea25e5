// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rulesstore.h"

namespace perfdash {

// The rule dialogs' RulesStore over storage's RulesFile (whole files, atomic writes). GUI thread; files are small.
class RulesFileStore : public RulesStore {
public:
    Found load(const QString &path, RuleSet *rules, QVector<RuleError> *errors) const override;
    bool save(const QString &path, const RuleSet &rules, QString *error) override;
};

} // namespace perfdash
