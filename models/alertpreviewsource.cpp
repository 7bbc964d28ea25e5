// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertpreviewsource.h"

#include <algorithm>

namespace perfdash {

QString AlertPreview::mainInstance() const
{
    QHash<QString, int> fired;
    for (const AlertReplay::Firing &f : result.firings)
        ++fired[f.instance];
    QStringList instances = result.samples.keys();
    for (auto it = fired.constBegin(); it != fired.constEnd(); ++it) {
        if (!instances.contains(it.key()))
            instances.append(it.key());
    }
    std::sort(instances.begin(), instances.end());
    QString best;
    int most = -1;
    for (const QString &instance : std::as_const(instances)) {
        const int n = fired.value(instance);
        if (n > most) {
            most = n;
            best = instance;
        }
    }
    return best;
}

QVector<QPair<qint64, qint64>> AlertPreview::firingSpans(const QString &instance) const
{
    QVector<QPair<qint64, qint64>> spans;
    for (const AlertReplay::Firing &f : result.firings) {
        if (f.instance == instance)
            spans.append({ f.start, f.end < 0 ? to : f.end });
    }
    return spans;
}

} // namespace perfdash
