// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the rules file (models/alertrule.h): the input parsed as a rules file. An accepted file keeps
// the parser's promises (ids unique and non-empty, thresholds finite, recovery on the safe side, serialize() read back
// to the same rules); a broken promise traps, so the fuzzer reports it like a crash.
#include "models/alertrule.h"

#include <QByteArray>
#include <QSet>

#include <cmath>
#include <cstddef>
#include <cstdint>

using namespace perfdash;

namespace {

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    QVector<RuleError> errors;
    const auto set = AlertRules::parse(bytes, &errors);
    if (!set) {
        check(!errors.isEmpty());
        for (const RuleError &e : errors)
            check(!e.text().isEmpty());
        return 0;
    }
    check(errors.isEmpty());
    QSet<QString> ids;
    for (const AlertRule &r : set->rules) {
        check(!r.id.isEmpty() && !ids.contains(r.id));
        ids.insert(r.id);
        check(std::isfinite(r.threshold));
        check(r.window >= 0 && r.forSeconds >= 0 && r.keepFiringFor >= 0);
        if (std::isfinite(r.recovery)) {
            const bool upward
                = r.condition == AlertRule::Condition::Above || r.condition == AlertRule::Condition::OutsideBaseline;
            check(upward ? r.recovery <= r.threshold : r.recovery >= r.threshold);
        }
        check(!r.describe().isEmpty());
    }
    QVector<RuleError> again;
    const auto reread = AlertRules::parse(AlertRules::serialize(*set), &again);
    check(reread.has_value());
    check(reread->rules.size() == set->rules.size());
    for (qsizetype i = 0; i < set->rules.size(); ++i) {
        const AlertRule &a = set->rules[i], &b = reread->rules[i];
        // Thresholds go through the user's unit and back: equal within rounding.
        check(a.id == b.id && a.metric == b.metric && a.condition == b.condition && a.window == b.window
            && a.forSeconds == b.forSeconds && a.severity == b.severity && a.enabled == b.enabled);
        check(std::abs(a.threshold - b.threshold) <= 1e-9 * std::max(1.0, std::abs(a.threshold)));
    }
    return 0;
}
