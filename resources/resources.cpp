// SPDX-License-Identifier: GPL-3.0-or-later
#include "resources/resources.h"

#include <QtGlobal>

// Outside any namespace, as Q_INIT_RESOURCE requires.
static void initPerfdashResources()
{
    Q_INIT_RESOURCE(perfdash_resources_files);
}

namespace perfdash {

void initResources()
{
    static const bool done = (initPerfdashResources(), true);
    Q_UNUSED(done);
}

} // namespace perfdash
