// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workrecords.h"

#include <QStringList>

// Hand-made workflow runs for the Runs view's tests (models and widgets).
namespace perfdash::RunFixture {

inline QStringList stepNames()
{
    using namespace Qt::Literals::StringLiterals;
    return { u"load_data"_s, u"load_model"_s, u"preprocess"_s, u"predict"_s, u"postprocess"_s };
}

// A run at `start` whose steps (stepNames(), in order) take `elapsed` seconds each, back to back.
inline RunRecord run(double start, const QVector<double> &elapsed, bool success = true,
    const QString &workflow = QStringLiteral("inference"))
{
    RunRecord r;
    r.workflow = workflow;
    r.start = start;
    r.success = success;
    const QStringList names = stepNames();
    double at = start;
    for (qsizetype i = 0; i < elapsed.size(); ++i) {
        r.steps.push_back({ names[i], at, elapsed[i] });
        at += elapsed[i];
    }
    r.end = at;
    r.executionS = at - start;
    return r;
}

} // namespace perfdash::RunFixture
