// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the summary route's parameters (app/httpapi.h): the input is what follows
// "/api/v1/monitoring/performance/" in a request's target, the model and its query. The model is the path's one
// segment, as the router takes it; HttpApi::summaryRequest reads the query, and summaryReport judges the values over a
// source that holds no series, so every request ends as a 400 or a 404 with a sentence; anything else traps.
#include "app/httpapi.h"

#include <cstddef>
#include <cstdint>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kNow = 1795464916;

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

// Reaches the parameters' checks; any read past them would be a summary of an empty store, which it never gets to.
class EmptySource : public ReportSource {
public:
    QString where() const override { return u"fuzz"_s; }
    bool seriesList(qint64, qint64, QVector<SeriesInfo> *out, QString *) override
    {
        out->clear();
        return true;
    }
    bool windows(
        const QVector<SeriesInfo> &, qint64, qint64, qint64, QHash<QString, QVector<SeriesPoint>> *, QString *) override
    {
        __builtin_trap();
    }
    bool seriesWindows(
        const QVector<SeriesInfo> &, qint64, qint64, qint64, bool, QVector<SeriesWindow> *, QString *) override
    {
        __builtin_trap();
    }
    bool coverage(qint64, qint64, qint64, qint64, Coverage *, QString *) override { __builtin_trap(); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QByteArray prefix = "/api/v1/monitoring/performance/";
    const QUrl url = QUrl::fromEncoded(
        "http://127.0.0.1:9464" + prefix + QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    const QString path = url.path();
    if (!url.isValid() || !path.startsWith(QLatin1StringView(prefix)))
        return 0;
    const QString model = path.mid(prefix.size());
    if (model.isEmpty() || model.contains(u'/'))
        return 0; // not this route
    QString error;
    const auto request = HttpApi::summaryRequest(model, url, &error);
    if (!request) {
        check(error.startsWith(u"unknown parameter: "_s));
        return 0;
    }
    check(request->model == model && error.isEmpty());
    EmptySource source;
    QJsonObject out;
    switch (summaryReport(source, *request, kNow, &out, &error)) {
    case SummaryStatus::BadRequest:
        check(error.startsWith(u"bad "_s));
        break;
    case SummaryStatus::UnknownModel:
        check(error.startsWith(u"no model "_s));
        break;
    case SummaryStatus::Ok:
    case SummaryStatus::Failed:
        check(false);
        break;
    }
    return 0;
}
