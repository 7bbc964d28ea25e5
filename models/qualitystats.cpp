// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/qualitystats.h"

namespace perfdash {

QualityStats QualityStats::from(const QString &key, const QualityMetrics &m, bool withBlob)
{
    QualityStats s;
    s.key = key;
    s.binary = m.confusion().total();
    s.classes = m.classRecords();
    s.regression = m.regressionRecords();
    s.accuracy = m.accuracy();
    s.precision = m.precision();
    s.recall = m.recall();
    s.f1 = m.f1();
    s.macroF1 = m.macroF1();
    s.aucRoc = m.aucRoc();
    s.aucErrorBound = m.aucErrorBound();
    s.rmse = m.rmse();
    s.mae = m.mae();
    s.mape = m.mape();
    s.zeroTruths = m.zeroTruths();
    if (withBlob)
        s.blob = m.serialize();
    return s;
}

} // namespace perfdash
