// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reads SeriesStats/LiveFrame fields that not every version of models/seriesstats.h has yet (p999, the serialized
// sketch, the unique count of sets, provisional frames), so storage compiles and behaves before and after they land.

#include "models/seriesstats.h"

#include <QByteArray>

#include <limits>
#include <type_traits>
#include <utility>

namespace perfdash::StatsFields {

namespace detail {
template<typename T, typename = void>
struct HasP999 : std::false_type { };
template<typename T>
struct HasP999<T, std::void_t<decltype(std::declval<T>().p999)>> : std::true_type { };
template<typename T, typename = void>
struct HasSketch : std::false_type { };
template<typename T>
struct HasSketch<T, std::void_t<decltype(std::declval<T>().sketch)>> : std::true_type { };
template<typename T, typename = void>
struct HasUnique : std::false_type { };
template<typename T>
struct HasUnique<T, std::void_t<decltype(std::declval<T>().uniqueCount)>> : std::true_type { };
template<typename T, typename = void>
struct HasQuantileError : std::false_type { };
template<typename T>
struct HasQuantileError<T, std::void_t<decltype(std::declval<T>().quantileError)>> : std::true_type { };
template<typename T, typename = void>
struct HasProvisional : std::false_type { };
template<typename T>
struct HasProvisional<T, std::void_t<decltype(std::declval<T>().provisional)>> : std::true_type { };
} // namespace detail

// True once SeriesStats carries the serialized QuantileSketch of its second.
constexpr bool kHasSketchBlob = detail::HasSketch<SeriesStats>::value;

template<typename S = SeriesStats>
double p999(const S &s)
{
    if constexpr (detail::HasP999<S>::value)
        return s.p999;
    else
        return std::numeric_limits<double>::quiet_NaN();
}

template<typename S = SeriesStats>
QByteArray sketchBlob(const S &s)
{
    if constexpr (detail::HasSketch<S>::value)
        return QByteArray(s.sketch);
    else
        return {};
}

template<typename S = SeriesStats>
qint64 uniqueCount(const S &s)
{
    if constexpr (detail::HasUnique<S>::value)
        return qint64(s.uniqueCount);
    else
        return 0;
}

template<typename S = SeriesStats>
void setUniqueCount(S &s, qint64 value)
{
    if constexpr (detail::HasUnique<S>::value)
        s.uniqueCount = decltype(s.uniqueCount)(value);
    else
        (void)s, (void)value;
}

template<typename S = SeriesStats>
void setP999(S &s, double value)
{
    if constexpr (detail::HasP999<S>::value)
        s.p999 = value;
    else
        (void)s, (void)value;
}

template<typename S = SeriesStats>
double quantileError(const S &s, double fallback)
{
    if constexpr (detail::HasQuantileError<S>::value)
        return s.quantileError > 0 ? double(s.quantileError) : fallback;
    else
        return fallback;
}

// Provisional snapshots are superseded by the final frame of the same second; storage keeps final frames only.
template<typename F = LiveFrame>
bool isProvisional(const F &f)
{
    if constexpr (detail::HasProvisional<F>::value)
        return bool(f.provisional);
    else
        return false;
}

} // namespace perfdash::StatsFields
