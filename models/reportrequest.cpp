// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/reportrequest.h"

#include <QCoreApplication>

#include <algorithm>

namespace perfdash {

namespace {

struct ContentInfo {
    ReportContent content;
    const char16_t *name;
    const char *caption;
};

const ContentInfo kContents[] = {
    { ReportContent::Kpi, u"kpi", QT_TRANSLATE_NOOP("ReportContents", "KPIs per model and bucket") },
    { ReportContent::Series, u"series", QT_TRANSLATE_NOOP("ReportContents", "Series per bucket") },
    { ReportContent::Operations, u"operations", QT_TRANSLATE_NOOP("ReportContents", "Operations") },
    { ReportContent::Runs, u"runs", QT_TRANSLATE_NOOP("ReportContents", "Workflow runs with their steps") },
    { ReportContent::Alerts, u"alerts", QT_TRANSLATE_NOOP("ReportContents", "Alert events") },
    { ReportContent::SlowestOps, u"slowest-ops", QT_TRANSLATE_NOOP("ReportContents", "Slowest operations") },
    { ReportContent::MemoryTrend, u"memory-trend", QT_TRANSLATE_NOOP("ReportContents", "Memory per day") },
    { ReportContent::ErrorsByOp, u"errors-by-op", QT_TRANSLATE_NOOP("ReportContents", "Error rate by operation") },
};

const ContentInfo &infoOf(ReportContent c)
{
    return *std::find_if(
        std::begin(kContents), std::end(kContents), [c](const ContentInfo &i) { return i.content == c; });
}

} // namespace

const QVector<ReportContent> &ReportContents::all()
{
    static const QVector<ReportContent> list = [] {
        QVector<ReportContent> out;
        for (const ContentInfo &i : kContents)
            out << i.content;
        return out;
    }();
    return list;
}

QString ReportContents::name(ReportContent content)
{
    return QString::fromUtf16(infoOf(content).name);
}

QString ReportContents::caption(ReportContent content)
{
    return QCoreApplication::translate("ReportContents", infoOf(content).caption);
}

std::optional<ReportContent> ReportContents::fromName(const QString &name)
{
    for (const ContentInfo &i : kContents) {
        if (name == QStringView(i.name))
            return i.content;
    }
    return std::nullopt;
}

bool ReportContents::usesStep(ReportContent content)
{
    return content == ReportContent::Kpi || content == ReportContent::Series;
}

qint64 ReportRequest::autoStep(qint64 span)
{
    if (span <= 25 * 60)
        return 1;
    if (span <= 25 * 3600)
        return 60;
    if (span <= 62 * 86400)
        return 3600;
    return 86400;
}

} // namespace perfdash
