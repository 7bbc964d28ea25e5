// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevaluator.h"
#include "storage/historyquery.h"

#include <functional>
#include <memory>
#include <set>

namespace perfdash {

// Reads what alert rules are evaluated on (AlertData) from stored history: the series each rule needs (a KPI rule's
// model roles, a series rule's matching keys), at the step each rule reads (60 s when the interval and its window
// are whole minutes, else 1 s), with sketches, the coverage, the models' quality metrics, and their baselines and
// trends as of each hour (read lazily, only for rules that need them). The collector calls it before every
// evaluation, the replay once for its whole range: the same reader, so both see the same numbers. Any thread with
// its own connection; the AlertData's outlook function uses that connection and must be called on the same thread
// while the query lives.
namespace AlertDataReader {

// The steps the enabled rules read at (AlertEvaluator::stepOf), ascending: {60}, {1} or {1, 60}; empty without rules.
QVector<qint64> stepsOf(const QVector<AlertRule> &rules, qint64 interval);
// Reads [from, to) (from and to multiples of step) for the enabled rules that read at `step`; now: the first second
// that has not passed. series: the series list (HistoryQuery::seriesList), read once by the caller.
bool read(const HistoryQuery &query, const QVector<SeriesInfo> &series, const QVector<AlertRule> &rules,
    qint64 interval, qint64 from, qint64 to, qint64 step, qint64 now, AlertData *out, QString *error);

// What the enabled rules that read at `step` need over [from, to): starts *out (step, span, every series' kind, every
// model's roles) and answers the keys to read, the models whose prediction quality to read, and whether the rules
// compare with baselines or trends. read() fills the rest from storage; a server's reader (app/sourcereplay.h) from
// its own source, so both read what the same rules need.
struct Needs {
    std::set<QString> keys;
    std::set<QString> qualityModels;
    bool outlook = false;
};
Needs prepare(const QVector<SeriesInfo> &series, const QVector<AlertRule> &rules, qint64 interval, qint64 from,
    qint64 to, qint64 step, AlertData *out);

// A whole replay on a database file (the rule editor's preview on its worker thread, `perfdashd rules test`): opens
// its own read-only connection, reads [from - longest window, to), and replays the rules over (from, to].
struct ReplayResult {
    QVector<AlertReplay::RuleResult> rules;
    qint64 from = 0, to = 0, interval = 0;
    qint64 step = 0; // the finest step read (1 when any rule reads the 1 s tier)
    qint64 readMs = 0, evaluateMs = 0; // where the time went
};
bool replay(const QString &dbPath, const QVector<AlertRule> &rules, qint64 from, qint64 to, qint64 interval,
    bool keepSamples, ReplayResult *out, QString *error);
// The replay over any reader of AlertData: read(step, from, to, out, error) once per step the rules read at, over
// their longest window before `from`; then AlertReplay::run over (from, to].
using StepReader = std::function<bool(qint64 step, qint64 from, qint64 to, AlertData *out, QString *error)>;
bool replayWith(const QVector<AlertRule> &rules, qint64 from, qint64 to, qint64 interval, bool keepSamples,
    const StepReader &read, ReplayResult *out, QString *error);

} // namespace AlertDataReader

} // namespace perfdash
