# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python SDK's work records, sent to a real collector by tst_sdk_e2e: a run started inside a sampler (its samples
travel with it, and the sampler's custom series as gauges), an API call, a notification, and the API call once more,
as a producer that reconnects would resend it (the same guid). Prints what it sent, one "key value" a line.
Usage: work_records.py INGEST_SOCKET"""
import sys
import time

import perfdash

records = perfdash.RecordsClient(sys.argv[1])
tags = {"service": "pay"}
taken = {"n": 0}


def sample():
    taken["n"] += 1
    return {"queue": taken["n"], "phase": "fit", "mem": {"rss_mb": 1.5}}


with perfdash.Sampler(sample, interval=0.02, series="train", records=records, tags=tags,
                      handle_signals=False) as sampler:
    with perfdash.Run("train", tags=tags, records=records, log=False, execution_mode="sequential") as run:
        # Three samples within the run, at most 10 s. A sample is handed to the run before it is kept in entries,
        # so every one kept after the next is the run's; that next one may have been handed on before the run began.
        sampler.wait_for(len(sampler.entries) + 4, timeout=10)
metrics = perfdash.ModuleMetrics("payments", tags=tags, records=records)
with metrics.api_call("POST", "/v1/charge") as call:
    call.status = 201
    call.request_kb = 1.5
with metrics.notification("email") as note:
    note.recipients = 3
    note.delivered = 3
records.send(call.to_record(time.time(), metrics.tags))  # the resend
print("flushed", records.flush_for(10.0))
print("sampler_samples", len(sampler.entries))
print("run_samples", len(run.record.telemetry))
print("run_guid", run.record.guid)
print("api_guid", call.guid)
print("notification_guid", note.guid)
