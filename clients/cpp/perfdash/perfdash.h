// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client SDK, header-only, C++17, POSIX, no Qt: everything in one include.
//   StatsdClient    StatsD/DogStatsD lines over UDP or a Unix datagram socket (statsdclient.h)
//   RecordsClient   native NDJSON records to ingest.sock (recordsclient.h)
//   Run             workflow runs, their steps and telemetry, as `run` records (run.h)
//   ModuleMetrics   operations as `op` records, with session statistics (modulemetrics.h)
//   ApiCall         calls to external APIs as `api_call` records, made by ModuleMetrics::apiCall (apicall.h)
//   Notification    notifications sent as `notification` records, made by ModuleMetrics::notification
//                   (notification.h)
//   Sampler         a background sampling thread; ProcessSampler sends `sample` records (sampler.h)
//   TelemetryWriter how a sample type goes into runs' telemetry and series: toTelemetry() (telemetry.h)
//   newGuid         the random guids of work records (guid.h)
//   Config          PERFDASH_ENABLED, the config file, the log hook (config.h)

#include "perfdash/apicall.h"
#include "perfdash/clock.h"
#include "perfdash/config.h"
#include "perfdash/exceptioninfo.h"
#include "perfdash/format.h"
#include "perfdash/guid.h"
#include "perfdash/jsonline.h"
#include "perfdash/modulemetrics.h"
#include "perfdash/notification.h"
#include "perfdash/recordsclient.h"
#include "perfdash/residentmemory.h"
#include "perfdash/run.h"
#include "perfdash/sampler.h"
#include "perfdash/statsdclient.h"
#include "perfdash/telemetry.h"
