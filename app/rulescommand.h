// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace perfdash {

// `perfdashd rules check FILE` and `perfdashd rules test --rules FILE --from TIME --to TIME [--db FILE]`: a rules
// file validated (exit 0, or a line per problem naming the rule and field, exit 1), and rules replayed on stored
// history with the collector's own evaluator (docs/alerts.md).
int runRulesCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);
// `perfdashd alerts [--db FILE] [--from TIME] [--to TIME] [--format csv|json]`: the stored alert transitions.
int runAlertsCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace perfdash
