// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertstate.h"

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

QString AlertState::phaseName(Phase p)
{
    switch (p) {
    case Phase::Inactive:
        return u"inactive"_s;
    case Phase::Pending:
        return u"pending"_s;
    case Phase::Firing:
        return u"firing"_s;
    }
    return {};
}

QString AlertState::stateName(const Change &c)
{
    if (c.to == Phase::Inactive && c.from == Phase::Firing)
        return u"resolved"_s;
    return phaseName(c.to);
}

std::optional<AlertState::Change> AlertState::step(qint64 time, Reading reading, const AlertRule &rule)
{
    if (reading == Reading::NoData) {
        switch (rule.noData) {
        case AlertRule::NoData::KeepState:
            return std::nullopt;
        case AlertRule::NoData::Ok:
            reading = Reading::Recovered;
            break;
        case AlertRule::NoData::Alerting:
            reading = Reading::Breaching;
            break;
        }
    }
    const Phase before = m_phase;
    const auto moveTo = [&](Phase to) -> std::optional<Change> {
        m_phase = to;
        m_since = to == Phase::Inactive ? 0 : time;
        m_clearedAt = -1;
        return Change { before, to, time };
    };
    switch (m_phase) {
    case Phase::Inactive:
        if (reading != Reading::Breaching)
            return std::nullopt;
        return moveTo(rule.forSeconds > 0 ? Phase::Pending : Phase::Firing);
    case Phase::Pending:
        if (reading != Reading::Breaching)
            return moveTo(Phase::Inactive);
        if (time - m_since >= rule.forSeconds)
            return moveTo(Phase::Firing);
        return std::nullopt;
    case Phase::Firing:
        if (reading != Reading::Recovered) {
            m_clearedAt = -1;
            return std::nullopt;
        }
        if (m_clearedAt < 0)
            m_clearedAt = time;
        if (time - m_clearedAt >= rule.keepFiringFor)
            return moveTo(Phase::Inactive);
        return std::nullopt;
    }
    return std::nullopt;
}

void AlertState::restore(Phase phase, qint64 since)
{
    m_phase = phase;
    m_since = phase == Phase::Inactive ? 0 : since;
    m_clearedAt = -1;
}

} // namespace perfdash
