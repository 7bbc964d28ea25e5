// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/resourceshare.h"

#include <cmath>

namespace perfdash {

double ResourceShare::fraction() const
{
    return std::isfinite(value) && std::isfinite(maximum) && maximum > 0 ? value / maximum : none;
}

ResourceShare ResourceShare::processCpu(double percentOfOneCore, double cores)
{
    return { percentOfOneCore, 100.0 * (std::isfinite(cores) && cores >= 1 ? std::round(cores) : 1.0) };
}

ResourceShare ResourceShare::machineCpu(double percentOfAllCores)
{
    return { percentOfAllCores, 100.0 };
}

bool ResourceShare::limitApplies(double machineTotalMb, double cgroupLimitMb)
{
    return std::isfinite(cgroupLimitMb) && cgroupLimitMb > 0
        && (!std::isfinite(machineTotalMb) || cgroupLimitMb < machineTotalMb);
}

ResourceShare ResourceShare::memory(double usedMb, double machineTotalMb, double cgroupLimitMb)
{
    return { usedMb, limitApplies(machineTotalMb, cgroupLimitMb) ? cgroupLimitMb : machineTotalMb };
}

} // namespace perfdash
