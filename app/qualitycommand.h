// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace perfdash {

// `perfdashd quality --db FILE [--model NAME] --from TIME --to TIME --step 1s|1m|1h|1d [-o FILE]`: the quality
// metrics of every model (or one) per step, merged from the stored seconds, minutes and hours (storage/qualitystore.h),
// as RFC 4180 CSV (series: prediction.quality{model=NAME,…}) with the header
// time,series,binary,classes,regression,accuracy,precision,recall,f1,macro_f1,auc_roc,auc_error,rmse,mae,mape,zero_truths
// written atomically when -o is given. TIME as for `perfdashd export`. Returns 0 done, 1 cannot read or write,
// 2 bad arguments.
int runQualityCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace perfdash
