// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client SDK, header-only, C++17, POSIX, no Qt: everything in one include.
//   StatsdClient    StatsD/DogStatsD lines over UDP or a Unix datagram socket (statsdclient.h)
//   RecordsClient   native NDJSON records to ingest.sock (recordsclient.h)
//   Run             workflow runs and their steps, as `run` records (run.h)
//   ModuleMetrics   operations as `op` records, with session statistics (modulemetrics.h)
//   Sampler         a background sampling thread; ProcessSampler sends `sample` records (sampler.h)
//   Config          PERFDASH_ENABLED, the config file, the log hook (config.h)

#include "perfdash/config.h"
#include "perfdash/format.h"
#include "perfdash/jsonline.h"
#include "perfdash/modulemetrics.h"
#include "perfdash/recordsclient.h"
#include "perfdash/run.h"
#include "perfdash/sampler.h"
#include "perfdash/statsdclient.h"
