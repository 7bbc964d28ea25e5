// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace perfdash {

// Registers the resources compiled into the static library; safe to call more than once.
void initResources();

} // namespace perfdash
