// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <functional>
#include <utility>

namespace perfdash {

// Which span of time the dashboard shows and how it moves (the view-range state machine):
// - Following: live, the last `liveWindowSeconds` up to the newest second;
// - Zoomed: live data, but the user zoomed or panned inside the live buffer, so the view stays put;
// - History: a range read from storage, in buckets of historyStep() seconds from the tier its span calls for.
// A zoom or pan that leaves what the live buffer holds becomes History; backToLive() returns to Following.
// Plain value type; GUI thread. Times in ms since the epoch; the clock is injected (ms).
class ViewRange {
public:
    enum class Mode { Following, Zoomed, History };
    using Clock = std::function<qint64()>;
    static constexpr qint64 kMinimumSpanMs = 5000;
    static constexpr int kTargetBuckets = 1500; // about two per pixel column of a wide chart
    static constexpr qint64 kSecondTierKeptSeconds = 48LL * 3600; // storage keeps 1 s buckets this long

    explicit ViewRange(Clock clock = {});
    void setClock(Clock clock);

    Mode mode() const { return m_mode; }
    bool isLive() const { return m_mode != Mode::History; }
    bool isFollowing() const { return m_mode == Mode::Following; }
    qint64 liveWindowSeconds() const { return m_windowSeconds; }
    qint64 fromMs() const { return m_fromMs; }
    qint64 toMs() const { return m_toMs; }
    qint64 historyStep() const { return m_historyStep; } // seconds; meaningful in History

    // Follow the newest data over `seconds` (at least 10).
    void setLiveWindowSeconds(qint64 seconds);
    void backToLive() { setLiveWindowSeconds(m_windowSeconds); }
    // A history range: `to` is clamped to now, the span to at least kMinimumSpanMs.
    void showHistory(qint64 fromMs, qint64 toMs);
    // A zoom or pan gesture to [fromMs, toMs]: the future is clamped to now (keeping the span); a live view whose new
    // span is longer than the live buffer or starts before its oldest second becomes History.
    void requestRange(qint64 fromMs, qint64 toMs, qint64 oldestLiveMs, qint64 liveBufferMs);
    // The range a zoom by `factor` around the middle (0.5 = in) or a pan by `fraction` of the span would show.
    std::pair<qint64, qint64> zoomed(double factor) const;
    std::pair<qint64, qint64> panned(double fraction) const;
    // While following: the view ends after latestSecond; while the source is younger than the window, it starts 5 s
    // before anchorFirstSecond (its first point; < 0: none), showing at least a minute.
    void follow(qint64 latestSecond, qint64 anchorFirstSecond);
    // The history step again, for "now" has moved on (a range near the 1 s tier's edge may change tier).
    void updateHistoryStep();

    // Bucket length for a history span: 1 s buckets for short spans the 1 s tier still holds; then whole minutes
    // (1 min tier); then whole hours (1 h tier). About kTargetBuckets buckets.
    static qint64 stepFor(qint64 fromSecond, qint64 toSecond, qint64 nowSecond);

private:
    Clock m_clock;
    Mode m_mode = Mode::Following;
    qint64 m_windowSeconds = 300;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    qint64 m_historyStep = 60;
};

} // namespace perfdash
