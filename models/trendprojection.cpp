// SPDX-License-Identifier: GPL-3.0-or-later
// Breach projections, the drawing cone and the wording (models/trend.h); the fit itself is in trend.cpp.
#include "models/trend.h"
#include "models/trendstats.h"

#include <algorithm>
#include <cmath>

namespace perfdash::Trend {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double kDay = 86400.0;

QString roundedDuration(double seconds)
{
    if (seconds < 2 * kDay)
        return QString::number(qRound64(seconds / 3600)) % u" h"_s;
    return QString::number(qRound64(seconds / kDay)) % u" d"_s;
}

} // namespace

double Fit::lineSigmaAt(qint64 t) const
{
    return std::hypot(centerSigma, (double(t) - centerT) / kDay * slopeSigmaPerDay);
}

QString durationText(qint64 seconds)
{
    if (seconds < 3600)
        return QString::number(seconds / 60) % u" min"_s;
    if (seconds < 2 * 86400)
        return QString::number(seconds / 3600) % u" h"_s;
    return QString::number(seconds / 86400) % u" d"_s;
}

Breach projectBreach(const Fit &fit, double threshold, qint64 now, qint64 horizonSeconds)
{
    Breach b;
    b.now = now;
    b.horizonSeconds = horizonSeconds;
    if (!fit.sufficient || !std::isfinite(threshold))
        return b;
    if (fit.fittedSeconds > 0 && horizonSeconds / kMaxExtrapolation > fit.fittedSeconds) {
        b.horizonSeconds = kMaxExtrapolation * fit.fittedSeconds;
        b.capped = true;
    }
    horizonSeconds = b.horizonSeconds;
    const double worse = fit.better == Better::Lower ? 1 : -1; // the sign of a worsening change
    const qint64 end = now + horizonSeconds;
    const auto pastBy = [&](qint64 t) {
        const double sd = fit.lineSigmaAt(t), d = (fit.valueAt(t) - threshold) * worse;
        return sd > 0 ? TrendStats::normalCdf(d / sd) : d >= 0 ? 1.0 : 0.0;
    };
    if ((fit.level - threshold) * worse >= 0) {
        b.alreadyBreached = true;
        b.confidence = pastBy(fit.until);
        return b;
    }
    b.confidence = pastBy(end);
    if (!(fit.slopePerDay * worse > 0))
        return b;

    // Inverse prediction (Fieller): the times whose 90 % band for the line contains the threshold; u in days from
    // centerT. All terms divided by their largest so squares of huge values stay finite.
    double D = fit.level - threshold + fit.slopePerDay * (fit.centerT - double(fit.until)) / kDay;
    double slope = fit.slopePerDay, s0 = fit.centerSigma, sb = fit.slopeSigmaPerDay;
    const double norm = std::max({ std::abs(D), std::abs(slope), s0, sb });
    D /= norm, slope /= norm, s0 /= norm, sb /= norm;
    const double crossing = fit.until + (threshold - fit.level) / fit.slopePerDay * kDay;
    const auto toT = [&](double u) {
        const double t = fit.centerT + u * kDay;
        return t >= 9e18 ? kUnbounded : qint64(std::llround(std::max(t, double(fit.until))));
    };
    b.at = crossing < 9e18 ? qint64(std::llround(crossing)) : 0;
    const double q90 = TrendStats::tQuantile(0.95, fit.effectiveDf);
    const double qa = slope * slope - q90 * q90 * sb * sb, qb = 2 * slope * D, qc = D * D - q90 * q90 * s0 * s0;
    const double disc = qb * qb - 4 * qa * qc;
    const double uStar = -D / slope;
    if (qa > 0) {
        const double root = std::sqrt(std::max(disc, 0.0));
        b.earliest = toT((-qb - root) / (2 * qa));
        b.latest = toT((-qb + root) / (2 * qa));
    } else if (disc >= 0 && qa < 0) {
        // The band holds the threshold outside the roots: from the later root on if the crossing is there.
        const double later = (-qb - std::sqrt(disc)) / (2 * qa);
        b.earliest = uStar >= later ? toT(later) : fit.until;
        b.latest = kUnbounded;
    } else {
        b.earliest = fit.until;
        b.latest = kUnbounded;
    }
    b.projected = fit.worsening && b.at != 0 && b.at <= end;
    return b;
}

QVector<ConePoint> cone(const Fit &fit, qint64 to, int points)
{
    QVector<ConePoint> out;
    if (!fit.sufficient || points < 1)
        return out;
    const double q90 = TrendStats::tQuantile(0.95, fit.effectiveDf);
    for (int i = 0; i < points; ++i) {
        ConePoint c;
        c.t = points == 1 ? fit.until : fit.until + qint64(double(to - fit.until) * i / (points - 1));
        c.value = fit.valueAt(c.t);
        const double sd = std::hypot(fit.lineSigmaAt(c.t), fit.residualSigma);
        c.low = c.value - q90 * sd;
        c.high = c.value + q90 * sd;
        out.push_back(c);
    }
    return out;
}

QString describe(const Fit &fit, const Breach &breach)
{
    if (!fit.sufficient)
        return fit.insufficient;
    if (breach.alreadyBreached)
        return u"already past the threshold"_s;
    if (!breach.projected)
        return u"no breach projected within "_s % durationText(breach.horizonSeconds)
            % (breach.capped ? u" (twice the history)"_s : QString());
    const double in = double(breach.at - breach.now);
    const bool days = in >= 2 * kDay;
    const double unit = days ? kDay : 3600;
    const QString suffix = days ? u" d"_s : u" h"_s;
    const qint64 early = qint64(std::floor(std::max(0.0, double(breach.earliest - breach.now)) / unit));
    const QString range = breach.latest == kUnbounded
        ? QString(QString::number(early) % suffix % u" or later"_s)
        : QString(QString::number(early) % u"–"_s
            % QString::number(qint64(std::ceil(double(breach.latest - breach.now) / unit))) % suffix);
    return u"breach in ~"_s % roundedDuration(in) % u" ("_s % range % u"), "_s
        % QString::number(qRound(breach.confidence * 100)) % u" %"_s;
}

} // namespace perfdash::Trend
